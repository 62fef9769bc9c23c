"""Incremental rescoring: one demand or one organisation, after it was saved or imported.

Both work on the features kept in the worker's memory (``features.current_features``),
brought up to date with what was saved since they were built.
"""

import numpy as np
from django.conf import settings
from django.db import transaction

from companies.models import Organisation
from matchmaking import engine
from matchmaking.models import Demand, Match
from matchmaking.rescoring.features import current_features, weights
from matchmaking.rescoring.publishing import announce, published_before
from matchmaking.rescoring.writing import drop_matches, excluded_pairs, renumber, write_matches


def rescore_demand(*, demand_id):
    """After a demand was saved: its own top K organisations are rewritten.

    A pair kept only because it was among an organisation's own best demands (and not in
    the demand's top K) is dropped here and comes back at the next full rescoring.
    """
    demand = Demand.objects.filter(pk=demand_id).first()
    if demand is None or demand.status != Demand.Status.OPEN:
        with transaction.atomic():
            drop_matches(demand_id=demand_id)
        return 0
    features = current_features()
    row = next(i for i, d in enumerate(features.demands) if d.id == demand_id)
    excluded = excluded_pairs(demand_ids=[demand_id])
    kept = engine.select(
        features,
        top_k=settings.MATCH_TOP_K,
        min_score=settings.MATCH_MIN_SCORE,
        weights=weights(),
        excluded=excluded,
        demand_rows=[row],
        per_organisation=False,
        json_reasons=True,
    )
    before = published_before(demand_id=demand_id)
    with transaction.atomic():
        if write_matches(kept, excluded, scope=[demand_id]):
            renumber([demand_id])
        announce(before, demand_id=demand_id)
    return len(kept)


def rescore_organisation(*, organisation_id):
    """After a profile was saved: this organisation against every open demand.

    A pair is kept when it enters the demand's top K (its score beats the demand's K-th
    stored score) or is among the organisation's own top K demands.
    """
    if not Organisation.objects.filter(pk=organisation_id).exists():
        return 0  # deleted: its matches went with it (on_delete=CASCADE)
    features = current_features()
    column = features.org_index[organisation_id]
    if not features.demands:
        return 0
    rows = list(range(len(features.demands)))
    scores, components = engine.score_chunk(features, rows, weights(), org_columns=[column])
    scores = scores[:, 0]
    excluded = excluded_pairs(organisation_ids=[organisation_id])
    demand_ids = [d.id for d in features.demands]
    for i, demand_id in enumerate(demand_ids):
        if (organisation_id, demand_id) in excluded:
            scores[i] = 0.0
    minimum = settings.MATCH_MIN_SCORE
    candidates = [demand_ids[i] for i in rows if scores[i] > 0]
    threshold = _kth_scores(candidates, settings.MATCH_TOP_K)
    published = [i for i in rows if scores[i] >= minimum]
    own_best = set(sorted(published, key=lambda i: -scores[i])[: settings.MATCH_TOP_K_PER_ORGANISATION])
    keep = np.array(
        [i for i in rows if scores[i] > 0 and (i in own_best or scores[i] > threshold.get(demand_ids[i], 0.0))],
        dtype=np.int64,
    )
    parts = {name: part[keep, 0] for name, part in components.items()}
    shown = np.flatnonzero(scores[keep] >= minimum)
    reasons = ["[]"] * len(keep)
    shown_parts = {name: part[shown] for name, part in parts.items()}
    found = engine.explain_many(features, keep[shown], np.full(len(shown), column), shown_parts, as_json=True)
    for i, pair_reasons in zip(shown.tolist(), found, strict=True):
        reasons[i] = pair_reasons
    kept = engine.Selection(
        rows=keep,
        columns=np.full(len(keep), column, dtype=np.int64),
        organisation_ids=np.full(len(keep), organisation_id, dtype=np.int64),
        demand_ids=np.asarray(demand_ids, dtype=np.int64)[keep],
        scores=scores[keep],
        components=parts,
        reasons=reasons,
    )
    before = published_before(organisation_id=organisation_id)
    with transaction.atomic():
        # Ranks are the demands' business: renumber sets them for the demands whose rows changed.
        changed = write_matches(kept, excluded, scope=[organisation_id], by="organisation_id", ranks=False)
        renumber(sorted(changed))
        announce(before, organisation_id=organisation_id)
    return len(kept)


def _kth_scores(demand_ids, k):
    """{demand_id: the score of its published match ranked k}: what a newcomer must beat to enter its top k.

    A demand with fewer than k published matches has no threshold: any positive score enters
    (the next full rescoring trims what falls below its top k).
    """
    found = {}
    for start in range(0, len(demand_ids), 5000):
        rows = Match.objects.filter(demand_id__in=demand_ids[start : start + 5000], rank=k).order_by()
        found.update(rows.values_list("demand_id", "score"))
    return found
