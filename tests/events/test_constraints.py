"""Double bookings are refused by the database itself: rows written past every form and service."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from events.models import Meeting, MeetingRequest, MeetingSeat
from tests.factories import EventFactory, MeetingSlotFactory, RegistrationFactory, TableFactory, meeting_create


@pytest.fixture
def day():
    event = EventFactory()
    slots = MeetingSlotFactory.create_batch(2, event=event)
    tables = TableFactory.create_batch(2, event=event)
    people = RegistrationFactory.create_batch(4, event=event)
    return event, slots, tables, people


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.mark.django_db
def test_a_meeting_with_oneself_is_refused(day):
    event, slots, tables, (ana, *_) = day
    refused(lambda: Meeting.objects.create(event=event, slot=slots[0], party_a=ana, party_b=ana))


@pytest.mark.django_db
def test_parties_are_stored_in_canonical_order(day):
    event, slots, tables, (ana, bo, *_) = day
    first, second = sorted([ana, bo], key=lambda r: r.pk)
    refused(lambda: Meeting.objects.create(event=event, slot=slots[0], party_a=second, party_b=first))


@pytest.mark.django_db
def test_a_table_serves_one_meeting_per_slot(day):
    event, slots, tables, (ana, bo, cy, di) = day
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])

    refused(lambda: meeting_create(slot=slots[0], first=cy, second=di, table=tables[0]))

    meeting_create(slot=slots[0], first=cy, second=di, table=tables[1])
    meeting_create(slot=slots[1], first=ana, second=cy, table=tables[0])
    assert Meeting.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("first", "second"), [(0, 2), (2, 0), (1, 2), (2, 1)])
def test_nobody_is_in_two_meetings_of_the_same_slot_on_either_side(day, first, second):
    event, slots, tables, people = day
    meeting_create(slot=slots[0], first=people[0], second=people[1], table=tables[0])
    # people[first] or people[second] is already busy in slot 0, whichever side of the pair they are on.
    refused(lambda: meeting_create(slot=slots[0], first=people[first], second=people[second], table=tables[1]))
    assert MeetingSeat.objects.count() == 2


@pytest.mark.django_db
def test_moving_a_meeting_into_a_slot_where_a_party_is_busy_is_refused_by_the_database(day):
    event, slots, tables, (ana, bo, cy, di) = day
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    later = meeting_create(slot=slots[1], first=ana, second=cy, table=tables[0])

    def move():
        Meeting.objects.filter(pk=later.pk).update(slot=slots[0], table=tables[1])

    refused(move)
    later.refresh_from_db()
    assert later.slot == slots[1]
    assert set(later.seats.values_list("slot", flat=True)) == {slots[1].pk}


@pytest.mark.django_db
def test_seats_follow_moves_and_cancelling_frees_them(day):
    event, slots, tables, (ana, bo, cy, di) = day
    meeting = meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    assert sorted(meeting.seats.values_list("slot", "registration")) == sorted(
        [(slots[0].pk, ana.pk), (slots[0].pk, bo.pk)]
    )

    meeting.slot = slots[1]
    meeting.save()
    assert set(meeting.seats.values_list("slot", flat=True)) == {slots[1].pk}

    meeting.status = Meeting.Status.CANCELLED
    meeting.save()
    assert meeting.seats.count() == 0
    # The cancelled meeting no longer blocks its parties or its table.
    meeting_create(slot=slots[1], first=ana, second=cy, table=tables[0])

    Meeting.objects.all().delete()
    assert MeetingSeat.objects.count() == 0


@pytest.mark.django_db
def test_a_pair_meets_once_per_event(day):
    event, slots, tables, (ana, bo, *_) = day
    meeting_create(slot=slots[0], first=ana, second=bo)
    refused(lambda: meeting_create(slot=slots[1], first=bo, second=ana))


@pytest.mark.django_db
def test_meeting_requests_have_two_different_parties_and_one_open_request_per_pair(day):
    event, slots, tables, (ana, bo, *_) = day
    refused(lambda: MeetingRequest.objects.create(event=event, requester=ana, recipient=ana))
    MeetingRequest.objects.create(event=event, requester=ana, recipient=bo)
    refused(lambda: MeetingRequest.objects.create(event=event, requester=ana, recipient=bo))
    MeetingRequest.objects.filter(requester=ana).update(status=MeetingRequest.Status.DECLINED)
    MeetingRequest.objects.create(event=event, requester=ana, recipient=bo)
    assert MeetingRequest.objects.count() == 2


@pytest.mark.django_db
def test_an_event_ends_after_it_starts_and_a_slot_too(day):
    event, slots, tables, people = day
    event.ends_at = event.starts_at.replace(year=event.starts_at.year - 1)
    refused(event.save)
    slot = slots[0]
    slot.ends_at = slot.starts_at
    refused(slot.save)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises all writers; the race needs PostgreSQL"
)
def test_two_concurrent_moves_that_would_double_book_one_person_cannot_both_commit():
    """Each transaction alone is fine; together they would put ana in two meetings at once."""
    event = EventFactory()
    slot_1, slot_2 = MeetingSlotFactory.create_batch(2, event=event)
    ana, bo, cy = RegistrationFactory.create_batch(3, event=event)
    first = meeting_create(slot=slot_1, first=ana, second=bo)
    second = meeting_create(slot=slot_2, first=ana, second=cy)
    # Both moves target the same new slot at the same moment.
    slot_3 = MeetingSlotFactory(event=event)
    barrier = threading.Barrier(2)
    outcomes = []

    def move(meeting):
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                Meeting.objects.filter(pk=meeting.pk).update(slot=slot_3)
            outcomes.append("moved")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(m,)) for m in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["moved", "refused"]
    assert Meeting.objects.filter(slot=slot_3).count() == 1
    assert MeetingSeat.objects.filter(slot=slot_3, registration=ana).count() == 1
