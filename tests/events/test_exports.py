"""The schedule as a file (``events.exports``): the organisers' CSV.  The agenda's iCalendar is
tested through its page in ``test_agenda.py``."""

import csv
import io

import pytest

from events import exports
from tests.events.support import make_day
from tests.factories import meeting_create


@pytest.mark.django_db
def test_the_csv_export_lists_every_scheduled_meeting_in_the_events_time_zone(organiser):
    event, slots, tables, (ana, bo, cy, di, *_) = make_day(organiser)
    meeting_create(slot=slots[1], first=cy, second=di, table=tables[1], source="request")
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0], locked=True)
    meeting_create(slot=slots[2], first=ana, second=cy, status="cancelled")

    rows = list(csv.reader(io.StringIO(exports.schedule_csv(actor=organiser, event=event))))

    assert rows == [
        exports.CSV_HEADER,
        ["2027-01-14 09:00", "09:25", "Europe/Oslo", "Table 1", "Ana", ana.organisation.name, "Bo",
         bo.organisation.name, "yes", "manual"],
        ["2027-01-14 09:30", "09:55", "Europe/Oslo", "Table 2", "Cy", cy.organisation.name, "Di",
         di.organisation.name, "no", "request"],
    ]  # fmt: skip
