"""Records to feature matrices, and records swapped in without a refit (``engine.features``)."""

import numpy as np

from matchmaking import engine
from tests.matchmaking.engine.records import CONCEPTS, PARENTS, demand, org


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
