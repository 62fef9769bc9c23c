"""Events, registrations and the B2B meetings scheduled at them, one module per topic:

* ``events``: ``Event`` and its ``Registration`` rows (who takes part, for which organisation);
* ``meeting_day``: ``MeetingSlot``, ``Table``, ``Availability``;
* ``wishes``: ``MeetingRequest`` and ``MeetingPreference``;
* ``meetings``: ``Meeting``, ``MeetingSeat`` (double bookings are impossible in the database
  itself), ``SchedulingRun``.

Everything is importable from ``events.models``, as Django and the migrations expect.
"""

from events.models.events import Event, Registration, validate_timezone
from events.models.meeting_day import Availability, MeetingSlot, Table
from events.models.meetings import Meeting, MeetingSeat, SchedulingRun
from events.models.wishes import MeetingPreference, MeetingRequest

__all__ = [
    "Availability",
    "Event",
    "Meeting",
    "MeetingPreference",
    "MeetingRequest",
    "MeetingSeat",
    "MeetingSlot",
    "Registration",
    "SchedulingRun",
    "Table",
    "validate_timezone",
]
