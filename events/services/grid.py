"""The organisers' edits on the schedule grid: move, lock, cancel and add meetings by hand.

A meeting an organiser moves or adds by hand is locked at once: a rerun of the scheduler
keeps it where the organiser put it.  Unlock it to give it back to the scheduler.  A
double booking is refused by the database (``MeetingSeat`` and the meetings' unique
constraints); the refusal is turned into a message that names the clash.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events import meeting_changes, notifications, permissions
from events.models import Meeting, MeetingSeat, Registration


def _hhmm(event, moment):
    return f"{moment.astimezone(event.tzinfo):%H:%M}"


def _clash_message(meeting, slot, table):
    """Why ``meeting`` cannot be at ``slot``/``table``: the first clash found in the database."""
    event = slot.event
    when = _hhmm(event, slot.starts_at)
    parties = [meeting.party_a, meeting.party_b]
    busy = (
        MeetingSeat.objects.filter(slot=slot, registration__in=parties)
        .exclude(meeting_id=meeting.pk)
        .select_related("registration")
        .first()
    )
    if busy:
        return _("%(name)s already has a meeting at %(time)s.") % {"name": busy.registration.name, "time": when}
    if table is not None:
        other = Meeting.objects.filter(slot=slot, table=table, status=Meeting.Status.SCHEDULED).exclude(pk=meeting.pk)
        if other.exists():
            return _("%(table)s already has a meeting at %(time)s.") % {"table": table.name, "time": when}
    twin = (
        Meeting.objects.filter(
            event=event, party_a=meeting.party_a, party_b=meeting.party_b, status=Meeting.Status.SCHEDULED
        )
        .exclude(pk=meeting.pk)
        .select_related("slot")
        .first()
    )
    if twin:
        return _("%(a)s and %(b)s already meet at %(time)s.") % {
            "a": meeting.party_a.name, "b": meeting.party_b.name, "time": _hhmm(event, twin.slot.starts_at),
        }  # fmt: skip
    return _("This meeting clashes with another one at %(time)s.") % {"time": when}


def _check_place(event, slot, table):
    if slot.event_id != event.pk or (table is not None and table.event_id != event.pk):
        raise ValidationError(_("Choose a slot and a table of this event."))
    if slot.is_break:
        raise ValidationError(_("No meetings take place in a break."))


def meeting_move(*, actor, meeting, slot, table):
    """Move a meeting (and lock it there); a double booking is refused with a clear message."""
    event = meeting.event
    permissions.require_organiser(actor, event)
    _check_place(event, slot, table)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(_("A cancelled meeting cannot be moved."))
    if (meeting.slot_id, meeting.table_id) == (slot.pk, table.pk if table else None):
        return meeting
    previous = meeting_changes.place_of(meeting)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the failed update is undone, nothing half-written
                updated = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.SCHEDULED).update(
                    slot=slot, table=table, locked=True, video_link=table.video_link if table else meeting.video_link,
                    updated_at=timezone.now(),
                )  # fmt: skip
        except IntegrityError as exc:
            raise ValidationError(_clash_message(meeting, slot, table)) from exc
        if not updated:
            raise ValidationError(_("This meeting was cancelled meanwhile."))
        meeting.refresh_from_db()
        notifications.meeting_changed(meeting, "moved", previous=previous)
    return meeting


def meeting_set_locked(*, actor, meeting, locked):
    permissions.require_organiser(actor, meeting.event)
    with transaction.atomic():
        meeting.locked = locked
        meeting.save(update_fields=["locked", "updated_at"])
    return meeting


def meeting_cancel(*, actor, meeting):
    permissions.require_organiser(actor, meeting.event)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(_("This meeting is already cancelled."))
    with transaction.atomic():
        meeting_changes.cancel(meeting)
    return meeting


def meeting_add(*, actor, event, first, second, slot, table):
    """Place a meeting between two approved participants by hand (locked)."""
    permissions.require_organiser(actor, event)
    _check_place(event, slot, table)
    if first.pk == second.pk:
        raise ValidationError(_("Choose two different participants."))
    for person in (first, second):
        if person.event_id != event.pk or person.status != Registration.Status.APPROVED:
            raise ValidationError(_("%(name)s is not an approved participant of this event.") % {"name": person.name})
    party_a, party_b = sorted([first, second], key=lambda r: r.pk)
    meeting = Meeting(
        event=event, slot=slot, table=table, party_a=party_a, party_b=party_b, locked=True,
        source=Meeting.Source.MANUAL, video_link=table.video_link if table else "",
    )  # fmt: skip
    with transaction.atomic():
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError as exc:
            meeting.pk = None
            raise ValidationError(_clash_message(meeting, slot, table)) from exc
        notifications.schedule_published(event, [meeting])
        meeting_changes.announce([meeting])
    return meeting
