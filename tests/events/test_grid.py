"""The organisers' edits on the grid (``events.services.grid``): move, lock, cancel, add by hand.

Moves race for real on PostgreSQL (two threads, two connections): the database decides.
"""

import threading

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection

from events.models import Meeting, MeetingSeat
from events.services import grid
from tests.events.support import make_day, snapshot
from tests.factories import (
    EventFactory,
    MeetingSlotFactory,
    RegistrationFactory,
    TableFactory,
    UserFactory,
    meeting_create,
)


@pytest.mark.django_db
def test_a_conflicting_move_is_refused_with_a_clear_message_and_nothing_changes(organiser):
    event, slots, tables, (ana, bo, cy, *_) = make_day(organiser)
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    later = meeting_create(slot=slots[1], first=ana, second=cy, table=tables[0])
    before = snapshot(event)

    with pytest.raises(ValidationError) as refused:
        grid.meeting_move(actor=organiser, meeting=later, slot=slots[0], table=tables[1])

    assert refused.value.messages == ["Ana already has a meeting at 09:00."]
    assert snapshot(event) == before


@pytest.mark.django_db
def test_a_move_onto_a_busy_table_is_refused(organiser):
    event, slots, tables, (ana, bo, cy, di, *_) = make_day(organiser)
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    later = meeting_create(slot=slots[1], first=cy, second=di, table=tables[0])

    with pytest.raises(ValidationError, match="Table 1 already has a meeting at 09:00"):
        grid.meeting_move(actor=organiser, meeting=later, slot=slots[0], table=tables[0])
    later.refresh_from_db()
    assert later.slot == slots[1]


@pytest.mark.django_db
def test_a_move_locks_the_meeting_and_tells_both_parties(organiser, django_capture_on_commit_callbacks):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    meeting = meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])

    with django_capture_on_commit_callbacks(execute=True):
        grid.meeting_move(actor=organiser, meeting=meeting, slot=slots[2], table=tables[1])

    meeting.refresh_from_db()
    assert (meeting.slot, meeting.table, meeting.locked) == (slots[2], tables[1], True)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]
    assert "09:00" in mail.outbox[0].body and "10:00" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_cancel_frees_the_seats_and_tells_both_parties(organiser, django_capture_on_commit_callbacks):
    event, slots, tables, (ana, bo, cy, *_) = make_day(organiser)
    meeting = meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0], locked=True)

    with django_capture_on_commit_callbacks(execute=True):
        grid.meeting_cancel(actor=organiser, meeting=meeting)

    meeting.refresh_from_db()
    assert (meeting.status, meeting.locked) == ("cancelled", False)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]
    grid.meeting_add(actor=organiser, event=event, first=ana, second=cy, slot=slots[0], table=tables[0])


@pytest.mark.django_db
def test_adding_a_meeting_by_hand_refuses_a_pair_that_already_meets(organiser):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    grid.meeting_add(actor=organiser, event=event, first=bo, second=ana, slot=slots[0], table=tables[0])

    with pytest.raises(ValidationError, match="Ana and Bo already meet at 09:00"):
        grid.meeting_add(actor=organiser, event=event, first=ana, second=bo, slot=slots[1], table=tables[0])
    assert Meeting.objects.filter(event=event).count() == 1


@pytest.mark.django_db
def test_lock_and_unlock(organiser):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    meeting = meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    grid.meeting_set_locked(actor=organiser, meeting=meeting, locked=True)
    assert Meeting.objects.get(pk=meeting.pk).locked is True
    grid.meeting_set_locked(actor=organiser, meeting=meeting, locked=False)
    assert Meeting.objects.get(pk=meeting.pk).locked is False


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
            grid.meeting_move(actor=organiser, meeting=meeting, slot=slot_3, table=table)
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

    when = f"{slot_3.starts_at.astimezone(event.tzinfo):%H:%M}"
    assert sorted(map(str, outcomes.values())) == sorted(["moved", str([f"Ana already has a meeting at {when}."])])
    winner = next(pk for pk, outcome in outcomes.items() if outcome == "moved")
    loser = next(pk for pk, outcome in outcomes.items() if outcome != "moved")
    assert Meeting.objects.get(pk=winner).slot == slot_3
    assert Meeting.objects.get(pk=loser).slot in (slot_1, slot_2)  # where it was: nothing half-written
    assert MeetingSeat.objects.filter(slot=slot_3, registration=ana).count() == 1
    assert MeetingSeat.objects.filter(registration=ana).count() == 2
