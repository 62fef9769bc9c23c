"""The matching engine: records in, scored and explained pairs out.  No Django, no ORM.

Every (organisation, demand) pair across the two sides (DESIGN.md, Matching) gets five
components, each in 0–1, and a score that is their weighted sum (weights sum to 1, so
scores are comparable across demands):

* ``sector`` — the share of the demand's sectors the organisation covers: a shared leaf
  counts 1, a shared parent group only ``PARENT_CREDIT``;
* ``text`` — TF-IDF cosine similarity of the texts, saturated (``TEXT_SATURATION``), from
  two channels: shared *concepts* of a bilingual glossary (matchmaking/glossary.py maps
  English phrases and Chinese terms to the same concept, which is what lets a demand
  written only in Chinese find English-only profiles), and the plain words (English
  words, Chinese character bigrams) where both sides wrote in the same language.
  Rare, specific terms weigh more than common ones through IDF;
* ``region`` — the demand's region is among the organisation's target (or home) regions;
* ``partnership`` — the demand's kind is among what the organisation looks for;
* ``copresence`` — both are registered for the same upcoming event or delegation.

A pair marked "not relevant" by either side is excluded and never raised again.
Everything is vectorised with SciPy sparse matrices and NumPy, demand chunk by demand
chunk; the only Python loops run over records (to build features) and over the kept
pairs (to write their reasons), never over all pairs.
"""

import functools
import json
import math
import re
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize

ALGORITHM_VERSION = "gb-1"
PARENT_CREDIT = 0.5
TEXT_SATURATION = 0.35  # a cosine of this size or more counts as a full text match
WORD_SHARE = 0.5  # when both wrote in one language: text = (1-share)·concepts + share·words
DEFAULT_WEIGHTS = {"sector": 0.30, "text": 0.45, "region": 0.10, "partnership": 0.07, "copresence": 0.08}
COMPONENTS = tuple(DEFAULT_WEIGHTS)
CJK = re.compile(r"[\u3400-\u9fff]+")
# ISO 3166-2:CN province-level codes (companies/migrations/0002_reference_data.py).
CHINESE_REGIONS = {
    f"CN-{code}"
    for code in re.findall(
        r"[A-Z]{2}",
        "AH BJ CQ FJ GD GS GX GZ HA HB HE HI HK HL HN JL JS JX LN MO NM NX QH SC SD SH SN SX TJ TW XJ XZ YN ZJ",
    )
}
KINDS = {"procurement", "pilot", "jv", "investment", "licensing", "rnd", "distributor"}
ENGLISH_TOKENS = r"(?u)\b[a-zA-Z][a-zA-Z-]+\b"


@dataclass(frozen=True)
class OrganisationRecord:
    id: int
    chinese_side: bool
    sectors: tuple = ()
    text_en: str = ""
    text_zh: str = ""
    target_regions: tuple = ()
    home_region: str = ""
    looking_for: tuple = ()
    gatherings: tuple = ()  # upcoming events and delegations, e.g. ("event:4", "delegation:1")


@dataclass(frozen=True)
class DemandRecord:
    id: int
    owner_id: int
    owner_chinese_side: bool
    sectors: tuple = ()
    text_en: str = ""
    text_zh: str = ""
    region: str = ""
    kind: str = ""
    gatherings: tuple = ()


@dataclass
class ScoredPair:
    organisation_id: int
    demand_id: int
    score: float
    components: dict
    reasons: list = field(default_factory=list)


# --- concepts -------------------------------------------------------------------------


WORD = re.compile(r"[a-z0-9]+")


class ConceptExtractor:
    """Finds glossary concepts in English (whole phrases, as word sequences) and Chinese (terms).

    English text is split into words and scanned left to right, the longest phrase first at
    each word (a dictionary lookup per phrase length: much faster than one regular expression
    of a thousand alternatives); Chinese, which has no spaces, is matched by a regular
    expression of the terms, longest first.
    """

    def __init__(self, concepts):
        self.english = {}
        self.chinese = {}
        for key, (english_phrases, chinese_terms) in concepts.items():
            for phrase in english_phrases:
                words = tuple(WORD.findall(phrase.lower()))
                if words:
                    self.english.setdefault(words, key)
            for term in chinese_terms:
                self.chinese.setdefault(term, key)
        self.longest = max((len(words) for words in self.english), default=0)
        chinese = sorted(self.chinese, key=len, reverse=True)
        self._chinese = re.compile("|".join(map(re.escape, chinese))) if chinese else None

    def english_concepts(self, text):
        words = WORD.findall(text.lower())
        found, i, lookup, longest = [], 0, self.english, self.longest
        while i < len(words):
            for length in range(min(longest, len(words) - i), 0, -1):
                key = lookup.get(tuple(words[i : i + length]))
                if key is not None:
                    found.append(key)
                    i += length
                    break
            else:
                i += 1
        return found

    def __call__(self, text):
        english_text, chinese_text = text
        found = self.english_concepts(english_text) if english_text and self.english else []
        if self._chinese and chinese_text:
            found += [self.chinese[m] for m in self._chinese.findall(chinese_text)]
        return found


