"""An event as files, one module per topic:

* ``sheets``: the organisers' exports (participants, meeting requests, schedule, matches) as a
  header and lazy rows, built in a constant number of queries;
* ``writers``: a sheet as ``.xlsx`` or as CSV;
* ``schedule_csv``: the first schedule CSV of the grid page (machine-readable column names);
* ``ical``: a participant's agenda as iCalendar.

Decisions for the sheets (``/events/<id>/organise/exports/<kind>.<xlsx|csv>``):

* ``.xlsx`` with openpyxl's write-only workbook, so memory stays flat however many rows; the
  workbook is written to a temporary file and streamed from there.  One sheet per export, the
  header row frozen (``freeze_panes = "A2"``), column widths set.
* CSV streams (``StreamingHttpResponse``) as UTF-8 *with* a byte-order mark: Excel needs it to
  read Chinese text as UTF-8, and other tools (Python's ``utf-8-sig``, LibreOffice, Numbers)
  accept it.
* Times are written in the event's time zone, which the column's title names
  ("Starts (Europe/Oslo)"): in ``.xlsx`` as naive Excel date-times on that wall clock (Excel
  has no time zones), in CSV as ``YYYY-MM-DD HH:MM``.
* Column titles and status words are in the organiser's language; names are as stored, Chinese
  included.  Text never turns into a formula (see ``writers``).
* A few tens of thousands of rows take seconds, inside one request; none of the anchors' events
  comes near that, so there is no background task for now.
"""

from events.exports.ical import agenda_calendar, meeting_uid
from events.exports.schedule_csv import CSV_HEADER, schedule_csv

__all__ = ["CSV_HEADER", "agenda_calendar", "meeting_uid", "schedule_csv"]
