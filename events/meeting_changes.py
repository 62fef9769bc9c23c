"""How a change to a scheduled meeting is written and told, whoever makes it.

No meeting changes silently: its two parties get an e-mail (``events.notifications``,
rendered at once and handed to the mail backend after the commit), and new or moved
meetings are announced to the layers above with the ``meetings.scheduled`` hook (the API
turns it into webhook deliveries in the same transaction).
"""

from core import hooks
from events import notifications
from events.models import Meeting


def place_of(meeting):
    """Where ``meeting`` is now, as the change notice shows "before": its start and its table's name."""
    return {"starts_at": meeting.slot.starts_at, "table": meeting.table.name if meeting.table_id else None}


def scheduled_meetings(queryset):
    """The scheduled meetings of ``queryset`` with what their notices need, in one query."""
    return list(
        queryset.filter(status=Meeting.Status.SCHEDULED).select_related("event", "slot", "table", "party_a", "party_b")
    )


def cancel(meeting):
    """Cancel a scheduled meeting (it is unlocked: nothing holds its place) and tell both parties."""
    previous = place_of(meeting)
    meeting.status = Meeting.Status.CANCELLED
    meeting.locked = False
    meeting.save(update_fields=["status", "locked", "updated_at"])
    notifications.meeting_changed(meeting, "cancelled", previous=previous)


def announce(meetings):
    """``meetings.scheduled`` for new or moved meetings (the receivers write in this transaction)."""
    if meetings:
        hooks.emit(hooks.MEETINGS_SCHEDULED, meetings=list(meetings))
