"""Reads: events, registrations, participants with scores, requests, agendas; the organisers'
registrations list and schedule grid.

Every list is built with a fixed number of queries, whatever its length.
"""

import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from companies.models import Membership, Sector
from companies.permissions import acting_organisation_ids
from events import permissions
from events.models import Availability, Event, Meeting, MeetingPreference, MeetingRequest, MeetingSlot, Registration
from matchmaking.models import Match

SUGGESTED_COUNT = 5


@lru_cache(maxsize=1)
def timezone_names():
    return sorted(zoneinfo.available_timezones())


def valid_timezone(name):
    return name if name and name in set(timezone_names()) else None


# --- Events -------------------------------------------------------------------------


def event_lists(*, user):
    """(upcoming, past): the events ``user`` may see, upcoming soonest first, past latest first."""
    now = timezone.now()
    visible = permissions.visible_events(user).select_related("organising_organisation")
    upcoming = list(visible.filter(ends_at__gte=now).order_by("starts_at", "pk"))
    past = list(visible.filter(ends_at__lt=now).order_by("-starts_at", "-pk"))
    return upcoming, past


def visible_event_or_404(*, user, pk):
    return get_object_or_404(
        permissions.visible_events(user).select_related("organising_organisation", "region"), pk=pk
    )


def own_registration(*, user, event):
    """The user's registration for the event, the active one first, else the latest (declined, cancelled)."""
    if not user.is_authenticated:
        return None
    active = permissions.registration_of(user, event)
    if active is not None:
        return active
    return (
        Registration.objects.filter(event=event, user=user)
        .select_related("organisation")
        .order_by("-updated_at")
        .first()
    )


def registrable_organisations(*, user):
    """The organisations ``user`` may register on behalf of: those they are an active member of."""
    if not user.is_authenticated:
        return []
    memberships = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related("organisation")
    return sorted((m.organisation for m in memberships), key=lambda o: o.display_name.casefold())


def day_slots(*, event):
    return list(event.slots.order_by("starts_at"))


def availability_rows(*, registration):
    """[(slot, available)] for the event's meeting slots (not breaks); no row yet means available."""
    slots = registration.event.slots.filter(is_break=False).order_by("starts_at")
    stored = dict(Availability.objects.filter(registration=registration).values_list("slot_id", "available"))
    return [(slot, stored.get(slot.pk, True)) for slot in slots]


# --- Participants -------------------------------------------------------------------


@dataclass
class ParticipantRow:
    registration: Registration
    score: float | None = None
    preference: str = ""
    sent: MeetingRequest | None = None
    received: MeetingRequest | None = None
    sectors: list = field(default_factory=list)

    @property
    def score_percent(self):
        return None if self.score is None else round(100 * self.score)


def _sector_ids(slug):
    """A sector's id and, for a group, its leaves' ids; None for an unknown slug."""
    chosen = Sector.objects.filter(slug=slug).first()
    if chosen is None:
        return None
    return {chosen.pk} | set(Sector.objects.filter(parent=chosen).values_list("pk", flat=True))


def approved_participants(*, event):
    return Registration.objects.filter(event=event, status=Registration.Status.APPROVED)


def participant_countries(*, event):
    return sorted(set(approved_participants(event=event).values_list("organisation__country", flat=True)) - {""})


def match_scores(*, organisation, others):
    """{organisation id: best published match score} between ``organisation`` and each of ``others``,
    in either direction (it matched their demand, or they matched its demand).  One query."""
    if organisation is None or not others:
        return {}
    matches = Match.objects.filter(published=True).filter(
        Q(organisation=organisation, demand__organisation_id__in=others)
        | Q(organisation_id__in=others, demand__organisation=organisation)
    )
    scores = {}
    for organisation_id, demand_owner_id, score in matches.values_list(
        "organisation_id", "demand__organisation_id", "score"
    ):
        other = demand_owner_id if organisation_id == organisation.pk else organisation_id
        scores[other] = max(scores.get(other, 0.0), score)
    return scores


def participants(*, event, viewer, sector="", country="", side=""):
    """The event's approved participants (the viewer's own registration left out), filtered, as
    ParticipantRows with the viewer's match score, preference and requests; and the suggested ones.

    Returns (rows, suggested): rows by organisation and name, suggested = the strongest matches.
    """
    queryset = (
        approved_participants(event=event)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("organisation__sectors", queryset=Sector.objects.select_related("parent").order_by("position"))
        )
        .order_by("organisation__name", "name", "pk")
    )
    if viewer is not None:
        queryset = queryset.exclude(pk=viewer.pk)
    if sector:
        ids = _sector_ids(sector)
        queryset = queryset.none() if ids is None else queryset.filter(organisation__sectors__in=ids).distinct()
    if country:
        queryset = queryset.filter(organisation__country=country)
    if side == "cn":
        queryset = queryset.filter(organisation__country="CN")
    elif side == "nordic":
        queryset = queryset.exclude(organisation__country="CN")
    registrations = list(queryset)

    scores, preferences, sent, received = {}, {}, {}, {}
    if viewer is not None and registrations:
        others = {r.organisation_id for r in registrations} - {viewer.organisation_id}
        scores = match_scores(organisation=viewer.organisation, others=others)
        if event.matchmaking_mode == Event.MatchmakingMode.PREFERENCES:
            preferences = dict(MeetingPreference.objects.filter(registration=viewer).values_list("target_id", "level"))
        else:
            requests = MeetingRequest.objects.filter(Q(requester=viewer) | Q(recipient=viewer)).order_by("created_at")
            for meeting_request in requests:
                if meeting_request.requester_id == viewer.pk:
                    sent[meeting_request.recipient_id] = meeting_request
                else:
                    received[meeting_request.requester_id] = meeting_request

    rows = []
    for registration in registrations:
        leaves = [s for s in registration.organisation.sectors.all() if s.parent_id is not None]
        rows.append(
            ParticipantRow(
                registration=registration,
                score=scores.get(registration.organisation_id),
                preference=preferences.get(registration.pk, ""),
                sent=sent.get(registration.pk),
                received=received.get(registration.pk),
                sectors=leaves or list(registration.organisation.sectors.all()),
            )
        )
    scored = sorted((row for row in rows if row.score), key=lambda row: -row.score)
    return rows, scored[:SUGGESTED_COUNT]