def chinese_only(text):
    return " ".join(CJK.findall(text or ""))


# --- features ---------------------------------------------------------------------------


@dataclass
class Fitted:
    """What building the features learnt (vocabularies, IDF), to turn more records into rows."""

    concept_counter: CountVectorizer
    concept_tfidf: TfidfTransformer | None
    words_en: TfidfVectorizer
    words_zh: TfidfVectorizer
    parents: dict
    leaves: list
    groups: list
    regions: list
    kinds: list
    gatherings: list


@dataclass
class Features:
    organisations: list
    demands: list
    org_index: dict
    concepts: sparse.csr_matrix  # rows: organisations then demands
    concept_names: np.ndarray
    words_en: sparse.csr_matrix
    word_names: np.ndarray
    words_zh: sparse.csr_matrix
    has_en: np.ndarray
    has_zh: np.ndarray
    leaf: sparse.csr_matrix
    parent: sparse.csr_matrix
    region_org: sparse.csr_matrix
    region_demand: sparse.csr_matrix
    kind_org: sparse.csr_matrix
    kind_demand: sparse.csr_matrix
    gather_org: sparse.csr_matrix
    gather_demand: sparse.csr_matrix
    org_side: np.ndarray
    demand_side: np.ndarray
    org_ids: np.ndarray
    owner_ids: np.ndarray
    fitted: Fitted = None


TEXT_SPACE = ("concepts", "words_en", "words_zh", "has_en", "has_zh", "leaf", "parent")
ORG_SPACE = ("region_org", "kind_org", "gather_org", "org_side", "org_ids")
DEMAND_SPACE = ("region_demand", "kind_demand", "gather_demand", "demand_side", "owner_ids")


def _binary(rows, vocabulary):
    """A 0/1 sparse matrix of rows of labels over a fixed vocabulary (unknown labels ignored)."""
    index = {label: i for i, label in enumerate(vocabulary)}
    indptr, indices = [0], []
    for labels in rows:
        cols = sorted({index[label] for label in labels if label in index})
        indices.extend(cols)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), len(vocabulary)), dtype=np.float32)


def _row_normalised_fraction(matrix):
    """Divide each row by its number of entries, so that overlaps count as a share."""
    counts = np.asarray(matrix.sum(axis=1)).ravel()
    counts[counts == 0] = 1
    return sparse.diags(1.0 / counts).astype(np.float32) @ matrix


def _transform(vectorizer, texts):
    if not getattr(vectorizer, "vocabulary_", None):
        return sparse.csr_matrix((len(texts), 0), dtype=np.float32)
    return vectorizer.transform(texts).astype(np.float32).tocsr()


def _record_rows(fitted, organisations, demands, text=None):
    """Every feature row of these records, with what ``fitted`` learnt.

    ``text`` may bring the three text matrices already computed (while fitting), so that the
    analysers do not run twice over the same texts.
    """
    records = list(organisations) + list(demands)
    english = [r.text_en or "" for r in records]
    chinese = [chinese_only(r.text_zh) for r in records]
    if text is None:
        counts = _transform(fitted.concept_counter, [(r.text_en, r.text_zh) for r in records])
        text = {
            "concept_counts": counts,
            "words_en": _transform(fitted.words_en, english),
            "words_zh": _transform(fitted.words_zh, chinese),
        }
    concepts = text["concept_counts"]
    if fitted.concept_tfidf is not None:
        concepts = normalize(fitted.concept_tfidf.transform(concepts)).astype(np.float32).tocsr()
    sector_rows = [r.sectors for r in records]
    parents = fitted.parents
    return {
        "concepts": concepts,
        "words_en": text["words_en"],
        "words_zh": text["words_zh"],
        "has_en": np.array([bool(t.strip()) for t in english], dtype=bool),
        "has_zh": np.array([bool(t) for t in chinese], dtype=bool),
        "leaf": _binary([[s for s in row if parents.get(s, s) != s] for row in sector_rows], fitted.leaves),
        "parent": _binary([[parents.get(s, s) for s in row] for row in sector_rows], fitted.groups),
        "region_org": _binary([(*o.target_regions, o.home_region) for o in organisations], fitted.regions),
        "kind_org": _binary([o.looking_for for o in organisations], fitted.kinds),
        "gather_org": _binary([o.gatherings for o in organisations], fitted.gatherings),
        "org_side": np.array([o.chinese_side for o in organisations], dtype=bool),
        "org_ids": np.array([o.id for o in organisations], dtype=np.int64),
        "region_demand": _binary([(d.region,) for d in demands], fitted.regions),
        "kind_demand": _binary([(d.kind,) for d in demands], fitted.kinds),
        "gather_demand": _binary([d.gatherings for d in demands], fitted.gatherings),
        "demand_side": np.array([d.owner_chinese_side for d in demands], dtype=bool),
        "owner_ids": np.array([d.owner_id for d in demands], dtype=np.int64),
    }


