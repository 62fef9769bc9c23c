"""Each role against each predicate of ``delegations.permissions``.

The roles: a visitor, a signed-in member, an API key, the organiser of another delegation,
the delegation's organiser, a user granted ``events.add_event``, staff (``is_staff`` alone:
nothing), an inactive superuser (nothing) and an administrator (an active superuser).
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Permission

from api.authentication import KeyUser
from api.models import ApiKey
from delegations import permissions
from tests.factories import DelegationFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def world():
    delegation, other = DelegationFactory(), DelegationFactory()
    organiser, other_organiser, event_maker = UserFactory(), UserFactory(), UserFactory()
    delegation.organisers.add(organiser)
    other.organisers.add(other_organiser)
    event_maker.user_permissions.add(Permission.objects.get(codename="add_event", content_type__app_label="events"))
    users = {
        "visitor": AnonymousUser(),
        "member": MembershipFactory().user,
        "API key": KeyUser(ApiKey(organisation=OrganisationFactory(), name="partner")),
        "organiser of another delegation": other_organiser,
        "organiser": organiser,
        "may create events": event_maker,
        "staff": UserFactory(is_staff=True),
        "inactive superuser": UserFactory(is_superuser=True, is_staff=True, is_active=False),
        "administrator": UserFactory(is_superuser=True),
    }
    return delegation, users


def allowed(predicate, users):
    return {role for role, user in users.items() if predicate(user)}


@pytest.mark.django_db
def test_people_travelling_are_shown_to_signed_in_users_only(world):
    _delegation, users = world
    assert allowed(permissions.may_see_people, users) == set(users) - {"visitor", "API key"}


@pytest.mark.django_db
def test_a_delegation_is_organised_by_its_organisers_and_administrators(world):
    delegation, users = world
    assert allowed(lambda user: permissions.is_organiser(user, delegation), users) == {"organiser", "administrator"}


@pytest.mark.django_db
def test_creating_a_delegation_needs_the_permission_to_create_events(world):
    _delegation, users = world
    assert allowed(permissions.can_create_delegation, users) == {"may create events", "administrator"}
