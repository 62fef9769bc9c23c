"""matchmaking.permissions: each predicate, for the actors it tells apart."""

import pytest
from django.contrib.auth.models import AnonymousUser

from companies.models import Membership, Organisation
from delegations.models import Delegation
from matchmaking import permissions
from tests.factories import DemandFactory, OrganisationFactory, UserFactory
from tests.matchmaking.helpers import NEXT_YEAR, event_organiser, member_of

pytestmark = pytest.mark.django_db


# ---- demands -------------------------------------------------------------------------------


def test_visible_demands_hides_members_only_organisations_from_visitors_only():
    public = DemandFactory()
    hidden = DemandFactory(organisation__visibility=Organisation.Visibility.MEMBERS)

    assert list(permissions.visible_demands(AnonymousUser())) == [public]
    assert set(permissions.visible_demands(UserFactory())) == {public, hidden}


def test_member_organisations_are_the_active_memberships_by_name(buyer, buyer_org):
    second = OrganisationFactory(name="Alpha Water")
    Membership.objects.create(user=buyer, organisation=second, status=Membership.Status.ACTIVE)
    Membership.objects.create(user=buyer, organisation=OrganisationFactory(), status=Membership.Status.PENDING)

    assert list(permissions.member_organisations(buyer)) == [second, buyer_org]
    assert list(permissions.member_organisations(AnonymousUser())) == []


def test_can_post_demands_needs_an_active_membership(buyer, buyer_org):
    assert permissions.can_post_demands(buyer)
    assert not permissions.can_post_demands(member_of(buyer_org, status=Membership.Status.PENDING))
    assert not permissions.can_post_demands(UserFactory())
    assert not permissions.can_post_demands(AnonymousUser())


@pytest.mark.parametrize("predicate", [permissions.can_edit_demand, permissions.can_close_demand])
def test_the_owners_active_members_and_administrators_edit_and_close(predicate, buyer, buyer_org, outsider, demand):
    assert predicate(buyer, demand)
    assert predicate(UserFactory(is_superuser=True), demand)
    assert not predicate(outsider, demand)
    assert not predicate(member_of(buyer_org, status=Membership.Status.PENDING), demand)
    assert not predicate(UserFactory(is_staff=True), demand)
    assert not predicate(AnonymousUser(), demand)


# ---- matches -------------------------------------------------------------------------------


def test_the_matches_of_an_organisation_are_for_its_active_members(buyer, buyer_org, outsider):
    assert permissions.can_view_matches_of(buyer, buyer_org)
    assert not permissions.can_view_matches_of(outsider, buyer_org)
    assert not permissions.can_view_matches_of(member_of(buyer_org, status=Membership.Status.PENDING), buyer_org)
    assert not permissions.can_view_matches_of(AnonymousUser(), buyer_org)


def test_feedback_side(supplier, buyer, outsider, buyer_org, cambi, ranked):
    target = ranked["cambi"]
    both = member_of(cambi)
    Membership.objects.create(user=both, organisation=buyer_org, status=Membership.Status.ACTIVE)

    assert permissions.feedback_side(supplier, target) == permissions.SUPPLIER
    assert permissions.feedback_side(buyer, target) == permissions.BUYER
    assert permissions.feedback_side(both, target) == permissions.SUPPLIER
    assert permissions.feedback_side(outsider, target) is None
    assert permissions.feedback_side(member_of(cambi, status=Membership.Status.PENDING), target) is None
    assert permissions.feedback_side(AnonymousUser(), target) is None


def test_an_anonymous_user_may_not_rescore():
    assert not permissions.may_rescore(AnonymousUser())


def test_staff_status_alone_may_not_rescore():
    assert not permissions.may_rescore(UserFactory(is_staff=True))


def test_a_superuser_may_rescore():
    assert permissions.may_rescore(UserFactory(is_superuser=True))


def test_an_inactive_superuser_may_not_rescore():
    assert not permissions.may_rescore(UserFactory(is_superuser=True, is_active=False))


def test_an_event_organiser_may_rescore():
    assert permissions.may_rescore(event_organiser())


def test_a_delegation_organiser_may_rescore():
    delegation = Delegation.objects.create(
        name="Shandong delegation",
        origin_country="CN",
        destination_country="NO",
        starts_on=NEXT_YEAR,
        ends_on=NEXT_YEAR,
    )
    user = UserFactory()
    delegation.organisers.add(user)

    assert permissions.may_rescore(user)


def test_a_plain_member_may_not_rescore(supplier):
    assert not permissions.may_rescore(supplier)
