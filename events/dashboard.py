"""The figures of an event's dashboard for its organisers: pure reads, aggregated in the database.

``event_dashboard(event=…)`` returns a ``Dashboard`` computed in a fixed number of queries
(13 in requests mode), whatever the number of participants, requests or meetings: every
figure is one ``values()``/``annotate(Count(…))`` query or one flat ``values_list``, never a
query per row.  ``headline(event=…)`` gives the funnel's headline figures in one query for the
organiser's landing page.

Words used here:
* a *participant* is an approved registration; its organisation is a participant organisation;
* a participant's *side* is the matching's (``Organisation.is_chinese_side``): country CN is the
  Chinese side, every other country the Nordic side;
* a *sector group* is a top-level sector; an organisation or a demand counts once per group
  it has a sector in (a leaf counts for its parent);
* *published matches between participants* are the published ``Match`` rows whose demand's
  owner and whose organisation are both participant organisations.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _
from django_countries import countries

from companies.models import CHINA, Organisation, Sector
from events.models import Event, Meeting, MeetingPreference, MeetingRequest, Registration
from matchmaking.models import Demand, Match

SCORE_BUCKETS = 10  # buckets of 0.1: [0.0, 0.1), …, [0.9, 1.0]


@dataclass
class DayCount:
    day: datetime.date
    new: int
    total: int


@dataclass
class Figure:
    """One labelled figure (a bar of a chart, a row of its table)."""

    label: str
    value: int


@dataclass
class Funnel:
    mode: str
    sent: int = 0
    accepted: int = 0
    declined: int = 0
    pending: int = 0
    cancelled: int = 0
    preferences: dict = field(default_factory=dict)  # level → count, in preferences mode
    meetings_scheduled: int = 0
    meetings_cancelled: int = 0


@dataclass
class SlotUse:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    meetings: int
    tables: int

    @property
    def percent(self):
        return round(100 * self.meetings / self.tables) if self.tables else None


@dataclass
class ScoreBucket:
    low: float
    meetings: int
    matches: int

    @property
    def label(self):
        return f"{self.low:.1f}–{self.low + 0.1:.1f}"


@dataclass
class SectorBalance:
    label: str
    demands: int
    suppliers: int


@dataclass
class Dashboard:
    registrations: list  # [DayCount], by day in the event's time zone
    participants: int
    by_country: list  # [Figure], largest first
    by_side: list  # [Figure]
    by_sector: list  # [Figure], largest first
    funnel: Funnel
    slots: list  # [SlotUse], in order
    tables: int
    without_meeting: list  # [Registration], by organisation and name
    scores: list  # [ScoreBucket], low to high
    meetings_without_match: int  # scheduled meetings whose pair has no published match
    demand_supply: list  # [SectorBalance], in the taxonomy's order


def participants_of(event):
    return Registration.objects.filter(event=event, status=Registration.Status.APPROVED)


def _participant_organisations(event):
    return participants_of(event).values("organisation_id")


def _scheduled(event):
    return Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED)


def _without_meeting(event):
    """Participants in no scheduled meeting (the no-meeting reminder's candidates, reminded or not)."""
    scheduled = _scheduled(event)
    return (
        participants_of(event)
        .exclude(pk__in=scheduled.values("party_a_id"))
        .exclude(pk__in=scheduled.values("party_b_id"))
    )


# --- registrations and participants -----------------------------------------------------


def registrations_by_day(event):
    """New registrations (every status) per day of creation in the event's time zone, and the running total."""
    rows = (
        Registration.objects.filter(event=event)
        .annotate(day=TruncDate("created_at", tzinfo=event.tzinfo))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    total, days = 0, []
    for row in rows:
        total += row["n"]
        days.append(DayCount(day=row["day"], new=row["n"], total=total))
    return days


def by_country(per_country):
    """{country code: participants} → [Figure], largest first."""
    figures = [Figure(label=countries.name(code) or "—", value=n) for code, n in per_country.items()]
    return sorted(figures, key=lambda c: (-c.value, c.label))


def by_side(per_country):
    """{country code: participants} → [Chinese side, Nordic side]."""
    chinese = per_country.get(CHINA, 0)
    nordic = sum(per_country.values()) - chinese
    return [Figure(label=_("Chinese side"), value=chinese), Figure(label=_("Nordic side"), value=nordic)]


def _group_counts(queryset, sector_path, counted):
    """{top-level sector id: distinct ``counted``} over ``queryset``'s sectors at ``sector_path``."""
    rows = (
        queryset.annotate(group=Coalesce(f"{sector_path}__parent", f"{sector_path}__id", output_field=IntegerField()))
        .filter(group__isnull=False)
        .values("group")
        .annotate(n=Count(counted, distinct=True))
        .order_by()
    )
    return {row["group"]: row["n"] for row in rows}


def by_sector(event, groups):
    counts = _group_counts(participants_of(event), "organisation__sectors", "pk")
    figures = [Figure(label=sector.name, value=counts[sector.pk]) for sector in groups if counts.get(sector.pk)]
    return sorted(figures, key=lambda c: -c.value)


# --- requests and meetings --------------------------------------------------------------


def funnel(event):
    figures = Funnel(mode=event.matchmaking_mode)
    if event.matchmaking_mode == Event.MatchmakingMode.PREFERENCES:
        rows = MeetingPreference.objects.filter(registration__event=event).values_list("level").annotate(n=Count("pk"))
        figures.preferences = dict(rows.order_by())
        figures.sent = sum(figures.preferences.values())
    else:
        rows = dict(MeetingRequest.objects.filter(event=event).values_list("status").annotate(n=Count("pk")).order_by())
        status = MeetingRequest.Status
        figures.accepted = rows.get(status.ACCEPTED, 0)
        figures.declined = rows.get(status.DECLINED, 0)
        figures.pending = rows.get(status.REQUESTED, 0)
        figures.cancelled = rows.get(status.CANCELLED, 0)
        figures.sent = sum(rows.values())
    meetings = dict(Meeting.objects.filter(event=event).values_list("status").annotate(n=Count("pk")).order_by())
    figures.meetings_scheduled = meetings.get(Meeting.Status.SCHEDULED, 0)
    figures.meetings_cancelled = meetings.get(Meeting.Status.CANCELLED, 0)
    return figures


def slot_use(event):
    """(slots, tables): the meeting slots (not breaks) with their scheduled meetings, and the number of tables."""
    tables = event.tables.count()
    slots = (
        event.slots.filter(is_break=False)
        .annotate(scheduled=Count("meetings", filter=Q(meetings__status=Meeting.Status.SCHEDULED)))
        .order_by("starts_at")
    )
    rows = [SlotUse(starts_at=s.starts_at, ends_at=s.ends_at, meetings=s.scheduled, tables=tables) for s in slots]
    return rows, tables


def without_meeting(event):
    return list(_without_meeting(event).select_related("organisation").order_by("organisation__name", "name", "pk"))


# --- matches ----------------------------------------------------------------------------


def _bucket(score):
    return min(int(score * SCORE_BUCKETS + 1e-9), SCORE_BUCKETS - 1)


def score_distribution(event):
    """([ScoreBucket], meetings without a match): the published matches between participants per
    score bucket, and the scheduled meetings per bucket of their pair's best match (either direction)."""
    organisations = _participant_organisations(event)
    matches = Match.objects.filter(
        published=True, organisation_id__in=organisations, demand__organisation_id__in=organisations
    ).values_list("organisation_id", "demand__organisation_id", "score")
    match_counts = [0] * SCORE_BUCKETS
    best = {}
    for organisation_id, owner_id, score in matches:
        match_counts[_bucket(score)] += 1
        pair = frozenset((organisation_id, owner_id))
        best[pair] = max(best.get(pair, 0.0), score)
    meeting_counts, unmatched = [0] * SCORE_BUCKETS, 0
    pairs = _scheduled(event).values_list("party_a__organisation_id", "party_b__organisation_id")
    for first, second in pairs:
        score = best.get(frozenset((first, second)))
        if score is None:
            unmatched += 1
        else:
            meeting_counts[_bucket(score)] += 1
    buckets = [
        ScoreBucket(low=i / SCORE_BUCKETS, meetings=meeting_counts[i], matches=match_counts[i])
        for i in range(SCORE_BUCKETS)
    ]
    return buckets, unmatched


def demand_supply(event, groups):
    """Per sector group: open demands of participant organisations, and participant organisations offering it."""
    organisations = _participant_organisations(event)
    demands = _group_counts(
        Demand.objects.filter(status=Demand.Status.OPEN, organisation_id__in=organisations), "sectors", "pk"
    )
    suppliers = _group_counts(Organisation.objects.filter(pk__in=organisations), "sectors", "pk")
    return [
        SectorBalance(label=sector.name, demands=demands.get(sector.pk, 0), suppliers=suppliers.get(sector.pk, 0))
        for sector in groups
        if demands.get(sector.pk) or suppliers.get(sector.pk)
    ]


# --- the whole page, and the landing page's headline ------------------------------------


def event_dashboard(*, event):
    groups = list(Sector.objects.filter(parent__isnull=True).order_by("position", "pk"))
    per_country = dict(participants_of(event).values_list("organisation__country").annotate(n=Count("pk")).order_by())
    slots, tables = slot_use(event)
    scores, unmatched = score_distribution(event)
    return Dashboard(
        registrations=registrations_by_day(event),
        participants=sum(per_country.values()),
        by_country=by_country(per_country),
        by_side=by_side(per_country),
        by_sector=by_sector(event, groups),
        funnel=funnel(event),
        slots=slots,
        tables=tables,
        without_meeting=without_meeting(event),
        scores=scores,
        meetings_without_match=unmatched,
        demand_supply=demand_supply(event, groups),
    )


def _count(queryset):
    """A scalar subquery counting ``queryset``'s rows (a constant grouping key means no GROUP BY)."""
    counted = queryset.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), 0)


def headline(*, event):
    """{sent, accepted, meetings, without_meeting} in one query; in preferences mode ``sent`` is
    the number of preferences given and ``accepted`` is None."""
    preferences = event.matchmaking_mode == Event.MatchmakingMode.PREFERENCES
    requests = MeetingRequest.objects.filter(event=event)
    sent = MeetingPreference.objects.filter(registration__event=event) if preferences else requests
    counts = {
        "sent": _count(sent),
        "accepted": _count(requests.filter(status=MeetingRequest.Status.ACCEPTED)),
        "meetings": _count(_scheduled(event)),
        "without_meeting": _count(_without_meeting(event)),
    }
    annotated = Event.objects.filter(pk=event.pk).annotate(**{f"n_{name}": count for name, count in counts.items()})
    figures = dict(zip(counts, annotated.values_list(*[f"n_{name}" for name in counts]).get(), strict=True))
    if preferences:
        figures["accepted"] = None
    return figures
