"""The engine on handmade records: pure functions, no database."""

import numpy as np
import pytest

from matchmaking import engine
from matchmaking.engine import DemandRecord, OrganisationRecord

PARENTS = {
    "water": "water", "water.sludge": "water", "water.supply": "water", "water.wastewater": "water",
    "energy": "energy", "energy.district-heating": "energy", "energy.storage": "energy",
    "maritime": "maritime", "maritime.ports": "maritime",
}  # fmt: skip
CONCEPTS = {
    "sludge": (("sludge",), ("污泥",)),
    "thermal-hydrolysis": (("thermal hydrolysis",), ("热水解",)),
    "district-heating": (("district heating",), ("区域供热", "集中供热")),
    "shore-power": (("shore power",), ("岸电",)),
    "battery": (("battery", "batteries"), ("电池",)),
}
BEIJING_BUYER = 100


def org(id, text="", sectors=(), **kw):
    return OrganisationRecord(id=id, chinese_side=kw.pop("chinese", False), sectors=tuple(sectors), text_en=text, **kw)


def demand(id, text_en="", text_zh="", sectors=(), owner=BEIJING_BUYER, chinese=True, **kw):
    return DemandRecord(
        id=id,
        owner_id=owner,
        owner_chinese_side=chinese,
        sectors=tuple(sectors),
        text_en=text_en,
        text_zh=text_zh,
        **kw,
    )


def scores_of(organisations, demands, concepts=CONCEPTS, **kw):
    features = engine.build_features(organisations, demands, parents=PARENTS, concepts=concepts)
    scores, components = engine.score_chunk(features, np.arange(len(demands)), **kw)
    return scores, components


def test_a_chinese_demand_is_matched_only_against_the_nordic_side_and_never_its_owner():
    organisations = [
        org(1, "sludge treatment", ["water.sludge"]),
        org(BEIJING_BUYER, "sludge treatment", ["water.sludge"], chinese=True),
        org(3, "sludge treatment", ["water.sludge"], chinese=True),
    ]
    scores, _ = scores_of(organisations, [demand(10, "sludge treatment", sectors=["water.sludge"])])
    assert scores[0, 0] > 0
    assert scores[0, 1] == 0  # the owner
    assert scores[0, 2] == 0  # same side


def test_a_nordic_demand_finds_chinese_organisations():
    organisations = [
        org(1, "cathode material supplier batteries", ["energy.storage"], chinese=True),
        org(2, "batteries"),
    ]
    nordic = demand(10, "battery cathode material", sectors=["energy.storage"], owner=2, chinese=False)
    scores, _ = scores_of(organisations, [nordic])
    assert scores[0, 0] > 0
    assert scores[0, 1] == 0


def test_shared_leaf_sectors_count_fully_and_shared_parents_partly():
    organisations = [
        org(1, sectors=["water.sludge"]),
        org(2, sectors=["water.supply"]),
        org(3, sectors=["energy.storage"]),
    ]
    _, components = scores_of(organisations, [demand(10, sectors=["water.sludge"])])
    assert components["sector"][0].tolist() == [1.0, engine.PARENT_CREDIT, 0.0]


def test_a_demand_written_only_in_chinese_finds_english_only_profiles_through_the_glossary():
    organisations = [
        org(1, "Thermal hydrolysis of sewage sludge before digestion."),
        org(2, "Offshore wind foundations and cables."),
    ]
    chinese = demand(10, text_zh="寻求污泥热水解技术")

    with_glossary, _ = scores_of(organisations, [chinese])
    without_glossary, _ = scores_of(organisations, [chinese], concepts={})

    assert with_glossary[0, 0] > 0.3
    assert with_glossary[0, 1] == 0
    assert without_glossary[0, 0] == 0  # nothing else connects the two languages


def test_the_same_need_in_chinese_and_in_english_ranks_the_profiles_alike():
    organisations = [
        org(1, "Thermal hydrolysis of sewage sludge."),
        org(2, "District heating networks."),
        org(3, "Shore power for ports."),
    ]
    english = demand(10, text_en="Sludge thermal hydrolysis plant")
    chinese = demand(11, text_zh="污泥热水解处理厂")
    scores, _ = scores_of(organisations, [english, chinese])
    assert np.argsort(-scores[0]).tolist()[0] == np.argsort(-scores[1]).tolist()[0] == 0


def test_rare_specific_terms_weigh_more_than_common_ones():
    common = "solutions for cities"
    organisations = [org(i, f"{common} and services") for i in range(1, 6)] + [org(6, f"{common} with shore power")]
    scores, _ = scores_of(organisations, [demand(10, text_en=f"{common}: shore power for the container terminal")])
    assert scores[0].argmax() == 5


