"""matchmaking.selectors: what the demand and matches pages read."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils import translation

from companies.models import Organisation
from matchmaking import selectors
from matchmaking.models import RescoringRun
from tests.factories import DemandFactory, OrganisationFactory
from tests.matchmaking.helpers import match

pytestmark = pytest.mark.django_db


# ---- demands -------------------------------------------------------------------------------


def test_demand_list_filters_what_the_user_may_see(buyer):
    DemandFactory(title="Public need")
    DemandFactory(title="Members-only need", organisation__visibility=Organisation.Visibility.MEMBERS)

    visitor = selectors.demand_list(user=AnonymousUser(), params=QueryDict(""))
    member = selectors.demand_list(user=buyer, params=QueryDict("q=members"))

    assert visitor.is_valid() and [d.title for d in visitor.qs] == ["Public need"]
    assert member.is_valid() and [d.title for d in member.qs] == ["Members-only need"]


def test_demand_detail_is_a_404_for_a_demand_the_user_may_not_know_of(buyer):
    hidden = DemandFactory(organisation__visibility=Organisation.Visibility.MEMBERS)

    with pytest.raises(Http404):
        selectors.demand_detail(user=AnonymousUser(), pk=hidden.pk)
    assert selectors.demand_detail(user=buyer, pk=hidden.pk) == hidden


def test_bilingual_puts_the_active_language_first_and_leaves_out_empty_texts():
    assert selectors.bilingual("Sludge", "污泥") == [("Sludge", "en"), ("污泥", "zh-Hans")]
    assert selectors.bilingual("", "污泥") == [("污泥", "zh-Hans")]
    with translation.override("zh-hans"):
        assert selectors.bilingual("Sludge", "污泥") == [("污泥", "zh-Hans"), ("Sludge", "en")]


# ---- matches -------------------------------------------------------------------------------


def test_matches_for_refuses_a_user_who_is_not_an_active_member(outsider, buyer_org):
    with pytest.raises(PermissionDenied):
        selectors.matches_for(user=outsider, organisation=buyer_org)


def test_matches_for_the_buyer_side_sets_own_and_other_feedback(buyer, buyer_org, ranked):
    ranked["cambi"].supplier_feedback = "interested"
    ranked["cambi"].save()

    found = selectors.matches_for(user=buyer, organisation=buyer_org)

    (demand,) = found.demands
    assert demand.suggested == [ranked["cambi"], ranked["veolia"]]
    assert (demand.suggested[0].own_feedback, demand.suggested[0].other_feedback) == ("", "interested")
    assert found.buyer_total == 2
    assert "Targets Beijing" in [label["label"] for label in demand.suggested[0].reason_labels]


def test_the_supplier_side_is_cut_at_the_limit_and_counts_them_all(supplier, cambi, buyer_org):
    for n in range(4):
        match(cambi, DemandFactory(organisation=buyer_org, title=f"Need {n}"), score=0.5 + n / 10, rank=1)

    found = selectors.matches_for(user=supplier, organisation=cambi, supplier_limit=3)
    everything = selectors.matches_for(user=supplier, organisation=cambi, supplier_limit=4)

    assert [m.demand.title for m in found.supplier_matches] == ["Need 3", "Need 2", "Need 1"]
    assert found.supplier_total == 4
    assert (len(everything.supplier_matches), everything.supplier_total) == (4, 4)


def test_match_for_card_labels_the_match_for_the_side(supplier, ranked):
    card = selectors.match_for_card(pk=ranked["cambi"].pk, side="supplier")

    assert card.own_feedback == card.supplier_feedback
    assert [row[2] for row in card.component_list] == [100, 60, 100]


def test_component_list_keeps_the_engines_order_and_clamps_to_0_1():
    rows = selectors.component_list({"region": 1.4, "sector": 0.25, "text": "n/a", "copresence": -1, "new": 0.5})

    assert [(str(label), value, percent) for label, value, percent in rows] == [
        ("Sector fit", 0.25, 25),
        ("Region fit", 1.0, 100),
        ("Meeting at the same event", 0.0, 0),
    ]
    assert selectors.component_list(None) == []


def test_latest_runs_are_the_newest_first_and_at_most_the_limit():
    runs = [RescoringRun.objects.create(total_chunks=1) for _ in range(3)]

    assert selectors.latest_runs(limit=2) == [runs[2], runs[1]]


def test_a_missing_run_or_match_is_a_404():
    with pytest.raises(Http404):
        selectors.rescoring_run(pk=999999)
    with pytest.raises(Http404):
        selectors.match_for_feedback(pk=999999)


def test_organisation_for_filter_hides_a_members_only_organisation_from_visitors(buyer):
    hidden = OrganisationFactory(visibility=Organisation.Visibility.MEMBERS)

    assert selectors.organisation_for_filter(user=AnonymousUser(), pk=hidden.pk) is None
    assert selectors.organisation_for_filter(user=buyer, pk=hidden.pk) == hidden
