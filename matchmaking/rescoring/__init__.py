"""Services that write Match rows: the database side of the engine (``matchmaking.engine``).

* ``rescore_start(chunk_size=...)`` and ``rescore_chunk(demand_ids=..., run_id=...)`` —
  record a full rescoring and score its chunks of open demands against every organisation,
  upserting the kept pairs (each chunk is a task, see ``matchmaking.tasks``);
* ``rescore_finish(run_id=...)`` — after all chunks: delete the pairs no chunk kept,
  renumber ranks, mark the run done;
* ``rescore_demand(demand_id=...)`` / ``rescore_organisation(organisation_id=...)`` —
  incremental, after one record was saved or imported;
* ``rescore_all()`` — the whole thing inline (``rescore_matches --sync``).

Every write is an upsert on the unique (organisation, demand) pair, so a task run twice
(acks_late redelivery) leaves the same rows.  Feedback survives: a pair marked "not
relevant" by either side is excluded from scoring and its row is kept unpublished, so it
is never raised again; other feedback is kept on the row while the pair stays matched.

The modules: ``runs`` (a full rescoring's record and chunks), ``features`` (the engine's
features from the database, kept in memory), ``writing`` (the Match rows, in bulk),
``publishing`` (the ``matches.published`` hook), ``full`` and ``incremental`` (the
rescorings).  The names below are imported from their module when first used, so that
importing this package (``matchmaking.tasks`` does, in every process) loads no engine:
NumPy, SciPy and scikit-learn come in with the first scoring.
"""

import importlib

# name -> the module of this package that defines it
_PUBLIC = {
    "current_features": "features",
    "forget_features": "features",
    "load_features": "features",
    "open_demand_ids": "runs",
    "rescore_start": "runs",
    "rescore_all": "full",
    "rescore_chunk": "full",
    "rescore_finish": "full",
    "rescore_demand": "incremental",
    "rescore_organisation": "incremental",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_PUBLIC})
