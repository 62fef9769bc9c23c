"""Celery entry points for events: the scheduler run and the no-meeting reminders.

Thin: each fetches its row, ends quietly when it is gone, and calls ``events.scheduling`` or
``events.notifications``.  Both are queued after the commit (``queue_*`` below, through
``core.queueing``), acknowledged late (a worker killed mid-run has the task redelivered; a
run already done or failed is not redone), and time-limited.  Database errors are retried
with back-off; so is a reminder whose mail could not be handed over (a reminder is marked
sent only once the mail backend took it, so a retry sends exactly the ones still owed).
"""

import logging
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.queueing import send_on_commit
from events import notifications, scheduling
from events.models import Event, SchedulingRun

logger = logging.getLogger(__name__)

TASK_OPTIONS = {
    "acks_late": True,
    "autoretry_for": (DatabaseError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 3,
}
# A mail server that is down or refuses for a while: worth another try.
MAIL_ERRORS = (OSError, smtplib.SMTPException)
REMINDER_OPTIONS = {**TASK_OPTIONS, "autoretry_for": (DatabaseError, *MAIL_ERRORS)}


@shared_task(name="events.run_scheduler", soft_time_limit=600, time_limit=660, **TASK_OPTIONS)
def run_scheduler(*, run_id):
    run = SchedulingRun.objects.filter(pk=run_id).first()
    if run is None:
        logger.info("Scheduling run %s is gone", run_id)
        return None
    try:
        run = scheduling.scheduling_run_execute(run=run)
    except SoftTimeLimitExceeded:
        scheduling.scheduling_run_fail(run_id=run_id, message=_("The scheduler took too long and was stopped."))
        return None
    except DatabaseError:
        raise  # retried
    except Exception as exc:
        logger.exception("Scheduling run %s failed", run_id)
        scheduling.scheduling_run_fail(run_id=run_id, message=_("The scheduler failed: %(error)s") % {"error": exc})
        return None
    return run.meetings if run else None


@shared_task(name="events.send_no_meeting_reminders", soft_time_limit=240, time_limit=300, **REMINDER_OPTIONS)
def send_no_meeting_reminders(*, event_id):
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        logger.info("Event %s is gone; no reminders", event_id)
        return 0
    sent = notifications.no_meeting_reminders(event)
    logger.info("Sent %s no-meeting reminders for event %s", sent, event_id)
    return sent


@shared_task(name="events.send_due_reminders", soft_time_limit=240, time_limit=300, **REMINDER_OPTIONS)
def send_due_reminders():
    """Hourly (Celery beat): once an event's registration has closed and before it starts, each
    approved participant still without a meeting gets the one reminder (organisers may send it
    earlier from their page; nobody gets it twice)."""
    now = timezone.now()
    due = Event.objects.filter(registration_closes_at__lte=now, starts_at__gt=now).order_by("pk")
    return sum(notifications.no_meeting_reminders(event) for event in due)


def queue_scheduler_run(run_id):
    send_on_commit(run_scheduler, run_id=run_id)


def queue_no_meeting_reminders(event_id):
    send_on_commit(send_no_meeting_reminders, event_id=event_id)
