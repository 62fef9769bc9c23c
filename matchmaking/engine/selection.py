"""Which scored pairs are kept: each demand's best organisations and each organisation's best demands.

Demands are scored chunk by chunk (``score_chunk``); the kept cells are collected as arrays,
and only the kept pairs above the minimum score are explained.
"""

from dataclasses import dataclass

import numpy as np

from matchmaking.engine.reasons import explain_many
from matchmaking.engine.records import ScoredPair
from matchmaking.engine.scoring import COMPONENTS, score_chunk


def _top_k_per_row(scores, k):
    """Column indices of the k best positive scores of each row (unordered)."""
    k = min(k, scores.shape[1])
    if k == 0:
        return np.empty((scores.shape[0], 0), dtype=np.int64)
    return np.argpartition(-scores, k - 1, axis=1)[:, :k]


@dataclass
class Selection:
    """The kept pairs of a ``select`` as parallel arrays (one entry per pair), and their reasons.

    ``rows`` index features.demands, ``columns`` features.organisations; ``scores`` and
    ``components`` are the engine's float32 values, unrounded; ``reasons`` is a list of
    reason lists (empty below ``min_score``), or of their JSON texts (``json_reasons``).
    Pairs are ordered by demand row, then column.
    """

    rows: np.ndarray
    columns: np.ndarray
    organisation_ids: np.ndarray
    demand_ids: np.ndarray
    scores: np.ndarray
    components: dict
    reasons: list

    def __len__(self):
        return len(self.rows)


def _empty_selection():
    empty_int, empty_float = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return Selection(
        rows=empty_int,
        columns=empty_int,
        organisation_ids=empty_int,
        demand_ids=empty_int,
        scores=empty_float,
        components=dict.fromkeys(COMPONENTS, empty_float),
        reasons=[],
    )


def match(features, **options):
    """``select`` as a list of ScoredPair (same arguments): convenient for a few pairs."""
    kept = select(features, **options)
    scores = kept.scores.tolist()
    parts = {name: kept.components[name].tolist() for name in COMPONENTS}
    return [
        ScoredPair(
            organisation_id=organisation_id,
            demand_id=demand_id,
            score=round(scores[i], 4),
            components={name: parts[name][i] for name in COMPONENTS},  # rounded when written
            reasons=kept.reasons[i],
        )
        for i, (organisation_id, demand_id) in enumerate(
            zip(kept.organisation_ids.tolist(), kept.demand_ids.tolist(), strict=True)
        )
    ]


