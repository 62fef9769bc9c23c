"""Ranking measures (``engine.quality``)."""

import pytest

from matchmaking import engine


def test_ndcg_and_precision_on_a_known_ranking():
    gains = {"a": 2, "b": 1}
    assert engine.ndcg_at(["a", "b", "c"], gains, 10) == pytest.approx(1.0)
    assert engine.ndcg_at(["c", "b", "a"], gains, 10) < 1.0
    assert engine.precision_at(["a", "c", "b", "d", "e"], gains, 5) == pytest.approx(0.4)
    assert engine.ndcg_at(["a"], {}, 10) == 0.0
