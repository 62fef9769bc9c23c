"""The schedule as the organisers' first CSV (``/events/<id>/organise/schedule.csv``): one line per
scheduled meeting, times in the event's zone, machine-readable column names, no BOM.  The richer,
translated sheets are in ``events.exports.sheets``."""

import csv
import io

from events import permissions
from events.models import Meeting

CSV_HEADER = [
    "slot_start", "slot_end", "time_zone", "table", "party_a", "party_a_organisation",
    "party_b", "party_b_organisation", "locked", "source",
]  # fmt: skip


def schedule_csv(*, actor, event):
    """The whole schedule as CSV text: one line per scheduled meeting, times in the event's zone."""
    permissions.require_organiser(actor, event)
    meetings = (
        Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED)
        .select_related("slot", "table", "party_a__organisation", "party_b__organisation")
        .order_by("slot__starts_at", "table__position", "table__name", "pk")
    )
    tz = event.tzinfo
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for m in meetings:
        writer.writerow(
            [
                f"{m.slot.starts_at.astimezone(tz):%Y-%m-%d %H:%M}", f"{m.slot.ends_at.astimezone(tz):%H:%M}",
                event.timezone, m.table.name if m.table_id else "",
                m.party_a.name, m.party_a.organisation.name, m.party_b.name, m.party_b.organisation.name,
                "yes" if m.locked else "no", m.source,
            ]
        )  # fmt: skip
    return out.getvalue()
