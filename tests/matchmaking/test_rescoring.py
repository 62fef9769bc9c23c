"""The engine's rows in the database: full and incremental rescoring, feedback, and a real worker."""

import json
import time

import numpy as np
import pytest
from django.db import transaction
from django.db.models import Count

from companies.models import Sector
from companies.services import organisation_update
from matchmaking import engine, rescoring, tasks
from matchmaking.models import Demand, Match, RescoringRun
from matchmaking.services import demand_close, demand_create
from tests.factories import DemandFactory, MembershipFactory, OrganisationFactory


def sectors(*slugs):
    return list(Sector.objects.filter(slug__in=slugs))


@pytest.fixture
def directory():
    buyer = OrganisationFactory(name="Beijing Drainage Group", country="CN")
    cambi = OrganisationFactory(name="Cambi", country="NO", description="Thermal hydrolysis of sewage sludge, biogas.")
    cambi.sectors.set(sectors("water.sludge"))
    grundfos = OrganisationFactory(name="Grundfos", country="DK", description="Pumps for water supply and wastewater.")
    grundfos.sectors.set(sectors("water.supply", "water.wastewater"))
    wind = OrganisationFactory(name="Offshore Wind AS", country="NO", description="Foundations for offshore wind.")
    wind.sectors.set(sectors("energy.wind"))
    other_buyer = OrganisationFactory(name="Qingdao Port", country="CN", description="Sludge from the port works.")
    sludge = DemandFactory(organisation=buyer, title="Sludge treatment", description="Thermal hydrolysis and biogas")
    sludge.sectors.set(sectors("water.sludge"))
    water = DemandFactory(organisation=buyer, title="", title_zh="供水管网漏损控制", description_zh="水泵与供水管网")
    water.sectors.set(sectors("water.supply"))
    return {"buyer": buyer, "cambi": cambi, "grundfos": grundfos, "wind": wind, "other_buyer": other_buyer,
            "sludge": sludge, "water": water}  # fmt: skip


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
def test_a_closed_or_deleted_demand_and_a_deleted_organisation_lose_their_matches(directory):
    rescoring.rescore_all()
    Demand.objects.filter(pk=directory["sludge"].pk).update(status="closed")
    rescoring.rescore_demand(demand_id=directory["sludge"].pk)
    assert not Match.objects.filter(demand=directory["sludge"]).exists()

    grundfos_id = directory["grundfos"].pk
    directory["grundfos"].delete()
    assert rescoring.rescore_organisation(organisation_id=grundfos_id) == 0
    assert rescoring.rescore_demand(demand_id=999_999) == 0
    assert not Match.objects.filter(organisation_id=grundfos_id).exists()


@pytest.mark.django_db
def test_an_organisation_whose_profile_now_fits_enters_the_demands_ranking(directory):
    rescoring.rescore_all()
    assert not Match.objects.filter(organisation=directory["wind"], demand=directory["sludge"], published=True).exists()
    wind = directory["wind"]
    wind.description = "Thermal hydrolysis of sewage sludge and biogas plants."
    wind.save()
    wind.sectors.set(sectors("water.sludge"))

    rescoring.rescore_organisation(organisation_id=wind.pk)

    match = Match.objects.get(organisation=wind, demand=directory["sludge"])
    assert match.published is True
    ranks = list(
        Match.objects.filter(demand=directory["sludge"], published=True).order_by("rank").values_list("rank", flat=True)
    )
    assert ranks == list(range(1, len(ranks) + 1))


def engine_rows(features, settings):
    """What a full rescoring must store, worked out from the engine alone (no database)."""
    pairs = engine.match(
        features,
        top_k=settings.MATCH_TOP_K,
        organisation_k=settings.MATCH_TOP_K_PER_ORGANISATION,
        min_score=settings.MATCH_MIN_SCORE,
        weights=settings.MATCH_WEIGHTS,
    )
    published = sorted((p.demand_id, -p.score, p.organisation_id) for p in pairs if p.score >= settings.MATCH_MIN_SCORE)
    rank, previous, position = {}, None, 0
    for demand_id, _score, organisation_id in published:
        position = position + 1 if demand_id == previous else 1
        previous = demand_id
        rank[(organisation_id, demand_id)] = position
    return sorted(
        (
            p.organisation_id,
            p.demand_id,
            p.score,
            rank.get((p.organisation_id, p.demand_id)),
            {name: round(value, 4) for name, value in p.components.items()},
            p.reasons,
            p.score >= settings.MATCH_MIN_SCORE,
        )
        for p in pairs
    )


def stored_rows():
    return sorted(
        Match.objects.values_list("organisation_id", "demand_id", "score", "rank", "components", "reasons", "published")
    )


@pytest.mark.django_db
def test_a_full_rescoring_stores_exactly_what_the_engine_computes(directory, settings):
    """Run on SQLite (executemany into a temporary table) and on PostgreSQL (COPY): the same rows."""
    settings.MATCH_MIN_SCORE = 0.1
    for i in range(6):
        extra = OrganisationFactory(country="SE", description=f"Biogas from sludge, plant {i}; pumps and pipes.")
        extra.sectors.set(sectors("water.sludge" if i % 2 else "water.supply"))

    rescoring.rescore_all()

    expected = engine_rows(rescoring.load_features(), settings)
    assert len(expected) > 10
    assert stored_rows() == expected
    assert any(r["kind"] == "terms" for row in expected for r in row[5])


