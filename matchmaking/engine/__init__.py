"""The matching engine: records in, scored and explained pairs out.  No Django, no ORM.

Every (organisation, demand) pair across the two sides (a demand is matched against the
organisations of the other side than its owner, never its owner) gets five components,
each in 0–1, and a score that is their weighted sum (weights sum to 1, so scores are
comparable across demands):

* ``sector`` — the share of the demand's sectors the organisation covers: a shared leaf
  counts 1, a shared parent group only ``PARENT_CREDIT``;
* ``text`` — TF-IDF cosine similarity of the texts, saturated (``TEXT_SATURATION``), from
  two channels: shared *concepts* of a bilingual glossary (the caller passes it: English
  phrases and Chinese terms mapped to the same concept, which is what lets a demand
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

The modules, in the order of the work: ``records`` (what goes in and out), ``text``
(concepts and Chinese), ``features`` (records to matrices), ``scoring`` (the components),
``selection`` (the pairs kept), ``reasons`` (why), ``quality`` (nDCG and precision).
Importing this package imports NumPy, SciPy and scikit-learn: import it where scoring
happens, not at start-up.
"""

from matchmaking.engine.features import Features, Fitted, build_features, with_records
from matchmaking.engine.quality import ndcg_at, precision_at
from matchmaking.engine.reasons import explain_many
from matchmaking.engine.records import DemandRecord, OrganisationRecord, ScoredPair
from matchmaking.engine.scoring import (
    ALGORITHM_VERSION,
    COMPONENTS,
    DEFAULT_WEIGHTS,
    PARENT_CREDIT,
    TEXT_SATURATION,
    WORD_SHARE,
    score_chunk,
)
from matchmaking.engine.selection import Selection, match, select
from matchmaking.engine.text import ENGLISH_TOKENS, ConceptExtractor, chinese_only

__all__ = [
    "ALGORITHM_VERSION",
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "ENGLISH_TOKENS",
    "PARENT_CREDIT",
    "TEXT_SATURATION",
    "WORD_SHARE",
    "ConceptExtractor",
    "DemandRecord",
    "Features",
    "Fitted",
    "OrganisationRecord",
    "ScoredPair",
    "Selection",
    "build_features",
    "chinese_only",
    "explain_many",
    "match",
    "ndcg_at",
    "precision_at",
    "score_chunk",
    "select",
    "with_records",
]
