"""Celery entry points for matching: thin, keyword-only ids, idempotent (see ``matchmaking.rescoring``).

Saving or importing an organisation or a demand queues ``rescore_organisation`` /
``rescore_demand`` once the transaction commits (``queue_*`` below).  A full rescoring
(``start_full_rescoring``) splits the open demands into chunks that a Celery group hands to
every available worker; the chunk that completes the run queues ``rescore_full_finish``.
All tasks are acknowledged late (a worker killed mid-task has its task redelivered),
time-limited, and retried with back-off on database errors; a task whose record is gone
ends quietly.

This module is imported wherever a save queues a rescoring, web processes included, and
loads no scoring: ``matchmaking.rescoring`` imports its modules (and with them NumPy, SciPy
and scikit-learn) when a task first calls into them, in the worker.
"""

import logging

from celery import group, shared_task
from django.db import DatabaseError

from core.queueing import send_on_commit
from matchmaking import rescoring
from matchmaking.models import RescoringRun

logger = logging.getLogger(__name__)

TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 5,
    "soft_time_limit": 240,
    "time_limit": 300,
}
CHUNK_SIZE = 250


@shared_task(name="matchmaking.rescore_demand", **TASK_OPTIONS)
def rescore_demand(*, demand_id):
    written = rescoring.rescore_demand(demand_id=demand_id)
    logger.info("Rescored demand %s: %s matches", demand_id, written)
    return written


@shared_task(name="matchmaking.rescore_organisation", **TASK_OPTIONS)
def rescore_organisation(*, organisation_id):
    written = rescoring.rescore_organisation(organisation_id=organisation_id)
    logger.info("Rescored organisation %s: %s matches", organisation_id, written)
    return written


@shared_task(name="matchmaking.rescore_chunk", **TASK_OPTIONS)
def rescore_chunk(*, run_id, chunk_index, demand_ids):
    """One chunk of a full rescoring; the chunk that completes the run queues its finish."""
    if not RescoringRun.objects.filter(pk=run_id, status=RescoringRun.Status.RUNNING).exists():
        logger.info("Rescoring run %s is gone or over; chunk %s skipped", run_id, chunk_index)
        return False
    last = rescoring.rescore_chunk(demand_ids=demand_ids, run_id=run_id, chunk_index=chunk_index)
    if last:
        send_on_commit(rescore_full_finish, hint=RESCORE_LATER, run_id=run_id)
    return last


@shared_task(name="matchmaking.rescore_full_finish", **TASK_OPTIONS)
def rescore_full_finish(*, run_id):
    run = rescoring.rescore_finish(run_id=run_id)
    return run.matches


def start_full_rescoring(*, started_by=None, chunk_size=CHUNK_SIZE):
    """Create a run and hand its chunks to the workers (a Celery group) once the transaction commits.

    Returns the run, whose progress (done_chunks / total_chunks) feeds the progress bar.
    The chunk that completes the run queues ``rescore_full_finish``.
    """
    run, chunks = rescoring.rescore_start(chunk_size=chunk_size, started_by=started_by)
    if not chunks:
        send_on_commit(rescore_full_finish, hint=RESCORE_LATER, run_id=run.pk)
        return run
    work = group(rescore_chunk.si(run_id=run.pk, chunk_index=i, demand_ids=chunk) for i, chunk in enumerate(chunks))
    send_on_commit(work, hint="run manage.py rescore_matches --sync")
    return run


RESCORE_LATER = "run manage.py rescore_matches later"


def queue_demand(demand_id):
    """Rescore one demand once the current transaction commits."""
    send_on_commit(rescore_demand, hint=RESCORE_LATER, demand_id=demand_id)


def queue_organisation(organisation_id):
    """Rescore one organisation once the current transaction commits."""
    send_on_commit(rescore_organisation, hint=RESCORE_LATER, organisation_id=organisation_id)


def queue_after_import(*, organisation_ids, demand_ids):
    """A few changed records are rescored one by one; a bulk import rescores everything once."""
    if len(organisation_ids) + len(demand_ids) > 20:
        start_full_rescoring()
        return
    for organisation_id in organisation_ids:
        queue_organisation(organisation_id)
    for demand_id in demand_ids:
        queue_demand(demand_id)
