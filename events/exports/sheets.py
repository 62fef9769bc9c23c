"""The organisers' exports of an event as sheets: a header of translated column titles and lazy rows.

Four kinds (``KINDS``), each built from one queryset with its joins, so that a sheet costs the
same few queries for 3 rows or 30,000 (``iterator(chunk_size=…)`` fetches the rows in chunks;
a prefetch runs once per chunk):

* ``participants``: every registration of the event, whatever its status;
* ``requests``: every meeting request, with when it was sent and answered;
* ``schedule``: every meeting, cancelled ones included (the status column says which);
* ``matches``: the published matches whose demand's owner and organisation both have an approved
  participant at the event.

Values are ``str``, ``int``, ``float``, ``None`` or a *naive* ``datetime`` in the event's time
zone, which the column's title names ("Starts (Europe/Oslo)"); ``events.exports.writers`` turns
a sheet into ``.xlsx`` or CSV.  Titles are translated when the sheet is built, and the rows in
the same language even when they are read later, while a response streams.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import F, Prefetch
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from companies.models import Sector
from events import permissions, selectors
from events.models import Meeting, MeetingRequest, Registration
from matchmaking.models import Match

CHUNK = 2000  # rows per database round trip


@dataclass(frozen=True)
class Column:
    title: str
    width: int  # in characters, as Excel counts them
    is_datetime: bool = False


@dataclass
class Sheet:
    kind: str
    title: str  # the worksheet's name (at most 31 characters)
    columns: list[Column]
    rows: Iterator[list]


def sheet(*, kind, actor, event):
    """The sheet ``kind`` (one of ``KINDS``) of ``event``, for an organiser of it."""
    permissions.require_organiser(actor, event)
    return KINDS[kind](event=event)


# --- the four sheets ----------------------------------------------------------------------


def participants_sheet(*, event):
    tz = event.tzinfo
    columns = [
        Column(_("Organisation"), 32),
        Column(_("Organisation (Chinese)"), 24),
        Column(_("Country"), 18),
        Column(_("Sectors"), 40),
        Column(_("Side"), 14),
        Column(_("Status"), 20),
        Column(_("Participant"), 26),
        Column(_("E-mail"), 32),
        Column(_("Registered (%(zone)s)") % {"zone": event.timezone}, 22, is_datetime=True),
    ]
    registrations = (
        Registration.objects.filter(event=event)
        .select_related("organisation")
        .prefetch_related(Prefetch("organisation__sectors", queryset=Sector.objects.order_by("position", "pk")))
        .order_by("organisation__name", "name", "pk")
    )

    def row(registration):
        organisation = registration.organisation
        sectors = list(organisation.sectors.all())
        leaves = [sector for sector in sectors if sector.parent_id is not None] or sectors
        return [
            organisation.name,
            organisation.name_zh,
            str(organisation.country.name),
            "; ".join(sector.name for sector in leaves),
            _("Chinese side") if organisation.is_chinese_side else _("Nordic side"),
            registration.get_status_display(),
            registration.name,
            registration.email,
            local(registration.created_at, tz),
        ]

    return Sheet("participants", _("Participants"), columns, rows(registrations, row))


def requests_sheet(*, event):
    tz = event.tzinfo
    zone = {"zone": event.timezone}
    columns = [
        Column(_("Requested by"), 26),
        Column(_("Requester's organisation"), 32),
        Column(_("Requested of"), 26),
        Column(_("Recipient's organisation"), 32),
        Column(_("Status"), 14),
        Column(_("Sent (%(zone)s)") % zone, 22, is_datetime=True),
        Column(_("Answered (%(zone)s)") % zone, 22, is_datetime=True),
    ]
    requests = (
        MeetingRequest.objects.filter(event=event)
        .select_related("requester__organisation", "recipient__organisation")
        .order_by("created_at", "pk")
    )

    def row(meeting_request):
        return [
            meeting_request.requester.name,
            meeting_request.requester.organisation.display_name,
            meeting_request.recipient.name,
            meeting_request.recipient.organisation.display_name,
            meeting_request.get_status_display(),
            local(meeting_request.created_at, tz),
            local(meeting_request.responded_at, tz),
        ]

    return Sheet("requests", _("Meeting requests"), columns, rows(requests, row))


def schedule_sheet(*, event):
    tz = event.tzinfo
    zone = {"zone": event.timezone}
    columns = [
        Column(_("Starts (%(zone)s)") % zone, 22, is_datetime=True),
        Column(_("Ends (%(zone)s)") % zone, 22, is_datetime=True),
        Column(_("Table"), 16),
        Column(_("Participant A"), 26),
        Column(_("Organisation A"), 32),
        Column(_("Participant B"), 26),
        Column(_("Organisation B"), 32),
        Column(_("Status"), 14),
        Column(_("Locked"), 10),
        Column(_("Source"), 26),
    ]
    meetings = (
        Meeting.objects.filter(event=event)
        .select_related("slot", "table", "party_a__organisation", "party_b__organisation")
        .order_by("slot__starts_at", "table__position", "table__name", "pk")
    )

    def row(meeting):
        return [
            local(meeting.slot.starts_at, tz),
            local(meeting.slot.ends_at, tz),
            meeting.table.name if meeting.table_id else "",
            meeting.party_a.name,
            meeting.party_a.organisation.display_name,
            meeting.party_b.name,
            meeting.party_b.organisation.display_name,
            meeting.get_status_display(),
            pgettext("locked meeting", "yes") if meeting.locked else pgettext("locked meeting", "no"),
            meeting.get_source_display(),
        ]

    return Sheet("schedule", _("Schedule"), columns, rows(meetings, row))


def matches_sheet(*, event):
    columns = [
        Column(_("Demand"), 40),
        Column(_("Demand's owner"), 32),
        Column(_("Organisation"), 32),
        Column(_("Score"), 10),
        Column(_("Rank"), 8),
    ]
    attending = selectors.approved_participants(event=event).values("organisation_id")
    matches = (
        Match.objects.filter(published=True, organisation_id__in=attending, demand__organisation_id__in=attending)
        .select_related("organisation", "demand__organisation")
        .order_by(
            "demand__organisation__name", "demand__title", "demand_id", F("rank").asc(nulls_last=True), "-score", "pk"
        )
    )

    def row(match):
        return [
            match.demand.display_title,
            match.demand.organisation.display_name,
            match.organisation.display_name,
            round(match.score, 3),
            match.rank,
        ]

    return Sheet("matches", _("Matches"), columns, rows(matches, row))


KINDS = {
    "participants": participants_sheet,
    "requests": requests_sheet,
    "schedule": schedule_sheet,
    "matches": matches_sheet,
}


# --- helpers ------------------------------------------------------------------------------


def local(moment, tz):
    """``moment`` as a naive datetime on the wall clock of ``tz`` (Excel has no time zones)."""
    if moment is None:
        return None
    return moment.astimezone(tz).replace(tzinfo=None)


def rows(queryset, to_row):
    """The rows of ``queryset`` through ``to_row``, lazily, in the language active now."""
    language = translation.get_language()

    def generate():
        with translation.override(language):
            for obj in queryset.iterator(chunk_size=CHUNK):
                yield to_row(obj)

    return generate()
