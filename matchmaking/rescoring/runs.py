"""The record of a full rescoring, and which demands it scores.  Light: no engine import, so
that queueing a full rescoring (a web request, an import) loads no scoring."""

from matchmaking.models import Demand, RescoringRun


def open_demand_ids():
    return list(Demand.objects.filter(status=Demand.Status.OPEN).order_by("pk").values_list("pk", flat=True))


def rescore_start(*, chunk_size, started_by=None):
    """Record a new full rescoring and return it with its chunks of demand ids."""
    ids = open_demand_ids()
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    run = RescoringRun.objects.create(total_chunks=len(chunks), started_by=started_by)
    return run, chunks
