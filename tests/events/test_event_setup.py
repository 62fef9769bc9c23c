"""The organisers' set-up services (``events.services.event_setup``): the event, slots, tables."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from events.models import Event, Meeting
from events.services import event_setup, grid
from tests.events.support import OSLO, make_day
from tests.factories import EventFactory, UserFactory, meeting_create


@pytest.mark.django_db
def test_slots_for_a_day_in_oslo_with_a_break_are_stored_in_utc(organiser):
    start = datetime.datetime(2027, 1, 14, 8, 0, tzinfo=OSLO)
    event = EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=10), timezone="Europe/Oslo")
    event.organisers.add(organiser)

    event_setup.slots_generate(
        actor=organiser, event=event, day=datetime.date(2027, 1, 14), first_start=datetime.time(9),
        last_end=datetime.time(12), minutes=30, breaks=[(datetime.time(10, 30), datetime.time(11))],
    )  # fmt: skip

    meeting_slots = event.slots.filter(is_break=False).order_by("starts_at")
    utc = [(f"{s.starts_at.astimezone(datetime.UTC):%H:%M}", f"{s.ends_at.astimezone(datetime.UTC):%H:%M}")
           for s in meeting_slots]  # fmt: skip
    assert utc == [("08:00", "08:30"), ("08:30", "09:00"), ("09:00", "09:30"), ("10:00", "10:30"), ("10:30", "11:00")]
    assert meeting_slots[0].starts_at.utcoffset() == datetime.timedelta(0)
    [pause] = event.slots.filter(is_break=True)
    assert (pause.starts_at, pause.ends_at) == (
        datetime.datetime(2027, 1, 14, 9, 30, tzinfo=datetime.UTC),
        datetime.datetime(2027, 1, 14, 10, 0, tzinfo=datetime.UTC),
    )


@pytest.mark.django_db
def test_a_break_off_the_grid_restarts_the_slots_at_its_end_and_summer_time_counts(organiser):
    start = datetime.datetime(2027, 6, 14, 8, 0, tzinfo=OSLO)
    event = EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=10), timezone="Europe/Oslo")
    plan = event_setup.slots_plan(
        event=event, day=datetime.date(2027, 6, 14), first_start=datetime.time(9), last_end=datetime.time(11),
        minutes=30, breaks=[(datetime.time(9, 45), datetime.time(10, 0))],
    )  # fmt: skip
    assert [(f"{s.astimezone(OSLO):%H:%M}", b) for s, _e, b in plan] == [
        ("09:00", False), ("09:45", True), ("10:00", False), ("10:30", False),
    ]  # fmt: skip
    assert plan[0][0] == datetime.datetime(2027, 6, 14, 7, 0, tzinfo=datetime.UTC)  # UTC+2 in summer


@pytest.mark.django_db
def test_generating_slots_over_existing_ones_writes_nothing(organiser):
    event, slots, tables, people = make_day(organiser)
    event.starts_at = datetime.datetime(2027, 1, 14, 8, 0, tzinfo=OSLO)
    event.ends_at = event.starts_at + datetime.timedelta(hours=10)
    event.save()

    with pytest.raises(ValidationError, match="overlap slots the event already has: 09:00–09:30"):
        event_setup.slots_generate(
            actor=organiser, event=event, day=datetime.date(2027, 1, 14), first_start=datetime.time(9),
            last_end=datetime.time(12), minutes=30,
        )  # fmt: skip
    assert event.slots.count() == 3


@pytest.mark.django_db
def test_only_organisers_set_up_the_day(organiser):
    event, slots, tables, people = make_day(organiser)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        event_setup.table_add(actor=stranger, event=event, name="Table 9")
    with pytest.raises(PermissionDenied):
        event_setup.slot_remove(actor=stranger, slot=slots[0])
    with pytest.raises(PermissionDenied):
        grid.meeting_cancel(actor=stranger, meeting=meeting_create(slot=slots[0], first=people[0], second=people[1]))


@pytest.mark.django_db
def test_removing_a_slot_cancels_its_meetings_and_tells_both_parties(organiser, django_capture_on_commit_callbacks):
    event, slots, tables, (ana, bo, cy, *_) = make_day(organiser)
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    other = meeting_create(slot=slots[1], first=ana, second=cy, table=tables[0])

    with django_capture_on_commit_callbacks(execute=True):
        event_setup.slot_remove(actor=organiser, slot=slots[0])

    assert list(Meeting.objects.filter(event=event)) == [other]
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]


@pytest.mark.django_db
def test_removing_a_table_keeps_the_meetings_without_it_and_tells_both_parties(
    organiser, django_capture_on_commit_callbacks
):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    meeting = meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])

    with django_capture_on_commit_callbacks(execute=True):
        event_setup.table_remove(actor=organiser, table=tables[0])

    meeting.refresh_from_db()
    assert (meeting.status, meeting.table) == ("scheduled", None)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]


@pytest.mark.django_db
def test_tables_get_unique_names_and_the_next_position(organiser):
    event, slots, tables, people = make_day(organiser)
    table = event_setup.table_add(actor=organiser, event=event, name="Room Fjord", video_link="https://meet.example/x")
    assert table.position == 3
    with pytest.raises(ValidationError, match="already has a table called"):
        event_setup.table_add(actor=organiser, event=event, name="room fjord")


@pytest.mark.django_db
def test_event_create_makes_the_creator_its_organiser(organiser):
    from django.contrib.auth.models import Permission

    fields = {"name": "Shandong × Stavanger", "timezone": "Europe/Oslo", "kind": Event.Kind.B2B_DAY,
              "starts_at": datetime.datetime(2027, 3, 1, 8, tzinfo=datetime.UTC),
              "ends_at": datetime.datetime(2027, 3, 1, 16, tzinfo=datetime.UTC)}  # fmt: skip
    with pytest.raises(PermissionDenied):
        event_setup.event_create(actor=organiser, fields=fields)
    organiser.user_permissions.add(Permission.objects.get(codename="add_event"))
    organiser = type(organiser).objects.get(pk=organiser.pk)

    event = event_setup.event_create(actor=organiser, fields=fields)

    assert list(event.organisers.all()) == [organiser]
    with pytest.raises(ValidationError) as bad:
        event_setup.event_update(actor=organiser, event=event, fields={"timezone": "Europe/Osло"})
    assert "timezone" in bad.value.message_dict
