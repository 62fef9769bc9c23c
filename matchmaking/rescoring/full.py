"""A full rescoring: every open demand against every organisation, in chunks.

``rescore_start`` (``runs``) records a run and cuts the open demands into chunks; each chunk
(``rescore_chunk``, one task per chunk, on as many workers as there are) upserts the pairs
it keeps; ``rescore_finish`` then drops what no longer belongs, trims the union of the
chunks to the global top K and renumbers ranks.  ``rescore_all`` does all of it inline.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from matchmaking import engine
from matchmaking.models import Demand, Match, RescoringRun
from matchmaking.rescoring.features import built_at, current_features, load_features, weights
from matchmaking.rescoring.publishing import announce, published_before
from matchmaking.rescoring.runs import open_demand_ids, rescore_start
from matchmaking.rescoring.writing import NOT_RELEVANT, excluded_pairs, prune, renumber, write_matches


def rescore_chunk(*, demand_ids, run_id=None, chunk_index=0, features=None):
    """Score these demands against every organisation and upsert what is kept.

    With a run, the chunk is counted done once (a redelivered chunk is not counted twice);
    returns True when this was the run's last chunk, so that the caller finishes the run.
    """
    if features is None:
        run = RescoringRun.objects.filter(pk=run_id).only("started_at").first() if run_id else None
        built = built_at()
        # A full rescoring refits the vocabularies once per worker process, not per chunk.
        stale = run is not None and (built is None or built < run.started_at)
        features = load_features() if stale else current_features()
    index = {d.id: i for i, d in enumerate(features.demands)}
    rows = [index[d] for d in demand_ids if d in index]
    excluded = excluded_pairs(demand_ids=demand_ids)
    kept = engine.select(
        features,
        top_k=settings.MATCH_TOP_K,
        organisation_k=settings.MATCH_TOP_K_PER_ORGANISATION,
        min_score=settings.MATCH_MIN_SCORE,
        weights=weights(),
        excluded=excluded,
        demand_rows=rows,
        json_reasons=True,
    )
    before = published_before(demand_id__in=demand_ids)
    with transaction.atomic():
        # Every pair of these demands was scored here: a row of theirs that was not kept goes.
        write_matches(kept, excluded, scope=demand_ids)
        announce(before, demand_id__in=demand_ids)
        written = len(kept)
        if run_id is None:
            return False
        run = RescoringRun.objects.select_for_update().get(pk=run_id)
        if chunk_index not in run.completed:
            run.completed.append(chunk_index)
            run.done_chunks = len(run.completed)
            run.matches += written
            run.save(update_fields=["completed", "done_chunks", "matches"])
        return run.done_chunks == run.total_chunks


def rescore_finish(*, run_id):
    """After every chunk: drop the matches of demands that are no longer open, trim the union of
    the chunks to the global top K, renumber ranks, mark the run done.

    (Each chunk already deleted the rows of its own demands that it did not keep.)
    """
    with transaction.atomic():
        stale = Match.objects.exclude(demand__status=Demand.Status.OPEN).exclude(
            Q(supplier_feedback=NOT_RELEVANT) | Q(buyer_feedback=NOT_RELEVANT)
        )
        stale.delete()
        prune()
        Match.objects.exclude(demand__status=Demand.Status.OPEN).update(published=False, rank=None)
        renumber()
        RescoringRun.objects.filter(pk=run_id).update(
            status=RescoringRun.Status.DONE, finished_at=timezone.now(), done_chunks=F("total_chunks")
        )
    return RescoringRun.objects.get(pk=run_id)


def rescore_all(*, started_by=None):
    """The whole rescoring inline: one pass over every demand (the engine chunks it in memory)."""
    run, chunks = rescore_start(chunk_size=max(1, len(open_demand_ids())), started_by=started_by)
    features = load_features()  # a full rescoring refits the vocabularies
    for chunk_index, chunk in enumerate(chunks):
        rescore_chunk(demand_ids=chunk, run_id=run.pk, chunk_index=chunk_index, features=features)
    return rescore_finish(run_id=run.pk)
