"""Starting a run of the meeting scheduler for an event (the organisers' "Run the scheduler").

A run the organiser cannot trust is refused: one run per event at a time (a run queued or
running for more than ``STALE_RUN_AFTER`` counts as dead), and none before the event has
meeting slots and, unless it is virtual, tables.  The run is queued after the commit;
``events.scheduling.scheduling_run_execute`` does the work in the worker.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events import permissions, tasks
from events.models import Event, SchedulingRun

STALE_RUN_AFTER = datetime.timedelta(minutes=15)


def scheduling_run_start(*, actor, event, time_limit=None):
    """Queue a scheduler run for the event once the transaction commits; returns the run."""
    permissions.require_organiser(actor, event)
    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()  # one start at a time per event
        busy = SchedulingRun.objects.filter(
            event=event,
            status__in=[SchedulingRun.Status.QUEUED, SchedulingRun.Status.RUNNING],
            created_at__gt=timezone.now() - STALE_RUN_AFTER,
        )
        if busy.exists():
            raise ValidationError(_("The scheduler is already running for this event. Wait for it to finish."))
        if not event.slots.filter(is_break=False).exists():
            raise ValidationError(_("The event has no meeting slots yet. Set up the meeting day first."))
        if not event.tables.exists() and event.format != Event.Format.VIRTUAL:
            raise ValidationError(_("The event has no tables yet. Add tables first."))
        summary = {"time_limit": time_limit} if time_limit else {}
        run = SchedulingRun.objects.create(event=event, started_by=actor, summary=summary)
        tasks.queue_scheduler_run(run.pk)
    return run