def select(
    features,
    *,
    top_k=50,
    organisation_k=10,
    min_score=0.0,
    weights=None,
    excluded=frozenset(),
    chunk_size=256,
    demand_rows=None,
    per_organisation=True,
    json_reasons=False,
):
    """Score every pair; keep each demand's ``top_k`` organisations with a positive score, and
    each organisation's ``organisation_k`` best demands among those scoring at least ``min_score``
    (the published ones: an organisation's list of demands shows nothing else).

    ``excluded`` holds (organisation_id, demand_id) pairs marked "not relevant": they score 0.
    ``demand_rows`` restricts the demands scored (a chunk of a full rescoring, or one demand);
    the organisations' best are then taken among those demands, unless ``per_organisation``
    is off (an incremental rescoring of one demand keeps only the demand's own top_k).
    Reasons are written for the pairs scoring at least ``min_score`` (``json_reasons``: as JSON
    text, see explain_many).  Returns a Selection.
    """
    n_org = len(features.organisations)
    all_rows = np.arange(len(features.demands)) if demand_rows is None else np.asarray(demand_rows, dtype=np.int64)
    if n_org == 0 or len(all_rows) == 0:
        return _empty_selection()
    excluded_by_demand = {}
    for org_id, demand_id in excluded:
        excluded_by_demand.setdefault(demand_id, []).append(org_id)
    demand_ids = np.array([d.id for d in features.demands], dtype=np.int64)

    # Candidate cells, as arrays: demand row, organisation column, score, components.
    found_rows, found_columns, found_values = [], [], []
    found_parts = {name: [] for name in COMPONENTS}
    # Running best demands per organisation across chunks: (organisation_k, n_org) scores and rows.
    best_scores = np.zeros((0, n_org), dtype=np.float32)
    best_rows = np.zeros((0, n_org), dtype=np.int64)

    def keep_cells(rows, local_rows, columns, scores, components):
        values = scores[local_rows, columns]
        positive = values > 0
        found_rows.append(rows[local_rows[positive]])
        found_columns.append(columns[positive])
        found_values.append(values[positive])
        for name in COMPONENTS:
            found_parts[name].append(components[name][local_rows[positive], columns[positive]])

    for start in range(0, len(all_rows), chunk_size):
        rows = all_rows[start : start + chunk_size]
        scores, components = score_chunk(features, rows, weights)
        for local, row in enumerate(rows):
            for org_id in excluded_by_demand.get(int(demand_ids[row]), ()):
                column = features.org_index.get(org_id)
                if column is not None:
                    scores[local, column] = 0.0
        top = _top_k_per_row(scores, top_k)
        keep_cells(rows, np.repeat(np.arange(len(rows)), top.shape[1]), top.ravel(), scores, components)
        if not per_organisation or organisation_k == 0:
            continue
        eligible = np.where(scores >= max(min_score, 1e-9), scores, 0.0)
        stacked_scores = np.vstack([best_scores, eligible])
        stacked_rows = np.vstack([best_rows, np.repeat(rows[:, None], n_org, axis=1)])
        keep = min(organisation_k, stacked_scores.shape[0])
        pick = np.argpartition(-stacked_scores, keep - 1, axis=0)[:keep]
        best_scores = np.take_along_axis(stacked_scores, pick, axis=0)
        best_rows = np.take_along_axis(stacked_rows, pick, axis=0)
        # this chunk's cells that made an organisation's running best
        position = np.full(len(features.demands), -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        i, columns = np.nonzero((position[best_rows] >= 0) & (best_scores > 0))
        keep_cells(rows, position[best_rows[i, columns]], columns, scores, components)

    if not found_rows:
        return _empty_selection()
    cell_rows = np.concatenate(found_rows)
    cell_columns = np.concatenate(found_columns)
    cell_values = np.concatenate(found_values)
    cell_parts = {name: np.concatenate(found_parts[name]) for name in COMPONENTS}
    keys = cell_rows * n_org + cell_columns
    keys, first = np.unique(keys, return_index=True)  # a cell kept twice counts once
    cell_rows, cell_columns, cell_values = cell_rows[first], cell_columns[first], cell_values[first]
    cell_parts = {name: part[first] for name, part in cell_parts.items()}

    # Each demand's top_k among the candidates (sorted by demand, best first) ...
    order = np.lexsort((-cell_values, cell_rows))
    sorted_rows = cell_rows[order]
    group_start = np.r_[0, np.flatnonzero(np.diff(sorted_rows)) + 1]
    rank_in_group = np.arange(len(order)) - np.repeat(group_start, np.diff(np.r_[group_start, len(order)]))
    selected = np.zeros(len(order), dtype=bool)
    selected[order[rank_in_group < top_k]] = True
    # ... plus each organisation's final best demands.
    i, columns = np.nonzero(best_scores > 0)
    if len(i):
        selected |= np.isin(keys, best_rows[i, columns] * n_org + columns)

    index = np.flatnonzero(selected)
    rows, columns, values = cell_rows[index], cell_columns[index], cell_values[index]
    parts = {name: cell_parts[name][index] for name in COMPONENTS}
    explained = values.astype(np.float64) >= min_score  # as a Python float compares
    reasons = ["[]"] * len(index) if json_reasons else [[] for _ in range(len(index))]
    shown = np.flatnonzero(explained)
    shown_parts = {name: part[shown] for name, part in parts.items()}
    found = explain_many(features, rows[shown], columns[shown], shown_parts, as_json=json_reasons)
    for i, pair_reasons in zip(shown.tolist(), found, strict=True):
        reasons[i] = pair_reasons
    return Selection(
        rows=rows,
        columns=columns,
        organisation_ids=features.org_ids[columns],
        demand_ids=demand_ids[rows],
        scores=values,
        components=parts,
        reasons=reasons,
    )
