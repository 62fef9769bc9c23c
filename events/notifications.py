"""E-mails to event participants: requests, acceptances, the published schedule, changes, reminders.

Every message is rendered at once, while the objects it names still exist (a removed slot
deletes its meetings), in the recipient's language (``Registration.language``) and with
times in the event's time zone, and is handed to the mail backend only after the current
transaction commits (``transaction.on_commit``): a rolled-back change sends nothing, and a
mail server that is down is logged, not turned into an error for the person who saved.
The no-meeting reminder is the exception: it is sent by a task, which marks each reminder
sent only once the mail backend took it, and retries when it could not.
Templates are plain text under ``templates/email/events/``: the first line is the subject.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Meeting, Registration

logger = logging.getLogger(__name__)

MEETING_CHANGES = {"moved", "cancelled", "slot_removed", "table_removed"}


def site_url():
    return (getattr(settings, "SITE_URL", None) or "http://localhost:8000").rstrip("/")


def absolute(path):
    return site_url() + path


@dataclass
class MeetingLine:
    """One meeting as a participant's e-mail shows it."""

    starts_at: object
    ends_at: object
    other: Registration
    place: str
    video_link: str


def meeting_line(meeting, registration):
    other = meeting.party_b if meeting.party_a_id == registration.pk else meeting.party_a
    table = meeting.table
    video_link = meeting.video_link or (table.video_link if table else "")
    return MeetingLine(
        starts_at=meeting.slot.starts_at,
        ends_at=meeting.slot.ends_at,
        other=other,
        place=table.name if table else "",
        video_link=video_link,
    )


def _render(registration, template, context):
    """An EmailMessage to ``registration`` in its language, times in the event's zone."""
    if not registration.email:
        return None
    language = registration.language or settings.LANGUAGE_CODE
    event = context["event"]
    with translation.override(language), timezone.override(event.tzinfo):
        text = render_to_string(
            f"email/events/{template}.txt",
            {**context, "recipient": registration, "site_url": site_url()},
        )
    subject, _, body = text.strip().partition("\n")
    subject = f"{getattr(settings, 'ACCOUNT_EMAIL_SUBJECT_PREFIX', '')}{subject.strip()}"
    return EmailMessage(subject=subject, body=body.strip() + "\n", to=[registration.email])


def _send_on_commit(messages):
    messages = [message for message in messages if message is not None]
    if not messages:
        return 0

    def send():
        try:
            get_connection().send_messages(messages)
        except Exception:  # a mail server down must not turn a committed change into an error page
            logger.exception("Could not send %d event e-mails", len(messages))

    transaction.on_commit(send)
    return len(messages)


def _links(event):
    return {
        "event_url": absolute(reverse("events:detail", args=[event.pk])),
        "meetings_url": absolute(reverse("events:meetings", args=[event.pk])),
        "agenda_url": absolute(reverse("events:agenda", args=[event.pk])),
        "participants_url": absolute(reverse("events:participants", args=[event.pk])),
        "availability_url": absolute(reverse("events:availability", args=[event.pk])),
    }


def request_received(meeting_request):
    """Tell the recipient of a meeting request who asks, and where to answer."""
    event = meeting_request.event
    message = _render(
        meeting_request.recipient,
        "request_received",
        {"event": event, "request": meeting_request, "requester": meeting_request.requester, **_links(event)},
    )
    return _send_on_commit([message])


def request_accepted(meeting_request):
    """Tell the requester that their request was accepted."""
    event = meeting_request.event
    message = _render(
        meeting_request.requester,
        "request_accepted",
        {"event": event, "request": meeting_request, "recipient_party": meeting_request.recipient, **_links(event)},
    )
    return _send_on_commit([message])


def schedule_published(event, meetings):
    """One e-mail per participant with meetings among ``meetings``, listing theirs (event's time zone)."""
    pks = [meeting.pk for meeting in meetings]
    meetings = list(
        Meeting.objects.filter(pk__in=pks, event=event, status=Meeting.Status.SCHEDULED)
        .select_related("slot", "table", "party_a__organisation", "party_b__organisation")
        .order_by("slot__starts_at", "pk")
    )
    by_registration = {}
    for meeting in meetings:
        for registration in (meeting.party_a, meeting.party_b):
            by_registration.setdefault(registration.pk, (registration, []))[1].append(meeting)
    messages = []
    for registration, own in by_registration.values():
        lines = [meeting_line(meeting, registration) for meeting in own]
        messages.append(_render(registration, "schedule_published", {"event": event, "lines": lines, **_links(event)}))
    return _send_on_commit(messages)


def meeting_changed(meeting, change, previous=None):
    """Tell both parties that one of their meetings was moved, cancelled or lost its slot or table.

    ``previous``: {"starts_at": datetime, "table": str or None}, where the meeting was before.
    """
    if change not in MEETING_CHANGES:
        raise ValueError(f"Unknown meeting change {change!r}; expected one of {sorted(MEETING_CHANGES)}")
    previous = previous or {}
    event = meeting.event
    messages = []
    for registration, other in ((meeting.party_a, meeting.party_b), (meeting.party_b, meeting.party_a)):
        line = meeting_line(meeting, registration) if change in {"moved", "table_removed"} else None
        context = {
            "event": event,
            "change": change,
            "other": other,
            "line": line,
            "previous_starts_at": previous.get("starts_at"),
            "previous_table": previous.get("table") or "",
            **_links(event),
        }
        messages.append(_render(registration, "meeting_changed", context))
    return _send_on_commit(messages)


def no_meeting_reminders(event):
    """Remind each approved participant without a scheduled meeting, once (``reminded_at``).

    Each reminder is claimed and sent in a transaction of its own: the claim (an UPDATE of
    ``reminded_at`` that only an unreminded row matches) holds the row, so two concurrent
    runs never both send it, and it commits only once the mail backend took the message.  A
    failed send raises and rolls its claim back, so a retry sends it (the reminders handed
    over before it stay sent).  Returns the number of reminders sent.
    """
    in_meetings = Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED)
    busy = set(in_meetings.values_list("party_a_id", flat=True)) | set(in_meetings.values_list("party_b_id", flat=True))
    candidates = list(
        Registration.objects.filter(event=event, status=Registration.Status.APPROVED, reminded_at__isnull=True)
        .exclude(pk__in=busy)
        .select_related("organisation")
        .order_by("pk")
    )
    sent = 0
    if not candidates:
        return sent
    links = _links(event)
    with get_connection() as connection:
        for registration in candidates:
            with transaction.atomic():
                claimed = Registration.objects.filter(pk=registration.pk, reminded_at__isnull=True).update(
                    reminded_at=timezone.now()
                )
                message = _render(registration, "no_meeting_reminder", {"event": event, **links}) if claimed else None
                if message is not None:
                    connection.send_messages([message])
                    sent += 1
    return sent
