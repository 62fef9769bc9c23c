"""The organisers' set-up of an event: the event itself, its meeting day (slots and tables),
the registrations, and the reminder to participants without a meeting.

Generated slots: a slot that would overlap a break starts again at the break's end; each
break is stored as a break slot (``is_break``), so agendas and the grid show it.
Generating slots that overlap existing ones is refused as a whole.  Removing a slot
cancels its meetings; removing a table keeps its meetings without a table; declining a
registration cancels the participant's meetings.  Their parties are told each time.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from events import meeting_changes, notifications, permissions, tasks
from events.models import Event, Meeting, MeetingSlot, Registration, Table

EVENT_FIELDS = [
    "name", "name_zh", "kind", "description", "description_zh", "format", "venue", "city", "country",
    "timezone", "starts_at", "ends_at", "registration_opens_at", "registration_closes_at",
    "matchmaking_mode", "max_requests_per_participant", "max_meetings_per_participant",
    "suggest_pairs_from_matches", "is_public",
]  # fmt: skip


# --- the event ----------------------------------------------------------------------


def _event_save(event, fields):
    for name, value in fields.items():
        if name not in EVENT_FIELDS:
            raise ValueError(f"unknown event field {name}")
        setattr(event, name, value)
    event.full_clean(exclude=["organising_organisation", "region", "external_id"])
    if event.ends_at < event.starts_at:
        raise ValidationError({"ends_at": _("The event must end after it starts.")})
    event.save()


def event_create(*, actor, fields):
    """Create an event; its creator becomes its organiser."""
    if not permissions.can_create_event(actor):
        raise PermissionDenied
    with transaction.atomic():
        event = Event()
        _event_save(event, fields)
        event.organisers.add(actor)
    return event


def event_update(*, actor, event, fields):
    permissions.require_organiser(actor, event)
    with transaction.atomic():
        _event_save(event, fields)
    return event


# --- the meeting day: slots and tables ------------------------------------------------


def _hhmm(event, moment):
    return f"{moment.astimezone(event.tzinfo):%H:%M}"


def _overlapping(event, starts_at, ends_at):
    return MeetingSlot.objects.filter(event=event, starts_at__lt=ends_at, ends_at__gt=starts_at)


def slots_plan(*, event, day, first_start, last_end, minutes, breaks=()):
    """The slots (start, end, is_break) of one day, in UTC; nothing is written.

    ``day`` is a date, ``first_start``/``last_end`` and each break's ends are times in the
    event's time zone.
    """
    tz = event.tzinfo
    errors = []
    if not 5 <= minutes <= 240:
        errors.append(_("A slot lasts between 5 and 240 minutes."))
    if last_end <= first_start:
        errors.append(_("The last slot must end after the first one starts."))
    day_breaks = []
    for start, end in sorted(breaks):
        if end <= start:
            errors.append(_("The break %(start)s–%(end)s ends before it starts.") % {"start": start, "end": end})
        elif start < first_start or end > last_end:
            errors.append(_("The break %(start)s–%(end)s is outside the day.") % {"start": start, "end": end})
        elif day_breaks and start < day_breaks[-1][1]:
            errors.append(_("The breaks overlap."))
        else:
            day_breaks.append((start, end))
    if errors:
        raise ValidationError(errors)

    def at(clock):
        return datetime.datetime.combine(day, clock, tzinfo=tz).astimezone(datetime.UTC)

    length = datetime.timedelta(minutes=minutes)
    end = at(last_end)
    pauses = [(at(s), at(e)) for s, e in day_breaks]
    planned = [(s, e, True) for s, e in pauses]
    moment = at(first_start)
    while moment + length <= end:
        clash = next((p for p in pauses if p[0] < moment + length and p[1] > moment), None)
        if clash:
            moment = clash[1]
            continue
        planned.append((moment, moment + length, False))
        moment += length
    planned.sort()
    if not any(not is_break for _s, _e, is_break in planned):
        raise ValidationError(_("No slot fits between the first start and the last end."))
    return planned


def slots_generate(*, actor, event, day, first_start, last_end, minutes, breaks=()):
    """Create the slots of a day (see ``slots_plan``); all or nothing."""
    permissions.require_organiser(actor, event)
    planned = slots_plan(
        event=event, day=day, first_start=first_start, last_end=last_end, minutes=minutes, breaks=breaks
    )
    local_start, local_end = (
        event.starts_at.astimezone(event.tzinfo).date(),
        event.ends_at.astimezone(event.tzinfo).date(),
    )
    if not local_start <= day <= local_end:
        raise ValidationError(
            _("%(day)s is not a day of the event (%(start)s to %(end)s).")
            % {"day": day, "start": local_start, "end": local_end}
        )
    with transaction.atomic():
        clashes = [f"{_hhmm(event, s)}–{_hhmm(event, e)}" for s, e, _b in planned if _overlapping(event, s, e).exists()]
        if clashes:
            raise ValidationError(
                _("These times overlap slots the event already has: %(times)s. Remove those slots first.")
                % {"times": ", ".join(clashes)}
            )
        slots = MeetingSlot.objects.bulk_create(
            MeetingSlot(event=event, starts_at=s, ends_at=e, is_break=b) for s, e, b in planned
        )
    return slots


def slot_remove(*, actor, slot):
    """Delete a slot; its meetings are cancelled and both parties told ("slot_removed")."""
    permissions.require_organiser(actor, slot.event)
    with transaction.atomic():
        meetings = meeting_changes.scheduled_meetings(slot.meetings.all())
        for meeting in meetings:
            previous = meeting_changes.place_of(meeting)
            meeting.status = Meeting.Status.CANCELLED
            meeting.save(update_fields=["status", "updated_at"])
            notifications.meeting_changed(meeting, "slot_removed", previous=previous)
        slot.delete()  # the cancelled meetings go with it (CASCADE); the notices carry copies
    return meetings


def table_add(*, actor, event, name, video_link=""):
    permissions.require_organiser(actor, event)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("A table needs a name."))
    with transaction.atomic():
        if Table.objects.filter(event=event, name__iexact=name).exists():
            raise ValidationError(_("The event already has a table called “%(name)s”.") % {"name": name})
        position = (Table.objects.filter(event=event).aggregate(p=Max("position"))["p"] or 0) + 1
        table = Table(event=event, name=name, video_link=video_link or "", position=position)
        table.full_clean()
        table.save()
    return table


def table_remove(*, actor, table):
    """Delete a table; its meetings keep their time but lose the table, and both parties are told."""
    permissions.require_organiser(actor, table.event)
    with transaction.atomic():
        meetings = meeting_changes.scheduled_meetings(table.meetings.all())
        for meeting in meetings:
            previous = meeting_changes.place_of(meeting)
            meeting.table = None
            meeting.save(update_fields=["table", "updated_at"])
            notifications.meeting_changed(meeting, "table_removed", previous=previous)
        table.delete()
    return meetings


# --- registrations --------------------------------------------------------------------


def registration_decide(*, actor, registration, approve):
    """Approve or decline a registration; declining cancels the participant's meetings (they are told)."""
    permissions.require_organiser(actor, registration.event)
    with transaction.atomic():
        registration.status = Registration.Status.APPROVED if approve else Registration.Status.DECLINED
        registration.save(update_fields=["status", "updated_at"])
        if not approve:
            for meeting in meeting_changes.scheduled_meetings(
                Meeting.objects.filter(Q(party_a=registration) | Q(party_b=registration))
            ):
                meeting_changes.cancel(meeting)
    return registration


def reminders_queue(*, actor, event):
    """Queue the one-time reminder to approved participants who have no meeting yet."""
    permissions.require_organiser(actor, event)
    tasks.queue_no_meeting_reminders(event.pk)
