"""Which pairs are kept (``engine.selection``)."""

import numpy as np

from matchmaking import engine
from tests.matchmaking.engine.records import CONCEPTS, PARENTS, demand, org


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
