"""The five components and the score of demand × organisation pairs, as dense arrays.

Each component is in 0–1 and the score is their weighted sum (the weights sum to 1), so
scores are comparable across demands.
"""

import numpy as np
from scipy import sparse

from matchmaking.engine.features import TEXT_SPACE

ALGORITHM_VERSION = "gb-1"
PARENT_CREDIT = 0.5
TEXT_SATURATION = 0.35  # a cosine of this size or more counts as a full text match
WORD_SHARE = 0.5  # when both wrote in one language: text = (1-share)·concepts + share·words
DEFAULT_WEIGHTS = {"sector": 0.30, "text": 0.45, "region": 0.10, "partnership": 0.07, "copresence": 0.08}
COMPONENTS = tuple(DEFAULT_WEIGHTS)


def _dense(matrix):
    return np.asarray(matrix.toarray(), dtype=np.float32)


def _org_side(features, name, org_rows):
    """features.<name>[org_rows].T as CSR; for all organisations, made once per Features and kept."""
    if org_rows is not None:
        return getattr(features, name)[org_rows].T.tocsr()
    cache = features.__dict__.setdefault("_transposed", {})
    if name not in cache:
        matrix = getattr(features, name)
        cache[name] = matrix[: len(features.organisations)].T.tocsr() if name in TEXT_SPACE else matrix.T.tocsr()
    return cache[name]


def _row_normalised_fraction(matrix):
    """Divide each row by its number of entries, so that overlaps count as a share."""
    counts = np.asarray(matrix.sum(axis=1)).ravel()
    counts[counts == 0] = 1
    return sparse.diags(1.0 / counts).astype(np.float32) @ matrix


def score_chunk(features, demand_rows, weights=None, org_columns=None):
    """Components and scores of ``demand_rows`` (indices into features.demands) × organisations.

    ``org_columns`` restricts the organisations (indices into features.organisations; all by
    default).  Returns (scores, components): a dense (len(demand_rows), len(org_columns))
    array and a dict of arrays of the same shape.  Pairs that cannot be matched (same
    side, own organisation) score 0.

    The dense arrays are worked on in place (the same float32 operations in the same order,
    so the same values, with fewer passes over memory).
    """
    weights = weights or DEFAULT_WEIGHTS
    n_org = len(features.organisations)
    rows = np.asarray(demand_rows)
    demand_offset = n_org + rows  # demands follow organisations in the text matrices
    org_rows = None if org_columns is None else np.asarray(org_columns)
    all_orgs = np.arange(n_org) if org_rows is None else org_rows

    def product(name, left):
        return _dense(left @ _org_side(features, name, org_rows))

    sector = product("leaf", _row_normalised_fraction(features.leaf[demand_offset]))
    parent_share = product("parent", _row_normalised_fraction(features.parent[demand_offset]))
    parent_share *= PARENT_CREDIT
    np.maximum(sector, parent_share, out=sector)
    del parent_share

    text = product("concepts", features.concepts[demand_offset])  # the concept cosine, then the text component
    words = product("words_en", features.words_en[demand_offset])
    np.maximum(words, product("words_zh", features.words_zh[demand_offset]), out=words)
    same_language = (features.has_en[demand_offset][:, None] & features.has_en[all_orgs][None, :]) | (
        features.has_zh[demand_offset][:, None] & features.has_zh[all_orgs][None, :]
    )
    words *= WORD_SHARE
    mixed = text * (1 - WORD_SHARE)
    mixed += words
    del words
    np.copyto(text, mixed, where=same_language)
    del mixed, same_language
    text /= TEXT_SATURATION
    np.minimum(text, 1.0, out=text)

    region = product("region_org", features.region_demand[rows])
    partnership = product("kind_org", features.kind_demand[rows])
    copresence = product("gather_org", features.gather_demand[rows])
    for part in (region, partnership, copresence):
        np.minimum(part, 1.0, out=part)

    components = {
        "sector": sector,
        "text": text,
        "region": region,
        "partnership": partnership,
        "copresence": copresence,
    }
    scores = np.zeros_like(sector)
    weighted = np.empty_like(sector)
    for name in COMPONENTS:  # 0 + w·sector + w·text + ...: the order of the sum as written
        np.multiply(components[name], np.float32(weights[name]), out=weighted)
        scores += weighted
    del weighted
    np.clip(scores, 0.0, 1.0, out=scores)
    scores[features.demand_side[rows][:, None] == features.org_side[all_orgs][None, :]] = 0.0
    # the demand's own organisation, where it is among the columns
    column_of = np.full(n_org, -1, dtype=np.int64)
    column_of[all_orgs] = np.arange(len(all_orgs))
    owners = np.array([features.org_index.get(int(o), -1) for o in features.owner_ids[rows]], dtype=np.int64)
    owner_columns = np.where(owners >= 0, column_of[np.maximum(owners, 0)], -1)
    own = np.flatnonzero(owner_columns >= 0)
    scores[own, owner_columns[own]] = 0.0
    return scores, components