def build_features(organisations, demands, *, parents, concepts):
    """Feature matrices for all records.  ``parents`` maps each sector slug to its group slug."""
    organisations, demands = list(organisations), list(demands)
    records = organisations + demands
    texts = [(r.text_en, r.text_zh) for r in records]
    concept_counter = CountVectorizer(analyzer=ConceptExtractor(concepts), lowercase=False)
    counts = _fit_or_empty(concept_counter, texts)
    concept_tfidf = TfidfTransformer(sublinear_tf=True).fit(counts) if counts.shape[1] else None
    word_vectorizer = TfidfVectorizer(
        stop_words="english", sublinear_tf=True, ngram_range=(1, 2), min_df=1, token_pattern=ENGLISH_TOKENS
    )
    words_en = _fit_or_empty(word_vectorizer, [r.text_en or "" for r in records])
    zh_vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True)
    words_zh = _fit_or_empty(zh_vectorizer, [chinese_only(r.text_zh) for r in records])
    fitted = Fitted(
        concept_counter=concept_counter,
        concept_tfidf=concept_tfidf,
        words_en=word_vectorizer,
        words_zh=zh_vectorizer,
        parents=dict(parents),
        leaves=sorted(parents),
        groups=sorted(set(parents.values())),
        # Every Chinese region code is known up front, so that a record saved later with a
        # region nobody had before still finds its column.
        regions=sorted(
            {c for o in organisations for c in (*o.target_regions, o.home_region) if c}
            | {d.region for d in demands if d.region}
            | CHINESE_REGIONS
        ),
        kinds=sorted({k for o in organisations for k in o.looking_for} | {d.kind for d in demands if d.kind} | KINDS),
        gatherings=sorted({g for r in records for g in r.gatherings}),
    )
    text = {"concept_counts": counts, "words_en": words_en, "words_zh": words_zh}
    rows = _record_rows(fitted, organisations, demands, text=text)
    return Features(
        organisations=organisations,
        demands=demands,
        org_index={o.id: i for i, o in enumerate(organisations)},
        concept_names=_names(concept_counter),
        word_names=_names(word_vectorizer),
        fitted=fitted,
        **rows,
    )


def with_records(features, *, organisations=(), demands=()):
    """``features`` with these records replaced (same id) or added, transformed with what was learnt.

    Vocabularies and IDF stay as they were fitted: a word nobody used before is not a feature
    until the next full build.  This is what makes an incremental rescoring cheap.
    """
    organisations, demands = list(organisations), list(demands)
    if not organisations and not demands:
        return features
    new = _record_rows(features.fitted, organisations, demands)
    old_orgs, old_dems = features.organisations, features.demands
    demand_index = {d.id: i for i, d in enumerate(old_dems)}
    orgs, org_order, org_extra = list(old_orgs), list(range(len(old_orgs))), []
    for j, record in enumerate(organisations):
        if record.id in features.org_index:
            i = features.org_index[record.id]
            orgs[i], org_order[i] = record, len(old_orgs) + j
        else:
            orgs.append(record)
            org_extra.append(len(old_orgs) + j)
    org_order += org_extra
    dems, dem_order, dem_extra = list(old_dems), list(range(len(old_dems))), []
    for j, record in enumerate(demands):
        if record.id in demand_index:
            i = demand_index[record.id]
            dems[i], dem_order[i] = record, len(old_dems) + j
        else:
            dems.append(record)
            dem_extra.append(len(old_dems) + j)
    dem_order += dem_extra

    n_old_orgs, n_old_text, n_new_orgs = len(old_orgs), len(old_orgs) + len(old_dems), len(organisations)

    def text_position(i, is_demand):
        if not is_demand:
            return i if i < n_old_orgs else n_old_text + (i - n_old_orgs)
        return n_old_orgs + i if i < len(old_dems) else n_old_text + n_new_orgs + (i - len(old_dems))

    text_order = [text_position(i, False) for i in org_order] + [text_position(i, True) for i in dem_order]
    merged = {}
    for name in TEXT_SPACE:
        merged[name] = _stack(getattr(features, name), new[name])[text_order]
    for name in ORG_SPACE:
        merged[name] = _stack(getattr(features, name), new[name])[org_order]
    for name in DEMAND_SPACE:
        merged[name] = _stack(getattr(features, name), new[name])[dem_order]
    return Features(
        organisations=orgs,
        demands=dems,
        org_index={o.id: i for i, o in enumerate(orgs)},
        concept_names=features.concept_names,
        word_names=features.word_names,
        fitted=features.fitted,
        **merged,
    )


