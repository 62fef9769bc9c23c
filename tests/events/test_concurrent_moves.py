"""Two organisers move two meetings at the same moment into one slot where they would double-book a participant.

Each move alone is fine; together they would put Ana in two meetings at once.  The
database (MeetingSeat's unique index, kept by triggers) lets exactly one commit; the
service turns the other one's IntegrityError into the organiser's clear message.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from events import organising
from events.models import Meeting, MeetingSeat
from tests.factories import (
    EventFactory,
    MeetingSlotFactory,
    RegistrationFactory,
    TableFactory,
    UserFactory,
    meeting_create,
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises all writers; the race needs PostgreSQL"
)
def test_two_simultaneous_moves_that_would_double_book_one_person_one_wins_one_gets_the_message():
    organiser = UserFactory()
    event = EventFactory()
    event.organisers.add(organiser)
    slot_1, slot_2, slot_3 = MeetingSlotFactory.create_batch(3, event=event)
    table_1, table_2 = TableFactory.create_batch(2, event=event)
    ana = RegistrationFactory(event=event, name="Ana")
    bo, cy = RegistrationFactory.create_batch(2, event=event)
    first = meeting_create(slot=slot_1, first=ana, second=bo, table=table_1)
    second = meeting_create(slot=slot_2, first=ana, second=cy, table=table_1)
    barrier = threading.Barrier(2)
    outcomes = {}

    def move(meeting, table):
        try:
            meeting = Meeting.objects.select_related("event", "slot", "table", "party_a", "party_b").get(pk=meeting.pk)
            barrier.wait(timeout=10)  # both have read; now both write
            organising.meeting_move(actor=organiser, meeting=meeting, slot=slot_3, table=table)
            outcomes[meeting.pk] = "moved"
        except ValidationError as exc:
            outcomes[meeting.pk] = exc.messages
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=move, args=args) for args in ((first, table_1), (second, table_2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    when = organising._hhmm(event, slot_3.starts_at)
    assert sorted(map(str, outcomes.values())) == sorted(["moved", str([f"Ana already has a meeting at {when}."])])
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "moved")
    loser = next(pk for pk, outcome in outcomes.items() if outcome != "moved")
    assert Meeting.objects.get(pk=winner).slot == slot_3
    assert Meeting.objects.get(pk=loser).slot in (slot_1, slot_2)  # where it was: nothing half-written
    assert MeetingSeat.objects.filter(slot=slot_3, registration=ana).count() == 1
    assert MeetingSeat.objects.filter(registration=ana).count() == 2
