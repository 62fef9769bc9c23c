"""Queueing Celery tasks from a request or a service without letting a broker outage fail it.

A task is queued once the current transaction commits (so the worker sees the rows), and a
broker that is down is logged (with a hint of what to run later), not turned into an error
for the person who saved.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def send(task, *, hint="", **kwargs):
    """Queue ``task`` now with ``kwargs``; a failure to reach the broker is logged."""
    try:
        task.delay(**kwargs)
    except Exception:  # kombu raises many kinds of connection errors
        logger.exception("Could not queue %s %s%s", task.name, kwargs, f"; {hint}" if hint else "")


def send_on_commit(task, *, hint="", **kwargs):
    """Queue ``task`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: send(task, hint=hint, **kwargs))