@pytest.mark.django_db
def test_unusual_text_in_reasons_survives_the_bulk_write(directory):
    """Quotes, backslashes, tabs and newlines (escaped by JSON, then by COPY) and Chinese come back as written."""
    features = rescoring.load_features()
    row = next(i for i, d in enumerate(features.demands) if d.id == directory["sludge"].pk)
    column = features.org_index[directory["cambi"].pk]
    reasons = [{"kind": "terms", "value": ['back\\slash "quoted"', "tab\there", "new\nline", "污泥热水解", "\\N"]}]
    kept = engine.Selection(
        rows=np.array([row]),
        columns=np.array([column]),
        organisation_ids=np.array([directory["cambi"].pk]),
        demand_ids=np.array([directory["sludge"].pk]),
        scores=np.array([0.75], dtype=np.float32),
        components={name: np.array([0.5], dtype=np.float32) for name in engine.COMPONENTS},
        reasons=[json.dumps(reasons, ensure_ascii=False)],
    )
    with transaction.atomic():
        rescoring._write(kept, set(), scope=[directory["sludge"].pk])

    match = Match.objects.get()
    assert (match.organisation_id, match.demand_id, match.score, match.rank, match.published) == (
        directory["cambi"].pk, directory["sludge"].pk, 0.75, 1, True
    )  # fmt: skip
    assert match.reasons == reasons
    assert match.components == dict.fromkeys(engine.COMPONENTS, 0.5)


@pytest.mark.django_db
def test_rows_whose_values_did_not_change_are_not_rewritten(directory):
    rescoring.rescore_all()
    before = dict(Match.objects.values_list("pk", "updated_at"))

    rescoring.rescore_all()

    assert dict(Match.objects.values_list("pk", "updated_at")) == before
    cambi = directory["cambi"]
    cambi.description = "Pumps for water supply."
    cambi.save()
    rescoring.rescore_organisation(organisation_id=cambi.pk)
    changed = Match.objects.get(organisation=cambi, demand=directory["sludge"])
    assert changed.updated_at > before[changed.pk]


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


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_saving_a_demand_and_a_profile_queues_rescoring_that_a_real_worker_runs(celery_worker, reference_data):
    buyer = MembershipFactory(organisation__name="Beijing Drainage Group", organisation__country="CN", role="admin")
    supplier = MembershipFactory(organisation__name="Cambi", organisation__country="NO", role="admin")
    organisation_update(
        actor=supplier.user, organisation=supplier.organisation,
        fields={"description": "Thermal hydrolysis of sewage sludge.", "sectors": sectors("water.sludge")},
    )  # fmt: skip

    fields = {"title_zh": "污泥热水解项目", "description_zh": "寻求污泥热水解技术", "sectors": sectors("water.sludge")}
    demand = demand_create(actor=buyer.user, organisation=buyer.organisation, fields=fields)

    assert wait_for(lambda: Match.objects.filter(demand=demand, organisation=supplier.organisation).exists())
    demand_close(actor=buyer.user, demand=demand)
    assert wait_for(lambda: not Match.objects.filter(demand=demand).exists())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_full_rescoring_is_split_into_chunks_that_the_worker_runs_to_the_end(celery_worker, reference_data):
    buyer = OrganisationFactory(country="CN")
    for i in range(5):
        supplier = OrganisationFactory(country="NO", description=f"Sludge treatment number {i}")
        supplier.sectors.set(sectors("water.sludge"))
        demand = DemandFactory(organisation=buyer, description="sludge treatment")
        demand.sectors.set(sectors("water.sludge"))

    run = tasks.start_full_rescoring(chunk_size=2)  # outside a transaction: queued at once

    assert run.total_chunks == 3
    assert wait_for(lambda: RescoringRun.objects.get(pk=run.pk).status == "done")
    run.refresh_from_db()
    assert run.done_chunks == 3
    assert Match.objects.filter(published=True).count() == 25


@pytest.mark.django_db
def test_newly_published_matches_are_announced_to_the_webhooks_of_their_organisations(
    directory, settings, django_capture_on_commit_callbacks
):
    from api.models import WebhookDelivery
    from tests.factories import WebhookFactory

    settings.MATCH_MIN_SCORE = 0.2
    hook = WebhookFactory(organisation=directory["cambi"], events=["match.published"])
    WebhookFactory(organisation=directory["wind"], events=["demand.created"])  # not subscribed

    with django_capture_on_commit_callbacks():
        rescoring.rescore_all()

    deliveries = list(WebhookDelivery.objects.filter(event="match.published"))
    assert {d.webhook_id for d in deliveries} == {hook.pk}
    announced = {m["id"] for d in deliveries for m in d.payload["matches"]}
    cambi_published = set(
        Match.objects.filter(organisation=directory["cambi"], published=True).values_list("pk", flat=True)
    )
    assert cambi_published and announced >= cambi_published

    with django_capture_on_commit_callbacks():
        rescoring.rescore_all()  # nothing newly published: nothing announced again
    assert WebhookDelivery.objects.filter(event="match.published").count() == len(deliveries)
