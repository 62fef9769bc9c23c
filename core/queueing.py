"""Queueing Celery work from a request or a service without letting a broker outage fail it.

The one helper for "queue this after the commit": the work is sent once the current
transaction commits (so the worker sees the rows; a rolled-back change queues nothing), and a
broker that is down is logged with a hint of what to run later, never turned into an error
for the person who saved.  ``work`` is a task (called with ``kwargs``) or a ready signature
or group (``task.si(...)``, ``group(...)``), sent as it is.
"""

import logging

from celery.canvas import Signature
from django.db import transaction

logger = logging.getLogger(__name__)


def send(work, *, hint="", **kwargs):
    """Queue ``work`` now; a failure to reach the broker is logged."""
    try:
        if isinstance(work, Signature):
            if kwargs:
                raise TypeError("a signature carries its own arguments")
            work.apply_async()
        else:
            work.delay(**kwargs)
    except TypeError:
        raise
    except Exception:  # kombu raises many kinds of connection errors
        name = getattr(work, "name", None) or type(work).__name__
        logger.exception("Could not queue %s %s%s", name, kwargs, f"; {hint}" if hint else "")


def send_on_commit(work, *, hint="", **kwargs):
    """Queue ``work`` once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: send(work, hint=hint, **kwargs))
