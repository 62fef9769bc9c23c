"""companies.permissions: each predicate, asked of every kind of actor.

An administrator is an active superuser (``core.permissions.is_administrator``); ``is_staff``
alone gives no rights here.  An API key's principal acts for its key's organisation only.
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from api.authentication import KeyUser
from api.services import create_api_key
from companies import permissions
from companies.models import Membership, Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Cambi")


@pytest.fixture
def actors(organisation):
    """One of each kind of actor, named for how they relate to ``organisation``."""
    other = OrganisationFactory(name="Elsewhere")
    return {
        "visitor": AnonymousUser(),
        "outsider": UserFactory(),
        "member": MembershipFactory(organisation=organisation, role=Membership.Role.MEMBER).user,
        "admin": MembershipFactory(organisation=organisation, role=Membership.Role.ADMIN).user,
        "pending admin": MembershipFactory(
            organisation=organisation, role=Membership.Role.ADMIN, status=Membership.Status.PENDING
        ).user,
        "refused member": MembershipFactory(organisation=organisation, status=Membership.Status.REFUSED).user,
        "admin elsewhere": MembershipFactory(organisation=other, role=Membership.Role.ADMIN).user,
        "staff only": UserFactory(is_staff=True),
        "superuser": UserFactory(is_superuser=True, is_staff=True),
        "inactive superuser": UserFactory(is_superuser=True, is_staff=True, is_active=False),
    }


def answers(predicate, actors, organisation):
    return {name: predicate(user, organisation) for name, user in actors.items()}


def test_is_active_member_counts_active_memberships_of_that_organisation_only(actors, organisation):
    assert answers(permissions.is_active_member, actors, organisation) == {
        "visitor": False,
        "outsider": False,
        "member": True,
        "admin": True,
        "pending admin": False,
        "refused member": False,
        "admin elsewhere": False,
        "staff only": False,
        "superuser": False,
        "inactive superuser": False,
    }


ADMIN_RIGHTS = {
    "visitor": False,
    "outsider": False,
    "member": False,
    "admin": True,
    "pending admin": False,
    "refused member": False,
    "admin elsewhere": False,
    "staff only": False,
    "superuser": True,
    "inactive superuser": False,
}


@pytest.mark.parametrize(
    "predicate",
    [permissions.is_organisation_admin, permissions.can_edit_organisation, permissions.can_manage_members],
    ids=lambda predicate: predicate.__name__,
)
def test_only_its_active_admins_and_an_administrator_administer_an_organisation(actors, organisation, predicate):
    assert answers(predicate, actors, organisation) == ADMIN_RIGHTS


def test_active_members_and_an_administrator_post_demands_for_an_organisation(actors, organisation):
    assert answers(permissions.can_post_demand_for, actors, organisation) == {
        **ADMIN_RIGHTS,
        "member": True,
    }


def _key_user(organisation=None, *, write=False, revoked=False):
    key, _raw = create_api_key(name="partner", organisation=organisation, write=write)
    if revoked:
        key.revoked_at = key.created_at
        key.save(update_fields=["revoked_at"])
    return KeyUser(key)


@pytest.mark.django_db
def test_only_a_read_write_key_of_the_organisation_posts_demands_for_it(organisation):
    other = OrganisationFactory()

    assert permissions.can_post_demand_for(_key_user(organisation, write=True), organisation) is True
    assert permissions.can_post_demand_for(_key_user(organisation), organisation) is False
    assert permissions.can_post_demand_for(_key_user(other, write=True), organisation) is False
    assert permissions.can_post_demand_for(_key_user(), organisation) is False
    assert permissions.can_post_demand_for(_key_user(organisation, write=True, revoked=True), organisation) is False


def test_acting_organisation_ids_are_a_users_active_memberships(actors, organisation):
    third = OrganisationFactory()
    MembershipFactory(user=actors["member"], organisation=third)
    MembershipFactory(user=actors["member"], organisation=OrganisationFactory(), status=Membership.Status.PENDING)

    assert sorted(permissions.acting_organisation_ids(actors["member"])) == sorted([organisation.pk, third.pk])
    assert permissions.acting_organisation_ids(actors["admin"]) == [organisation.pk]
    for nobody in ("visitor", "outsider", "pending admin", "refused member", "staff only", "superuser"):
        assert permissions.acting_organisation_ids(actors[nobody]) == [], nobody


@pytest.mark.django_db
def test_an_api_key_acts_for_its_own_organisation_only(organisation):
    assert permissions.acting_organisation_ids(_key_user(organisation)) == [organisation.pk]
    assert permissions.acting_organisation_ids(_key_user()) == []


@pytest.mark.django_db
def test_a_members_only_profile_is_visible_to_signed_in_users_only():
    public = OrganisationFactory(visibility=Organisation.Visibility.PUBLIC)
    private = OrganisationFactory(visibility=Organisation.Visibility.MEMBERS)
    user = UserFactory()

    assert permissions.can_view_organisation(AnonymousUser(), public) is True
    assert permissions.can_view_organisation(AnonymousUser(), private) is False
    assert permissions.can_view_organisation(user, private) is True
    assert list(permissions.visible_organisations(AnonymousUser())) == [public]
    assert sorted(o.pk for o in permissions.visible_organisations(user)) == sorted([public.pk, private.pk])


@pytest.mark.django_db
def test_visible_organisations_narrows_a_given_queryset():
    private = OrganisationFactory(visibility=Organisation.Visibility.MEMBERS, name="Quiet")
    OrganisationFactory(visibility=Organisation.Visibility.PUBLIC, name="Loud")
    quiet = Organisation.objects.filter(name="Quiet")

    assert list(permissions.visible_organisations(AnonymousUser(), quiet)) == []
    assert list(permissions.visible_organisations(UserFactory(), quiet)) == [private]