def test_region_partnership_and_copresence_each_add_to_the_score():
    base = {"text": "sludge", "sectors": ["water.sludge"]}
    organisations = [
        org(1, **base),
        org(2, **base, target_regions=("CN-BJ",)),
        org(3, **base, looking_for=("pilot",)),
        org(4, **base, gatherings=("event:7",)),
    ]
    need = demand(10, "sludge", sectors=["water.sludge"], region="CN-BJ", kind="pilot", gatherings=("event:7",))
    scores, components = scores_of(organisations, [need])
    assert components["region"][0].tolist() == [0, 1, 0, 0]
    assert components["partnership"][0].tolist() == [0, 0, 1, 0]
    assert components["copresence"][0].tolist() == [0, 0, 0, 1]
    assert scores[0, 1] > scores[0, 0] and scores[0, 2] > scores[0, 0] and scores[0, 3] > scores[0, 0]


def test_scores_stay_between_0_and_1_and_a_perfect_pair_scores_1():
    perfect = org(1, "sludge thermal hydrolysis", ["water.sludge"], target_regions=("CN-BJ",), looking_for=("pilot",),
                  gatherings=("event:1",))  # fmt: skip
    need = demand(10, "sludge thermal hydrolysis", sectors=["water.sludge"], region="CN-BJ", kind="pilot",
                  gatherings=("event:1",))  # fmt: skip
    scores, _ = scores_of([perfect, org(2, "unrelated")], [need])
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    assert scores.min() >= 0.0 and scores.max() <= 1.0


def test_match_keeps_each_demands_top_k_and_each_organisations_top_k():
    organisations = [org(i, "sludge " * i, ["water.sludge"]) for i in range(1, 6)]
    demands = [demand(10 + j, "sludge", sectors=["water.sludge"]) for j in range(4)]
    features = engine.build_features(organisations, demands, parents=PARENTS, concepts=CONCEPTS)

    pairs = engine.match(features, top_k=2, organisation_k=2)

    by_demand = {}
    for pair in pairs:
        by_demand.setdefault(pair.demand_id, []).append(pair)
    scores, _ = engine.score_chunk(features, np.arange(4))
    for j, demand_id in enumerate(range(10, 14)):
        best_two = set(np.argsort(-scores[j], kind="stable")[:2] + 1)
        assert best_two <= {p.organisation_id for p in by_demand[demand_id]}
    for organisation_id in range(1, 6):
        assert len([p for p in pairs if p.organisation_id == organisation_id]) >= 2
    assert len({(p.organisation_id, p.demand_id) for p in pairs}) == len(pairs)


def test_a_pair_marked_not_relevant_is_never_raised_again():
    organisations = [org(1, "sludge", ["water.sludge"]), org(2, "sludge", ["water.sludge"])]
    features = engine.build_features(organisations, [demand(10, "sludge", sectors=["water.sludge"])], parents=PARENTS,
                                     concepts=CONCEPTS)  # fmt: skip
    pairs = engine.match(features, top_k=5, excluded={(1, 10)})
    assert [(p.organisation_id, p.demand_id) for p in pairs] == [(2, 10)]


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


def test_ndcg_and_precision_on_a_known_ranking():
    gains = {"a": 2, "b": 1}
    assert engine.ndcg_at(["a", "b", "c"], gains, 10) == pytest.approx(1.0)
    assert engine.ndcg_at(["c", "b", "a"], gains, 10) < 1.0
    assert engine.precision_at(["a", "c", "b", "d", "e"], gains, 5) == pytest.approx(0.4)
    assert engine.ndcg_at(["a"], {}, 10) == 0.0


def test_with_records_swaps_a_changed_profile_in_without_refitting():
    organisations = [org(1, "Offshore wind foundations", ["energy.storage"]), org(2, "District heating pipes")]
    need = demand(10, text_zh="污泥热水解", sectors=["water.sludge"], region="CN-BJ")
    features = engine.build_features(organisations, [need], parents=PARENTS, concepts=CONCEPTS)
    before, _ = engine.score_chunk(features, np.arange(1))

    changed = org(1, "Thermal hydrolysis of sewage sludge", ["water.sludge"], target_regions=("CN-BJ",))
    added = org(3, "Shore power", ["maritime.ports"])
    updated = engine.with_records(features, organisations=[changed, added])
    after, components = engine.score_chunk(updated, np.arange(1))

    assert [o.id for o in updated.organisations] == [1, 2, 3]
    assert updated.org_index == {1: 0, 2: 1, 3: 2}
    assert after[0, 0] > before[0, 0]
    assert components["sector"][0].tolist() == [1.0, 0.0, 0.0]
    assert components["region"][0].tolist() == [1.0, 0.0, 0.0]
    rebuilt = engine.build_features([changed, organisations[1], added], [need], parents=PARENTS, concepts=CONCEPTS)
    expected, _ = engine.score_chunk(rebuilt, np.arange(1))
    assert np.argsort(-after[0]).tolist() == np.argsort(-expected[0]).tolist()


