"""The organiser's dashboard of an event: its figures (``events.dashboard``) drawn as server-side SVG.

The same organiser rule as the other organiser pages (``organise.organised_event``).  This
module only shapes the figures into charts: each ``BarChart`` holds the geometry the template
draws (bar lengths in per cent of the chart's width, rows in pixels, so the labels keep their
size on a phone) and the rows of the table of the same figures shown under it.
"""

from dataclasses import dataclass, field

from django.contrib.auth.decorators import login_required
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events import dashboard
from events.models import Event, MeetingPreference
from events.views.organise import organised_event, organiser_page

BAR_SPACE = 82  # per cent of the width the longest bar takes; the rest holds its figure
LABEL_HEIGHT = 20
BAR_HEIGHT = 14
BAR_GAP = 4
ROW_GAP = 10
STEP_WIDTH, STEP_HEIGHT = 1000, 100  # the step chart's own coordinates, stretched to its box


@dataclass
class Bar:
    series: str
    width: float  # per cent of the chart's width
    text: str
    y: int = 0


@dataclass
class Row:
    label: str
    bars: list
    y: int = 0
    cells: list = field(default_factory=list)  # the table's figures, one per series


@dataclass
class BarChart:
    key: str
    title: str
    label_heading: str
    series: list  # [(css key, label)]
    rows: list
    height: int = 0
    note: str = ""


def bar_chart(*, key, title, label_heading, series, rows, note="", shares=False):
    """``rows`` = [(label, [value per series])]; bars scale to the largest value, or with ``shares``
    each series to its own total (to compare distributions of different sizes)."""
    totals = [sum(values[i] for _label, values in rows) for i in range(len(series))]
    largest = max((v for _label, values in rows for v in values), default=0)
    shaped, y = [], 0
    for label, values in rows:
        bars, cells = [], []
        for i, value in enumerate(values):
            if shares:
                share = value / totals[i] if totals[i] else 0.0
                width = BAR_SPACE * share
                text = f"{round(100 * share)} % ({value})"
            else:
                width = BAR_SPACE * value / largest if largest else 0.0
                text = str(value)
            bars.append(Bar(series=series[i][0], width=round(width, 2), text=text))
            cells.append(text)
        row = Row(label=str(label), bars=bars, y=y, cells=cells)
        for i, bar in enumerate(bars):
            bar.y = y + LABEL_HEIGHT + i * (BAR_HEIGHT + BAR_GAP)
        shaped.append(row)
        y += LABEL_HEIGHT + len(bars) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    return BarChart(key=key, title=title, label_heading=label_heading, series=series, rows=shaped, height=y, note=note)


def step_chart(days):
    """The cumulative registrations as a step line and area in ``STEP_WIDTH × STEP_HEIGHT``, by date."""
    if not days:
        return None
    # Each day is a cell of the width; the line rises in the middle of the day's cell, from 0.
    first, last = days[0].day, days[-1].day
    cells = (last - first).days + 1
    top = days[-1].total or 1

    def x(day):
        return round(STEP_WIDTH * ((day - first).days + 0.5) / cells, 1)

    def y(total):
        return round(STEP_HEIGHT - STEP_HEIGHT * total / top, 1)

    line = [f"M0,{STEP_HEIGHT}"]
    for day in days:
        line.append(f"H{x(day.day)}V{y(day.total)}")
    line.append(f"H{STEP_WIDTH}")
    path = "".join(line)
    return {
        "line": path,
        "area": f"{path}V{STEP_HEIGHT}Z",
        "first": formats.date_format(first, "SHORT_DATE_FORMAT"),
        "last": formats.date_format(last, "SHORT_DATE_FORMAT"),
        "total": days[-1].total,
    }


