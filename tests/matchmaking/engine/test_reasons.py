"""Why a kept pair matches (``engine.reasons``)."""

import json

import numpy as np
from scipy import sparse

from matchmaking import engine
from matchmaking.engine import reasons
from tests.matchmaking.engine.records import CONCEPTS, PARENTS, demand, org, varied_directory


def test_reasons_name_the_shared_sector_key_terms_region_and_kind():
    organisations = [org(1, "Thermal hydrolysis of sludge.", ["water.sludge"], target_regions=("CN-BJ",),
                         looking_for=("pilot",))]  # fmt: skip
    need = demand(10, text_zh="污泥热水解", sectors=["water.sludge"], region="CN-BJ", kind="pilot")
    features = engine.build_features(organisations, [need], parents=PARENTS, concepts=CONCEPTS)

    (pair,) = engine.match(features, top_k=5)

    kinds = {r["kind"]: r["value"] for r in pair.reasons}
    assert kinds["sector"] == "water.sludge"
    assert set(kinds["terms"]) == {"sludge", "thermal hydrolysis"}
    assert (kinds["region"], kinds["partnership"]) == ("CN-BJ", "pilot")
    assert set(pair.components) == set(engine.COMPONENTS)


def test_reasons_as_json_are_exactly_what_json_dumps_writes_of_the_reason_lists():
    features = varied_directory()
    as_lists = engine.select(features, top_k=5, organisation_k=5)
    as_json = engine.select(features, top_k=5, organisation_k=5, json_reasons=True)

    assert [json.dumps(r, ensure_ascii=False) for r in as_lists.reasons] == as_json.reasons
    kinds = {r["kind"] for reasons in as_lists.reasons for r in reasons}
    assert {"sector", "terms", "region", "partnership", "copresence", "sector_group"} <= kinds
    assert any("热" in text or "hydrolysis" in text for text in as_json.reasons)


def test_explain_many_gives_each_pair_what_it_gives_the_pair_alone():
    features = varied_directory()
    kept = engine.select(features, top_k=5, organisation_k=5)
    together = engine.explain_many(features, kept.rows, kept.columns, kept.components)
    for i, (row, column) in enumerate(zip(kept.rows.tolist(), kept.columns.tolist(), strict=True)):
        parts = {name: np.array([kept.components[name][i]]) for name in engine.COMPONENTS}
        assert engine.explain_many(features, [row], [column], parts) == [together[i]]
        assert together[i] == kept.reasons[i]


def test_shared_terms_are_ordered_by_product_then_by_the_higher_column():
    rng = np.random.default_rng(7)
    dense = np.where(rng.random((40, 12)) < 0.5, rng.choice([0.25, 0.5, 1.0], (40, 12)), 0.0).astype(np.float32)
    matrix = sparse.csr_matrix(dense)
    a, b = rng.integers(0, 40, 200), rng.integers(0, 40, 200)

    found = reasons._shared_top(matrix, a, b, 4)

    for i in range(200):
        shared = [
            (float(dense[a[i], c]) * float(dense[b[i], c]), c) for c in range(12) if dense[a[i], c] and dense[b[i], c]
        ]
        assert found[i] == [c for _w, c in sorted(shared, reverse=True)[:4]]