def participant_row(*, event, viewer, target_pk):
    """One participant's row (after a button on it was used), or 404."""
    target = get_object_or_404(approved_participants(event=event).select_related("organisation"), pk=target_pk)
    rows, _unused = participants(event=event, viewer=viewer)
    return next((row for row in rows if row.registration.pk == target.pk), None) or ParticipantRow(registration=target)


# --- Requests and meetings ----------------------------------------------------------


def requests_for(*, registration):
    """(sent, received) meeting requests of a registration, newest first, with the other party loaded."""
    base = MeetingRequest.objects.select_related("requester__organisation", "recipient__organisation")
    sent = list(base.filter(requester=registration).order_by("-created_at"))
    received = list(base.filter(recipient=registration).order_by("-created_at"))
    return sent, received


def place_label(table_name):
    """Label a table: "A3" → "Table A3"; a name that says what it is ("Table 1", "Virtual room 1") stays as it is."""
    if not table_name or any(character.isspace() for character in table_name):
        return table_name
    return _("Table %(name)s") % {"name": table_name}


@dataclass
class AgendaItem:
    meeting: Meeting
    ours: Registration
    other: Registration
    place: str
    video_link: str

    @property
    def place_label(self):
        return place_label(self.place)


def agenda_registrations(*, user, event):
    """The registrations whose meetings ``user`` may see in the agenda: their own approved one, and
    the approved ones of the organisations they are an active member of."""
    if not user.is_authenticated or getattr(user, "api_key", None) is not None:
        return Registration.objects.none()
    return Registration.objects.filter(event=event, status=Registration.Status.APPROVED).filter(
        Q(user=user) | Q(organisation_id__in=acting_organisation_ids(user))
    )


def agenda(*, user, event, registrations=None):
    """The scheduled meetings of ``user``'s registrations at ``event`` (see agenda_registrations), in time order."""
    ours = set(
        (registrations if registrations is not None else agenda_registrations(user=user, event=event)).values_list(
            "pk", flat=True
        )
    )
    meetings = (
        Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED)
        .filter(Q(party_a_id__in=ours) | Q(party_b_id__in=ours))
        .select_related("slot", "table", "party_a__organisation", "party_b__organisation", "event")
        .order_by("slot__starts_at", "pk")
    )
    items = []
    for meeting in meetings:
        mine, other = (meeting.party_a, meeting.party_b)
        if mine.pk not in ours:
            mine, other = other, mine
        table = meeting.table
        items.append(
            AgendaItem(
                meeting=meeting,
                ours=mine,
                other=other,
                place=table.name if table else "",
                video_link=meeting.video_link or (table.video_link if table else ""),
            )
        )
    return items


# --- the organisers' pages ------------------------------------------------------------


def organiser_registrations(*, event):
    """Every registration of the event, for the organisers' overview: by status, organisation, name."""
    return event.registrations.select_related("organisation", "user").order_by("status", "organisation__name", "name")


def slots_by_day(*, event):
    """[(local date, [slots])] of the event, in time order (the set-up page)."""
    tz = event.tzinfo
    days = {}
    for slot in event.slots.order_by("starts_at"):
        days.setdefault(slot.starts_at.astimezone(tz).date(), []).append(slot)
    return sorted(days.items())


@dataclass
class GridRow:
    slot: MeetingSlot
    cells: list  # one meeting or None per table, in position order
    unplaced: list  # meetings of the slot without a table


def schedule_grid(*, event):
    """Slots × tables of the event with the scheduled meetings, in a few queries."""
    tables = list(event.tables.order_by("position", "name", "pk"))
    column = {table.pk: i for i, table in enumerate(tables)}
    rows = {
        slot.pk: GridRow(slot=slot, cells=[None] * len(tables), unplaced=[])
        for slot in event.slots.order_by("starts_at")
    }
    meetings = (
        Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED)
        .select_related("party_a__organisation", "party_b__organisation", "table")
        .order_by("slot__starts_at", "pk")
    )
    for meeting in meetings:
        row = rows.get(meeting.slot_id)
        if row is None:
            continue
        if meeting.table_id in column:
            row.cells[column[meeting.table_id]] = meeting
        else:
            row.unplaced.append(meeting)
    return tables, list(rows.values())


def registration_counts(*, event):
    counts = dict.fromkeys(Registration.Status.values, 0)
    for status in event.registrations.values_list("status", flat=True):
        counts[status] += 1
    return counts
