"""Who counts as an administrator in the API (``core.permissions.is_administrator``): an active
superuser.  Staff status alone grants nothing: a staff user sees as the plain user they are."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from api import services
from api.models import ApiKey
from tests.api.test_matrix import AB, C_HIDDEN, MEET_AB, MEET_BC, names
from tests.factories import MembershipFactory, UserFactory


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def matches_seen(user):
    return names(signed_in(user).get("/api/v1/matches/").json())


def meetings_seen(user, event):
    return names(signed_in(user).get(f"/api/v1/events/{event.pk}/meetings/").json())


@pytest.mark.django_db
def test_a_superuser_sees_every_match_and_meeting(world):
    superuser = UserFactory(is_superuser=True)

    assert matches_seen(superuser) == {AB, C_HIDDEN}
    assert meetings_seen(superuser, world.event) == {MEET_AB, MEET_BC}


@pytest.mark.django_db
def test_staff_alone_sees_as_a_plain_user(world):
    staff = UserFactory(is_staff=True)
    staff_of_a = MembershipFactory(organisation=world.a, user__is_staff=True).user

    assert matches_seen(staff) == set()
    assert meetings_seen(staff, world.event) == set()
    assert matches_seen(staff_of_a) == {AB}
    assert meetings_seen(staff_of_a, world.event) == {MEET_AB}


@pytest.mark.django_db
def test_a_staff_users_match_list_is_not_the_shared_one(world):
    """The match list's pages are cached per audience: staff must not be served the administrators' page."""
    superuser, staff = UserFactory(is_superuser=True), UserFactory(is_staff=True)

    everything = signed_in(superuser).get("/api/v1/matches/")
    own = signed_in(staff).get("/api/v1/matches/", HTTP_IF_NONE_MATCH=everything["ETag"])

    assert own.status_code == 200
    assert own["ETag"] != everything["ETag"]
    assert own.json()["results"] == []


@pytest.mark.django_db
def test_only_an_administrator_or_the_organisations_admin_revokes_a_key(world):
    key = ApiKey.objects.get(name="Buyer system")

    with pytest.raises(PermissionDenied):
        services.revoke_api_key(actor=UserFactory(is_staff=True), key=key)
    services.revoke_api_key(actor=UserFactory(is_superuser=True), key=key)

    key.refresh_from_db()
    assert key.revoked_at is not None
