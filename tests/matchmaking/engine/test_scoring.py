"""The five components and the score (``engine.scoring``): pure functions, no database."""

import numpy as np
import pytest

from matchmaking import engine
from tests.matchmaking.engine.records import BEIJING_BUYER, demand, org, scores_of, varied_directory


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
