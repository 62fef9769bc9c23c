"""The Match rows written in bulk (``rescoring.writing``): COPY on PostgreSQL, executemany on SQLite."""

import json

import numpy as np
import pytest
from django.db import transaction

from matchmaking import engine, rescoring
from matchmaking.models import Match
from matchmaking.rescoring.writing import write_matches
from tests.factories import OrganisationFactory
from tests.matchmaking.rescoring.sectors import sectors


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
        write_matches(kept, set(), scope=[directory["sludge"].pk])

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
