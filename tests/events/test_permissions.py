"""Each role against each predicate of ``events.permissions``, on a private event.

The roles: a visitor, a member of another organisation, a member of a participant's
organisation (registered), the organiser of another event, the event's organiser, an API
key of a participant's organisation and one of another organisation, staff (``is_staff``
alone: nothing), an inactive superuser (nothing) and an administrator (an active superuser).
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied

from api.authentication import KeyUser
from api.models import ApiKey
from events import permissions
from events.models import Event
from tests.factories import EventFactory, MembershipFactory, OrganisationFactory, UserFactory, event_participant

ROLES = [
    "visitor",
    "member of another organisation",
    "member",
    "organiser of another event",
    "organiser",
    "API key",
    "API key of another organisation",
    "staff",
    "inactive superuser",
    "administrator",
]


@pytest.fixture
def world():
    event = EventFactory(is_public=False)
    other_event = EventFactory(is_public=False)
    registration = event_participant(event=event)
    organiser, other_organiser = UserFactory(), UserFactory()
    event.organisers.add(organiser)
    other_event.organisers.add(other_organiser)
    stranger_organisation = OrganisationFactory()
    users = {
        "visitor": AnonymousUser(),
        "member of another organisation": MembershipFactory(organisation=stranger_organisation).user,
        "member": registration.user,
        "organiser of another event": other_organiser,
        "organiser": organiser,
        "API key": KeyUser(ApiKey(organisation=registration.organisation, name="partner")),
        "API key of another organisation": KeyUser(ApiKey(organisation=stranger_organisation, name="partner")),
        "staff": UserFactory(is_staff=True),
        "inactive superuser": UserFactory(is_superuser=True, is_staff=True, is_active=False),
        "administrator": UserFactory(is_superuser=True),
    }
    return {"event": event, "registration": registration, "users": users}


def answers(world, predicate):
    return {role: predicate(world["users"][role], world["event"]) for role in ROLES}


def expected(*roles):
    return {role: role in roles for role in ROLES}


@pytest.mark.django_db
def test_who_sees_a_private_event(world):
    assert answers(world, permissions.can_view_event) == expected("member", "organiser", "API key", "administrator")
    seen = {role: list(permissions.visible_events(user)) for role, user in world["users"].items()}
    assert seen["administrator"] == list(Event.objects.all())
    assert seen["staff"] == seen["visitor"] == seen["inactive superuser"] == []


@pytest.mark.django_db
def test_everybody_sees_a_public_event(world):
    Event.objects.filter(pk=world["event"].pk).update(is_public=True)
    assert answers(world, permissions.can_view_event) == expected(*ROLES)


@pytest.mark.django_db
def test_the_organising_organisations_members_see_its_private_event(world):
    colleague = MembershipFactory().user
    world["event"].organising_organisation = colleague.memberships.get().organisation
    world["event"].save()
    assert permissions.can_view_event(colleague, world["event"])


@pytest.mark.django_db
def test_who_organises_the_event(world):
    assert answers(world, permissions.is_organiser) == expected("organiser", "administrator")

    def required(user, event):
        try:
            permissions.require_organiser(user, event)
        except PermissionDenied:
            return False
        return True

    assert answers(world, required) == expected("organiser", "administrator")


@pytest.mark.django_db
def test_who_creates_events(world):
    """The permission ``events.add_event`` (administrators have every permission); an API key, which
    has no ``has_perm``, creates none."""
    assert answers(world, lambda user, event: permissions.can_create_event(user)) == expected("administrator")
    granted = world["users"]["organiser"]
    granted.user_permissions.add(Permission.objects.get(codename="add_event"))
    granted = type(granted).objects.get(pk=granted.pk)  # a fresh permission cache
    assert permissions.can_create_event(granted)


@pytest.mark.django_db
def test_only_the_participant_has_a_registration(world):
    found = answers(world, permissions.registration_of)
    assert found == {role: world["registration"] if role == "member" else None for role in ROLES}
