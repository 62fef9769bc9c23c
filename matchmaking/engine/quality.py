"""Ranking quality measures, for the evaluation on a labelled file."""

import math


def ndcg_at(ranked_ids, gains, k):
    """nDCG@k of a ranking against graded relevance ``gains`` {id: grade}."""
    dcg = sum((2 ** gains.get(i, 0) - 1) / math.log2(rank + 2) for rank, i in enumerate(ranked_ids[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def precision_at(ranked_ids, gains, k):
    return sum(1 for i in ranked_ids[:k] if gains.get(i, 0) > 0) / k