def test_with_records_adds_a_new_demand_after_the_others():
    organisations = [org(1, "sludge", ["water.sludge"])]
    features = engine.build_features(organisations, [demand(10, "battery")], parents=PARENTS, concepts=CONCEPTS)
    updated = engine.with_records(features, demands=[demand(11, "sludge", sectors=["water.sludge"])])
    scores, _ = engine.score_chunk(updated, np.arange(2))
    assert [d.id for d in updated.demands] == [10, 11]
    assert scores[1, 0] > scores[0, 0]


def varied_directory():
    """Pairs whose reasons take every shape: sectors, groups only, concepts, plain words, Chinese, events."""
    organisations = [
        org(1, "Thermal hydrolysis of sludge, biogas.", ["water.sludge"], target_regions=("CN-BJ",),
            looking_for=("pilot",), gatherings=("event:1", "delegation:2")),
        org(2, "Pumps for water supply networks and leakage control", ["water.supply", "water.wastewater"]),
        org(3, "District heating pipes and heat storage", ["energy.district-heating"], looking_for=("jv",)),
        org(4, "Container terminal automation, quay cranes", ["maritime.ports"], gatherings=("event:1",)),
        org(5, "污泥热水解 电池 岸电", ["water.sludge", "energy.storage"], chinese=True),
    ]  # fmt: skip
    demands = [
        demand(10, text_zh="污泥热水解项目", sectors=["water.sludge"], region="CN-BJ", kind="pilot",
               gatherings=("event:1",)),
        demand(11, "Water supply leakage control pumps", sectors=["water.supply"], region="CN-SD"),
        demand(12, "Heat storage for the district heating network", sectors=["energy"], kind="jv"),
        demand(13, "Quay cranes and terminal automation", sectors=["maritime.ports"], gatherings=("event:1",)),
        demand(14, "Batteries for ferries", sectors=["energy.storage"], owner=1, chinese=False),
    ]  # fmt: skip
    return engine.build_features(organisations, demands, parents=PARENTS, concepts=CONCEPTS)


def test_reasons_as_json_are_exactly_what_json_dumps_writes_of_the_reason_lists():
    import json

    features = varied_directory()
    as_lists = engine.select(features, top_k=5, organisation_k=5)
    as_json = engine.select(features, top_k=5, organisation_k=5, json_reasons=True)

    assert [json.dumps(r, ensure_ascii=False) for r in as_lists.reasons] == as_json.reasons
    kinds = {r["kind"] for reasons in as_lists.reasons for r in reasons}
    assert {"sector", "terms", "region", "partnership", "copresence", "sector_group"} <= kinds
    assert any("热" in text or "hydrolysis" in text for text in as_json.reasons)


def test_explain_many_gives_each_pair_what_explain_gives_it_alone():
    features = varied_directory()
    kept = engine.select(features, top_k=5, organisation_k=5)
    together = engine.explain_many(features, kept.rows, kept.columns, kept.components)
    for i, (row, column) in enumerate(zip(kept.rows.tolist(), kept.columns.tolist(), strict=True)):
        parts = {name: float(kept.components[name][i]) for name in engine.COMPONENTS}
        assert engine.explain(features, row, column, parts) == together[i] == kept.reasons[i]


def test_shared_terms_are_ordered_by_product_then_by_the_higher_column():
    from scipy import sparse

    rng = np.random.default_rng(7)
    dense = np.where(rng.random((40, 12)) < 0.5, rng.choice([0.25, 0.5, 1.0], (40, 12)), 0.0).astype(np.float32)
    matrix = sparse.csr_matrix(dense)
    a, b = rng.integers(0, 40, 200), rng.integers(0, 40, 200)

    found = engine._shared_top(matrix, a, b, 4)

    for i in range(200):
        shared = [
            (float(dense[a[i], c]) * float(dense[b[i], c]), c) for c in range(12) if dense[a[i], c] and dense[b[i], c]
        ]
        assert found[i] == [c for _w, c in sorted(shared, reverse=True)[:4]]


def test_scoring_some_organisations_gives_the_same_values_as_scoring_all():
    features = varied_directory()
    everything, parts = engine.score_chunk(features, np.arange(5))
    for columns in ([0], [4, 1], [0, 1, 2, 3, 4]):  # cached (all) and uncached (some) organisation matrices
        some, some_parts = engine.score_chunk(features, np.arange(5), org_columns=columns)
        assert np.array_equal(some, everything[:, columns])
        for name in engine.COMPONENTS:
            assert np.array_equal(some_parts[name], parts[name][:, columns])
    assert everything[4, 0] == 0.0  # organisation 1 owns demand 14
    assert everything[0, 4] == 0.0  # same side