def _stack(old, new):
    if sparse.issparse(old):
        return sparse.vstack([old, new]).tocsr()
    return np.concatenate([old, new])


def _fit_or_empty(vectorizer, texts):
    try:
        return vectorizer.fit_transform(texts).astype(np.float32).tocsr()
    except ValueError:  # empty vocabulary: nobody wrote in this language
        vectorizer.vocabulary_ = {}
        return sparse.csr_matrix((len(texts), 0), dtype=np.float32)


def _names(vectorizer):
    vocabulary = getattr(vectorizer, "vocabulary_", {}) or {}
    names = np.empty(len(vocabulary), dtype=object)
    for term, i in vocabulary.items():
        names[i] = term
    return names


# --- scoring ----------------------------------------------------------------------------


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


# --- reasons ------------------------------------------------------------------------------


def _shared_top(matrix, rows_a, rows_b, limit):
    """For each pair (rows_a[i], rows_b[i]) of ``matrix``: the columns both rows weigh, heaviest
    product first (ties: the higher column first), at most ``limit``; as a list of lists.

    Products are taken in float64, where the product of two float32 weights is exact, so the
    order is that of multiplying the weights one pair at a time in Python.
    """
    if len(rows_a) == 0:
        return []
    a = matrix[rows_a].astype(np.float64)
    b = matrix[rows_b].astype(np.float64)
    product = a.multiply(b).tocsr()
    product.eliminate_zeros()
    counts = np.diff(product.indptr)
    owner = np.repeat(np.arange(len(rows_a)), counts)
    order = np.lexsort((-product.indices, -product.data, owner))
    position = np.arange(len(order)) - product.indptr[:-1][owner]  # owner is sorted: groups stay in place
    chosen = position < limit
    columns = product.indices[order[chosen]].tolist()
    kept = np.minimum(counts, limit).tolist()
    found, at = [], 0
    for n in kept:
        found.append(columns[at : at + n])
        at += n
    return found


