"""matchmaking.services: demands written by their owners, and feedback on matches from either side."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core import hooks
from matchmaking import services
from matchmaking.models import Demand, Match
from tests.factories import UserFactory
from tests.matchmaking.helpers import member_of, sector

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved():
    """What the hook ``demand.saved`` reports, as (demand id, created)."""
    reports = []

    def receiver(*, demand, created):
        reports.append((demand.pk, created))

    hooks.connect(hooks.DEMAND_SAVED, receiver)
    yield reports
    hooks.disconnect(hooks.DEMAND_SAVED, receiver)


# ---- demands -------------------------------------------------------------------------------


def test_a_member_creates_and_updates_a_demand_and_each_write_is_reported(buyer, buyer_org, saved):
    demand = services.demand_create(
        actor=buyer, organisation=buyer_org, fields={"title": "Sludge drying", "sectors": [sector("water.sludge")]}
    )
    services.demand_update(actor=buyer, demand=demand, fields={"title_zh": "污泥干化"})

    demand = Demand.objects.get()
    assert (demand.title, demand.title_zh, demand.created_by) == ("Sludge drying", "污泥干化", buyer)
    assert list(demand.sectors.values_list("slug", flat=True)) == ["water.sludge"]
    assert saved == [(demand.pk, True), (demand.pk, False)]


def test_an_unknown_field_is_a_programming_error(buyer, buyer_org):
    with pytest.raises(TypeError, match="Not a demand field: owner"):
        services.demand_create(actor=buyer, organisation=buyer_org, fields={"title": "x", "owner": 1})
    assert Demand.objects.count() == 0


def test_closing_twice_changes_nothing_the_second_time(buyer, demand, saved):
    services.demand_close(actor=buyer, demand=demand)
    updated_at = Demand.objects.get(pk=demand.pk).updated_at
    services.demand_close(actor=buyer, demand=demand)  # twice: still closed, no error, reported once

    closed = Demand.objects.get(pk=demand.pk)
    assert (closed.status, closed.updated_at) == (Demand.Status.CLOSED, updated_at)
    assert saved == [(demand.pk, False)]


def test_services_refuse_outsiders_and_a_demand_without_a_title(buyer, buyer_org, outsider, demand, saved):
    with pytest.raises(PermissionDenied):
        services.demand_create(actor=outsider, organisation=buyer_org, fields={"title": "Mine now"})
    with pytest.raises(PermissionDenied):
        services.demand_update(actor=outsider, demand=demand, fields={"title": "Mine now"})
    with pytest.raises(PermissionDenied):
        services.demand_close(actor=outsider, demand=demand)
    with pytest.raises(ValidationError):
        services.demand_create(actor=buyer, organisation=buyer_org, fields={"title": "", "title_zh": ""})
    assert Demand.objects.count() == 1
    assert saved == []


# ---- feedback on matches -------------------------------------------------------------------


def test_each_side_writes_its_own_column(supplier, buyer, ranked):
    target = ranked["cambi"]

    services.match_feedback(actor=supplier, match=target, value="interested")
    services.match_feedback(actor=buyer, match=target, value="")

    target.refresh_from_db()
    assert (target.supplier_feedback, target.buyer_feedback, target.published) == ("interested", "", True)


def test_a_member_of_both_sides_speaks_for_the_supplier(supplier, buyer_org, ranked):
    buyer_org.memberships.create(user=supplier, status="active")

    services.match_feedback(actor=supplier, match=ranked["cambi"], value="interested")

    ranked["cambi"].refresh_from_db()
    assert (ranked["cambi"].supplier_feedback, ranked["cambi"].buyer_feedback) == ("interested", "")


def test_not_relevant_unpublishes_and_moves_the_ranks_behind_up(buyer, demand, ranked):
    services.match_feedback(actor=buyer, match=ranked["cambi"], value="not_relevant")

    published = Match.objects.filter(demand=demand, published=True).order_by("rank")
    assert [(m.organisation.name, m.rank) for m in published] == [("Veolia Nordic", 1), ("Rejected AS", 2)]
    ranked["cambi"].refresh_from_db()
    assert (ranked["cambi"].published, ranked["cambi"].rank) == (False, None)


def test_not_relevant_on_an_unpublished_match_moves_no_rank(supplier, cambi, demand, ranked):
    Match.objects.filter(pk=ranked["cambi"].pk).delete()
    unpublished = Match.objects.create(organisation=cambi, demand=demand, score=0.2, published=False)

    services.match_feedback(actor=supplier, match=unpublished, value="not_relevant")

    assert sorted(Match.objects.filter(published=True).values_list("rank", flat=True)) == [2, 3]


@pytest.mark.parametrize("value", ["maybe", "NOT_RELEVANT", None])
def test_a_feedback_not_known_is_a_validation_error(supplier, ranked, value):
    with pytest.raises(ValidationError):
        services.match_feedback(actor=supplier, match=ranked["cambi"], value=value)

    ranked["cambi"].refresh_from_db()
    assert ranked["cambi"].supplier_feedback == ""


@pytest.mark.parametrize("who", ["outsider", "pending", "nobody"])
def test_neither_side_may_give_feedback(outsider, cambi, ranked, who):
    actor = {"outsider": outsider, "pending": member_of(cambi, status="pending"), "nobody": UserFactory()}[who]

    with pytest.raises(PermissionDenied):
        services.match_feedback(actor=actor, match=ranked["cambi"], value="not_relevant")

    ranked["cambi"].refresh_from_db()
    assert (ranked["cambi"].supplier_feedback, ranked["cambi"].buyer_feedback, ranked["cambi"].rank) == ("", "", 1)