def _funnel_chart(funnel):
    meetings = [
        (_("Meetings scheduled"), [funnel.meetings_scheduled]),
        (_("Meetings cancelled"), [funnel.meetings_cancelled]),
    ]
    if funnel.mode == Event.MatchmakingMode.PREFERENCES:
        given = [(_("Preferences given"), [funnel.sent])]
        given += [(level.label, [funnel.preferences.get(level.value, 0)]) for level in MeetingPreference.Level]
    else:
        given = [
            (_("Requests sent"), [funnel.sent]),
            (_("Accepted"), [funnel.accepted]),
            (_("Declined"), [funnel.declined]),
            (_("Unanswered"), [funnel.pending]),
            (_("Cancelled"), [funnel.cancelled]),
        ]
    return bar_chart(key="funnel", title=_("Meeting funnel"), label_heading=_("Stage"),
                     series=[("count", _("Number"))], rows=given + meetings)  # fmt: skip


def _slot_label(slot, zone, with_day):
    starts_at, ends_at = timezone.localtime(slot.starts_at, zone), timezone.localtime(slot.ends_at, zone)
    times = f"{starts_at:%H:%M}–{ends_at:%H:%M}"
    return f"{formats.date_format(starts_at, 'MONTH_DAY_FORMAT')} {times}" if with_day else times


def _slot_chart(slots, tables, zone):
    with_day = len({timezone.localtime(slot.starts_at, zone).date() for slot in slots}) > 1
    rows = [(_slot_label(slot, zone, with_day), [slot.meetings, tables]) for slot in slots]
    return bar_chart(key="slots", title=_("Meetings per slot and table use"), label_heading=_("Slot"),
                     series=[("meetings", _("Meetings")), ("tables", _("Tables"))], rows=rows)  # fmt: skip


def _score_note(unmatched):
    note = _(
        "Each bar is its share of the series' total, the number in brackets. A meeting counts at the best "
        "published match between its two organisations."
    )
    if unmatched:
        note += " " + ngettext(
            "%(count)s scheduled meeting is between organisations with no published match.",
            "%(count)s scheduled meetings are between organisations with no published match.",
            unmatched,
        ) % {"count": unmatched}
    return note


def charts(figures, zone):
    def single(key, title, heading, rows):
        rows = [(row.label, [row.value]) for row in rows]
        return bar_chart(key=key, title=title, label_heading=heading, series=[("count", _("Participants"))], rows=rows)

    return {
        "country": single("country", _("Participants by country"), _("Country"), figures.by_country),
        "side": single("side", _("Participants by side"), _("Side"), figures.by_side),
        "sector": single("sector", _("Participants by sector"), _("Sector"), figures.by_sector),
        "funnel": _funnel_chart(figures.funnel),
        "slots": _slot_chart(figures.slots, figures.tables, zone),
        "scores": bar_chart(
            key="scores",
            title=_("Match scores: scheduled meetings against all matches"),
            label_heading=_("Score"),
            series=[("meetings", _("Scheduled meetings")), ("matches", _("Published matches between participants"))],
            rows=[(bucket.label, [bucket.meetings, bucket.matches]) for bucket in figures.scores]
            if any(bucket.matches for bucket in figures.scores)
            else [],
            note=_score_note(figures.meetings_without_match),
            shares=True,
        ),
        "supply": bar_chart(
            key="supply",
            title=_("Demand against supply by sector"),
            label_heading=_("Sector"),
            series=[("demands", _("Open demands")), ("suppliers", _("Organisations offering it"))],
            rows=[(row.label, [row.demands, row.suppliers]) for row in figures.demand_supply],
            note=_(
                "Open demands of the participants' organisations, and participants' organisations with the sector "
                "in their profile."
            ),
        ),
    }


@login_required
def dashboard_page(request, pk):
    event = organised_event(request, pk)
    figures = dashboard.event_dashboard(event=event)
    context = {
        "figures": figures,
        "charts": charts(figures, event.tzinfo),
        "registrations": step_chart(figures.registrations),
        "preferences_mode": event.matchmaking_mode == Event.MatchmakingMode.PREFERENCES,
    }
    return organiser_page(request, "dashboard.html", event, "dashboard", context)