def explain_many(features, rows, columns, components, *, as_json=False):
    """Reasons for kept pairs (``rows`` into features.demands, ``columns`` into features.organisations,
    ``components`` arrays aligned with them): a list of [{"kind": ..., "value": ...}, ...].

    The pages turn them into words.  Shared key terms come from one sparse product over all
    the pairs; the rest are small set operations per pair, each worked out once per distinct
    combination.  ``as_json`` gives each pair's list as the text ``json.dumps(reasons,
    ensure_ascii=False)`` would write, put together from pieces encoded once.
    """
    rows = np.asarray(rows, dtype=np.int64)
    columns = np.asarray(columns, dtype=np.int64)
    n = len(rows)
    if n == 0:
        return []
    n_org = len(features.organisations)
    terms = [None] * n
    with_text = np.flatnonzero(np.asarray(components["text"]) > 0)
    if len(with_text) and features.concepts.shape[1]:
        names, shown = features.concept_names, {}
        found = _shared_top(features.concepts, n_org + rows[with_text], columns[with_text], 4)
        for i, shared in zip(with_text.tolist(), found, strict=True):
            if shared:
                terms[i] = [shown.get(c) or shown.setdefault(c, str(names[c]).replace("-", " ")) for c in shared]
    if len(with_text) and features.words_en.shape[1]:
        without = np.array([i for i in with_text.tolist() if terms[i] is None], dtype=np.int64)
        names, shown = features.word_names, {}
        found = _shared_top(features.words_en, n_org + rows[without], columns[without], 4)
        for i, shared in zip(without.tolist(), found, strict=True):
            if shared:
                terms[i] = [shown.get(c) or shown.setdefault(c, str(names[c])) for c in shared]

    demands, organisations = features.demands, features.organisations
    # Shared sectors (or, failing those, shared groups) depend only on the two records' sector
    # lists: number each distinct list once, and work each combination out once.
    numbered = {}
    demand_numbers = np.array([numbered.setdefault(tuple(d.sectors), len(numbered)) for d in demands], dtype=np.int64)
    org_numbers = np.array(
        [numbered.setdefault(tuple(o.sectors), len(numbered)) for o in organisations], dtype=np.int64
    )
    lists = list(numbered)
    combinations = (demand_numbers[rows] * len(lists) + org_numbers[columns]).tolist()
    sector_reasons = {}

    def shared_sectors(combination):
        demand_sectors, org_sectors = lists[combination // len(lists)], lists[combination % len(lists)]
        shared = sorted(set(demand_sectors) & set(org_sectors))
        groups = () if shared else tuple(sorted(_groups(demand_sectors) & _groups(org_sectors)))
        if as_json:
            shared = ", ".join(_reason_json("sector", slug) for slug in shared)
            groups = ", ".join(_reason_json("sector_group", group) for group in groups)
        found = sector_reasons[combination] = (shared, groups)
        return found

    has_sector = (np.asarray(components["sector"]) > 0).tolist()
    has_region = (np.asarray(components["region"]) > 0).tolist()
    has_partnership = (np.asarray(components["partnership"]) > 0).tolist()
    has_copresence = (np.asarray(components["copresence"]) > 0).tolist()
    pairs = enumerate(zip(rows.tolist(), columns.tolist(), strict=True))
    everything = []
    if as_json:
        encoded = {}

        def term_json(term):
            found = encoded.get(term)
            if found is None:
                found = encoded[term] = json.dumps(term, ensure_ascii=False)
            return found

        for i, (row, column) in pairs:
            demand = demands[row]
            shared, groups = sector_reasons.get(combinations[i]) or shared_sectors(combinations[i])
            parts = [shared] if shared else []
            if terms[i] is not None:
                parts.append('{"kind": "terms", "value": [' + ", ".join(map(term_json, terms[i])) + "]}")
            if has_region[i] and demand.region:
                parts.append(_reason_json("region", demand.region))
            if has_partnership[i] and demand.kind:
                parts.append(_reason_json("partnership", demand.kind))
            if has_copresence[i]:
                gatherings = set(demand.gatherings) & set(organisations[column].gatherings)
                parts.append(json.dumps({"kind": "copresence", "value": sorted(gatherings)}, ensure_ascii=False))
            if groups and has_sector[i]:
                parts.append(groups)
            everything.append("[" + ", ".join(parts) + "]")
        return everything
    for i, (row, column) in pairs:
        demand = demands[row]
        shared, groups = sector_reasons.get(combinations[i]) or shared_sectors(combinations[i])
        reasons = [{"kind": "sector", "value": slug} for slug in shared]
        if terms[i] is not None:
            reasons.append({"kind": "terms", "value": terms[i]})
        if has_region[i] and demand.region:
            reasons.append({"kind": "region", "value": demand.region})
        if has_partnership[i] and demand.kind:
            reasons.append({"kind": "partnership", "value": demand.kind})
        if has_copresence[i]:
            gatherings = set(demand.gatherings) & set(organisations[column].gatherings)
            reasons.append({"kind": "copresence", "value": sorted(gatherings)})
        if groups and has_sector[i]:
            reasons.extend({"kind": "sector_group", "value": group} for group in groups)
        everything.append(reasons)
    return everything


@functools.lru_cache(maxsize=4096)
def _reason_json(kind, value):
    return json.dumps({"kind": kind, "value": value}, ensure_ascii=False)


def explain(features, demand_row, org_column, components, cache=None):
    """Reasons for one kept pair (see explain_many); ``cache`` is accepted for compatibility."""
    return explain_many(features, [demand_row], [org_column], {n: np.array([v]) for n, v in components.items()})[0]


def _groups(slugs):
    return {s.split(".", 1)[0] for s in slugs}


# --- quality ------------------------------------------------------------------------------


def ndcg_at(ranked_ids, gains, k):
    """nDCG@k of a ranking against graded relevance ``gains`` {id: grade}."""
    dcg = sum((2 ** gains.get(i, 0) - 1) / math.log2(rank + 2) for rank, i in enumerate(ranked_ids[:k]))
    ideal = sorted(gains.values(), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def precision_at(ranked_ids, gains, k):
    return sum(1 for i in ranked_ids[:k] if gains.get(i, 0) > 0) / k
