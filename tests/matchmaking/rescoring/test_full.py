"""A full rescoring (``rescoring.full``): ranked, published matches; feedback kept; idempotent."""

import pytest
from django.db.models import Count

from matchmaking import rescoring
from matchmaking.models import Demand, Match, RescoringRun
from tests.factories import OrganisationFactory
from tests.matchmaking.rescoring.sectors import sectors


@pytest.mark.django_db
def test_a_full_rescoring_writes_ranked_published_matches_across_sides_only(directory, settings):
    settings.MATCH_MIN_SCORE = 0.2

    run = rescoring.rescore_all()

    assert (run.status, run.done_chunks, run.total_chunks) == ("done", 1, 1)
    sludge = Match.objects.filter(demand=directory["sludge"], published=True).order_by("rank")
    assert sludge[0].organisation == directory["cambi"]
    assert [m.rank for m in sludge] == list(range(1, len(sludge) + 1))
    assert not Match.objects.filter(organisation__country="CN").exists()  # never the buyer's own side
    assert all(0 <= m.score <= 1 for m in Match.objects.all())
    assert any(r["kind"] == "sector" for r in sludge[0].reasons)
    assert Match.objects.filter(published=False, rank__isnull=False).count() == 0


@pytest.mark.django_db
def test_a_chinese_only_demand_finds_the_english_only_pump_maker(directory):
    rescoring.rescore_all()
    best = Match.objects.filter(demand=directory["water"]).order_by("-score").first()
    assert best.organisation == directory["grundfos"]
    assert any(r["kind"] == "terms" for r in best.reasons)


@pytest.mark.django_db
def test_rescoring_twice_changes_nothing_and_duplicates_nothing(directory):
    rescoring.rescore_all()
    first = sorted(Match.objects.values_list("organisation_id", "demand_id", "score", "rank", "published"))

    rescoring.rescore_all()
    rescoring.rescore_demand(demand_id=directory["sludge"].pk)
    rescoring.rescore_organisation(organisation_id=directory["cambi"].pk)

    assert sorted(Match.objects.values_list("organisation_id", "demand_id", "score", "rank", "published")) == first
    assert not Match.objects.values("organisation", "demand").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert RescoringRun.objects.filter(status="done").count() == 2


@pytest.mark.django_db
def test_not_relevant_stays_hidden_and_is_never_raised_again(directory, settings):
    settings.MATCH_MIN_SCORE = 0.05
    rescoring.rescore_all()
    match = Match.objects.get(demand=directory["sludge"], organisation=directory["cambi"])
    Match.objects.filter(pk=match.pk).update(buyer_feedback="not_relevant", published=False, rank=None)

    rescoring.rescore_all()
    rescoring.rescore_demand(demand_id=directory["sludge"].pk)
    rescoring.rescore_organisation(organisation_id=directory["cambi"].pk)

    match.refresh_from_db()
    assert (match.published, match.rank, match.buyer_feedback) == (False, None, "not_relevant")
    assert Match.objects.filter(demand=directory["sludge"], published=True).exclude(pk=match.pk).exists()


@pytest.mark.django_db
def test_interested_feedback_survives_a_rescoring(directory):
    rescoring.rescore_all()
    Match.objects.filter(demand=directory["sludge"], organisation=directory["cambi"]).update(
        supplier_feedback="interested"
    )
    rescoring.rescore_all()
    assert (
        Match.objects.get(demand=directory["sludge"], organisation=directory["cambi"]).supplier_feedback == "interested"
    )


@pytest.mark.django_db
def test_pairs_that_drop_out_of_the_top_k_go_even_when_nothing_else_changed(directory, settings):
    settings.MATCH_MIN_SCORE = 0.05
    rescoring.rescore_all()
    best = Match.objects.filter(demand=directory["sludge"]).order_by("-score").first()
    Match.objects.filter(demand=directory["sludge"]).exclude(pk=best.pk).update(
        buyer_feedback="not_relevant", published=False, rank=None
    )
    OrganisationFactory(country="FI", description="Sludge treatment.").sectors.set(sectors("water.sludge"))
    several = Match.objects.exclude(buyer_feedback="not_relevant").values("demand").annotate(n=Count("id"))
    assert several.filter(n__gt=1).exists()
    not_relevant = set(Match.objects.filter(buyer_feedback="not_relevant").values_list("pk", flat=True))
    settings.MATCH_TOP_K, settings.MATCH_TOP_K_PER_ORGANISATION = 1, 0

    rescoring.rescore_all()

    per_demand = Match.objects.exclude(buyer_feedback="not_relevant").values("demand").annotate(n=Count("id"))
    assert {row["n"] for row in per_demand} == {1}
    assert set(Match.objects.filter(buyer_feedback="not_relevant").values_list("pk", flat=True)) == not_relevant


@pytest.mark.django_db
def test_a_full_rescoring_drops_the_matches_of_a_demand_closed_behind_its_back(directory):
    rescoring.rescore_all()
    hidden = Match.objects.filter(demand=directory["water"]).first()
    Match.objects.filter(pk=hidden.pk).update(supplier_feedback="not_relevant", published=False, rank=None)
    Demand.objects.filter(pk=directory["water"].pk).update(status="closed")  # no incremental rescoring queued

    rescoring.rescore_all()

    assert list(Match.objects.filter(demand=directory["water"]).values_list("pk", flat=True)) == [hidden.pk]
    assert Match.objects.filter(demand=directory["sludge"], published=True).exists()
