"""Records become feature matrices: fitted once (vocabularies, IDF), then extended cheaply.

Text rows hold the organisations, then the demands; the other matrices have a row per
organisation or per demand.  ``with_records`` swaps changed records in with what the full
build learnt, so that an incremental rescoring needs no refit.
"""

import re
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.preprocessing import normalize

from matchmaking.engine.text import ENGLISH_TOKENS, ConceptExtractor, chinese_only

# ISO 3166-2:CN province-level codes (the regions of the reference data).
CHINESE_REGIONS = {
    f"CN-{code}"
    for code in re.findall(
        r"[A-Z]{2}",
        "AH BJ CQ FJ GD GS GX GZ HA HB HE HI HK HL HN JL JS JX LN MO NM NX QH SC SD SH SN SX TJ TW XJ XZ YN ZJ",
    )
}
KINDS = {"procurement", "pilot", "jv", "investment", "licensing", "rnd", "distributor"}


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
