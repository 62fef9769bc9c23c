"""The organiser's services: the scheduler adapter and write-back, slots and tables, grid edits, the export.

A small handmade B2B day in Oslo; the real scheduler (no mocks), the real database triggers.
"""

import csv
import datetime
import io
import time
import zoneinfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from events import organising, tasks
from events.models import Availability, Event, Meeting, MeetingPreference, MeetingRequest, MeetingSlot, SchedulingRun
from tests.factories import (
    DemandFactory,
    EventFactory,
    MeetingSlotFactory,
    RegistrationFactory,
    TableFactory,
    UserFactory,
    meeting_create,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture
def organiser():
    return UserFactory(email="organiser@example.org")


def make_day(organiser, *, slots=3, tables=2, people=5, **event_fields):
    event = EventFactory(**event_fields)
    event.organisers.add(organiser)
    start = datetime.datetime(2027, 1, 14, 9, 0, tzinfo=OSLO)
    day_slots = [
        MeetingSlotFactory(
            event=event,
            starts_at=start + datetime.timedelta(minutes=30 * i),
            ends_at=start + datetime.timedelta(minutes=30 * i + 25),
        )
        for i in range(slots)
    ]
    day_tables = [TableFactory(event=event, name=f"Table {i + 1}", position=i + 1) for i in range(tables)]
    names = ["Ana", "Bo", "Cy", "Di", "Eir", "Finn", "Gro"][:people]
    registrations = [RegistrationFactory(event=event, name=name, email=f"{name.lower()}@example.org") for name in names]
    return event, day_slots, day_tables, registrations


def accept(event, requester, recipient):
    return MeetingRequest.objects.create(
        event=event, requester=requester, recipient=recipient, status=MeetingRequest.Status.ACCEPTED
    )


def prefer(who, whom, level):
    return MeetingPreference.objects.create(registration=who, target=whom, level=level)


def pairs(event):
    return {
        frozenset({m.party_a.name, m.party_b.name})
        for m in Meeting.objects.filter(event=event, status="scheduled").select_related("party_a", "party_b")
    }


def snapshot(event):
    return sorted(
        Meeting.objects.filter(event=event).values_list(
            "pk", "party_a", "party_b", "slot", "table", "status", "locked", "updated_at"
        )
    )


def run(event):
    return organising.schedule_event(event=event, time_limit=5)


# --- the adapter ----------------------------------------------------------------------


@pytest.mark.django_db
def test_requests_mode_places_the_accepted_requests_only(organiser):
    event, slots, tables, (ana, bo, cy, di, eir) = make_day(organiser)
    ab = accept(event, ana, bo)
    accept(event, cy, ana)
    accept(event, di, eir)
    MeetingRequest.objects.create(event=event, requester=bo, recipient=cy)  # not answered: not placed
    MeetingRequest.objects.create(event=event, requester=eir, recipient=ana, status="declined")

    result, counts = run(event)

    assert pairs(event) == {frozenset({"Ana", "Bo"}), frozenset({"Ana", "Cy"}), frozenset({"Di", "Eir"})}
    assert counts["created"] == 3 and len(result.meetings) == 3
    meeting = Meeting.objects.get(party_a=ana, party_b=bo)
    assert (meeting.source, meeting.request_id, meeting.weight) == ("request", ab.pk, 1.0)
    assert meeting.table in tables
    # Nobody twice in one slot, and the tables come from the event's in position order.
    placed = Meeting.objects.filter(event=event)
    assert {m.table.name for m in placed if m.slot == placed[0].slot} <= {"Table 1", "Table 2"}


@pytest.mark.django_db
def test_the_match_score_raises_the_weight_of_a_request(organiser):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    demand = DemandFactory(organisation=bo.organisation)
    demand.matches.create(organisation=ana.organisation, score=0.4, published=True)
    accept(event, ana, bo)

    run(event)

    assert Meeting.objects.get(party_a=ana, party_b=bo).weight == pytest.approx(1.4)


@pytest.mark.django_db
def test_unavailable_participants_are_not_placed_in_that_slot(organiser):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    accept(event, ana, bo)
    for slot in slots[:2]:
        Availability.objects.create(registration=ana, slot=slot, available=False)
    Availability.objects.create(registration=bo, slot=slots[2], available=True)

    run(event)

    assert Meeting.objects.get(party_a=ana, party_b=bo).slot == slots[2]


@pytest.mark.django_db
def test_breaks_get_no_meetings(organiser):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    MeetingSlot.objects.filter(pk__in=[slots[0].pk, slots[1].pk]).update(is_break=True)
    accept(event, ana, bo)

    run(event)

    assert Meeting.objects.get(party_a=ana, party_b=bo).slot == slots[2]


@pytest.mark.django_db
def test_preferences_mode_a_no_from_either_side_excludes_the_pair(organiser):
    event, slots, tables, (ana, bo, cy, di, eir) = make_day(organiser, matchmaking_mode="preferences")
    prefer(ana, bo, "must")
    prefer(bo, ana, "no")
    prefer(cy, di, "would_like")
    prefer(di, eir, "must")
    prefer(eir, di, "would_like")

    run(event)

    assert pairs(event) == {frozenset({"Cy", "Di"}), frozenset({"Di", "Eir"})}
    assert Meeting.objects.get(party_a=di, party_b=eir).weight == 1.5
    assert Meeting.objects.get(party_a=cy, party_b=di).source == "preference"


@pytest.mark.django_db
def test_preferences_mode_must_meet_is_placed_before_would_like_when_slots_are_scarce(organiser):
    event, slots, tables, (ana, bo, cy, di, eir) = make_day(
        organiser, slots=1, tables=2, matchmaking_mode="preferences"
    )
    # Ana can meet once: Bo (must), Cy and Di (would like); Eir wants Cy.
    prefer(ana, cy, "would_like")
    prefer(ana, di, "would_like")
    prefer(ana, bo, "must")
    prefer(eir, cy, "would_like")

    run(event)

    assert pairs(event) == {frozenset({"Ana", "Bo"}), frozenset({"Cy", "Eir"})}


@pytest.mark.django_db
def test_suggested_pairs_from_matches_are_added_unless_someone_said_no(organiser):
    event, slots, tables, (ana, bo, cy, *_) = make_day(organiser, suggest_pairs_from_matches=True)
    demand = DemandFactory(organisation=ana.organisation)
    demand.matches.create(organisation=bo.organisation, score=0.6, published=True)
    demand.matches.create(organisation=cy.organisation, score=0.8, published=True)
    demand.matches.create(organisation=RegistrationFactory(event=event, status="pending").organisation, score=0.9,
                          published=True)  # fmt: skip
    MeetingRequest.objects.create(event=event, requester=ana, recipient=cy, status="declined")

    run(event)

    meeting = Meeting.objects.get(event=event)
    assert {meeting.party_a, meeting.party_b} == {ana, bo}
    assert (meeting.source, meeting.weight) == ("suggested", 0.3)


@pytest.mark.django_db
def test_the_cap_on_meetings_per_participant_is_kept(organiser):
    event, slots, tables, (ana, bo, cy, di, eir) = make_day(organiser, max_meetings_per_participant=1)
    accept(event, ana, bo)
    accept(event, ana, cy)
    accept(event, ana, di)
    accept(event, cy, eir)

    run(event)

    assert Meeting.objects.filter(event=event, party_a=ana).count() + Meeting.objects.filter(party_b=ana).count() == 1
    assert len(pairs(event)) == 2


@pytest.mark.django_db
def test_a_rerun_with_nothing_changed_changes_nothing(organiser):
    event, slots, tables, (ana, bo, cy, di, eir) = make_day(organiser)
    for first, second in [(ana, bo), (ana, cy), (bo, cy), (di, eir), (cy, di)]:
        accept(event, first, second)
    run(event)
    before = snapshot(event)
    assert len(before) == 5

    result, counts = run(event)

    assert snapshot(event) == before
    assert counts == {"created": 0, "moved": 0, "cancelled": 0, "unchanged": 5, "participants": 5, "pairs": 5}


@pytest.mark.django_db
def test_locked_meetings_stay_where_they_are(organiser):
    event, slots, tables, (ana, bo, cy, di, eir) = make_day(organiser)
    accept(event, ana, bo)
    accept(event, cy, di)
    # The organiser placed Ana and Bo in the last slot at table 2 and locked it.
    locked = meeting_create(slot=slots[2], first=ana, second=bo, table=tables[1], locked=True)
    # An unlocked meeting of a pair nobody wants any more is cancelled by the run.
    stray = meeting_create(slot=slots[0], first=bo, second=eir, table=tables[0])

    run(event)
    run(event)

    locked.refresh_from_db()
    stray.refresh_from_db()
    assert (locked.slot, locked.table, locked.status, locked.locked) == (slots[2], tables[1], "scheduled", True)
    assert stray.status == "cancelled"
    assert pairs(event) == {frozenset({"Ana", "Bo"}), frozenset({"Cy", "Di"})}


@pytest.mark.django_db
def test_a_locked_meeting_outside_the_solvers_view_still_holds_its_table(organiser):
    event, slots, tables, (ana, bo, cy, di, eir) = make_day(organiser, slots=1, tables=2)
    # Eir's registration was declined after the meeting was locked: the solver no longer sees Eir.
    meeting_create(slot=slots[0], first=ana, second=eir, table=tables[0], locked=True)
    eir.status = "declined"
    eir.save()
    accept(event, bo, cy)

    run(event)

    meeting = Meeting.objects.get(party_a=bo, party_b=cy)
    assert meeting.table == tables[1]


@pytest.mark.django_db
def test_a_changed_request_moves_or_cancels_meetings_and_tells_the_parties(
    organiser, django_capture_on_commit_callbacks
):
    event, slots, tables, (ana, bo, cy, di, eir) = make_day(organiser, slots=1, tables=1)
    request = accept(event, ana, bo)
    run(event)
    meeting = Meeting.objects.get(event=event)
    request.status = MeetingRequest.Status.CANCELLED
    request.save()
    accept(event, cy, di)

    with django_capture_on_commit_callbacks(execute=True):
        result, counts = run(event)

    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert (counts["created"], counts["cancelled"]) == (1, 1)
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == ["ana@example.org", "bo@example.org", "cy@example.org", "di@example.org"]


# --- slots and tables -----------------------------------------------------------------


@pytest.mark.django_db
def test_slots_for_a_day_in_oslo_with_a_break_are_stored_in_utc(organiser):
    start = datetime.datetime(2027, 1, 14, 8, 0, tzinfo=OSLO)
    event = EventFactory(starts_at=start, ends_at=start + datetime.timedelta(hours=10), timezone="Europe/Oslo")
    event.organisers.add(organiser)

    organising.slots_generate(
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
    plan = organising.slots_plan(
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
        organising.slots_generate(
            actor=organiser, event=event, day=datetime.date(2027, 1, 14), first_start=datetime.time(9),
            last_end=datetime.time(12), minutes=30,
        )  # fmt: skip
    assert event.slots.count() == 3


@pytest.mark.django_db
def test_only_organisers_set_up_the_day(organiser):
    event, slots, tables, people = make_day(organiser)
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        organising.table_add(actor=stranger, event=event, name="Table 9")
    with pytest.raises(PermissionDenied):
        organising.slot_remove(actor=stranger, slot=slots[0])
    with pytest.raises(PermissionDenied):
        organising.meeting_cancel(
            actor=stranger, meeting=meeting_create(slot=slots[0], first=people[0], second=people[1])
        )


@pytest.mark.django_db
def test_removing_a_slot_cancels_its_meetings_and_tells_both_parties(organiser, django_capture_on_commit_callbacks):
    event, slots, tables, (ana, bo, cy, *_) = make_day(organiser)
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    other = meeting_create(slot=slots[1], first=ana, second=cy, table=tables[0])

    with django_capture_on_commit_callbacks(execute=True):
        organising.slot_remove(actor=organiser, slot=slots[0])

    assert list(Meeting.objects.filter(event=event)) == [other]
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]


@pytest.mark.django_db
def test_removing_a_table_keeps_the_meetings_without_it_and_tells_both_parties(
    organiser, django_capture_on_commit_callbacks
):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    meeting = meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])

    with django_capture_on_commit_callbacks(execute=True):
        organising.table_remove(actor=organiser, table=tables[0])

    meeting.refresh_from_db()
    assert (meeting.status, meeting.table) == ("scheduled", None)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]


@pytest.mark.django_db
def test_tables_get_unique_names_and_the_next_position(organiser):
    event, slots, tables, people = make_day(organiser)
    table = organising.table_add(actor=organiser, event=event, name="Room Fjord", video_link="https://meet.example/x")
    assert table.position == 3
    with pytest.raises(ValidationError, match="already has a table called"):
        organising.table_add(actor=organiser, event=event, name="room fjord")


# --- the grid -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_conflicting_move_is_refused_with_a_clear_message_and_nothing_changes(organiser):
    event, slots, tables, (ana, bo, cy, *_) = make_day(organiser)
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    later = meeting_create(slot=slots[1], first=ana, second=cy, table=tables[0])
    before = snapshot(event)

    with pytest.raises(ValidationError) as refused:
        organising.meeting_move(actor=organiser, meeting=later, slot=slots[0], table=tables[1])

    assert refused.value.messages == ["Ana already has a meeting at 09:00."]
    assert snapshot(event) == before


@pytest.mark.django_db
def test_a_move_onto_a_busy_table_is_refused(organiser):
    event, slots, tables, (ana, bo, cy, di, *_) = make_day(organiser)
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    later = meeting_create(slot=slots[1], first=cy, second=di, table=tables[0])

    with pytest.raises(ValidationError, match="Table 1 already has a meeting at 09:00"):
        organising.meeting_move(actor=organiser, meeting=later, slot=slots[0], table=tables[0])
    later.refresh_from_db()
    assert later.slot == slots[1]


@pytest.mark.django_db
def test_a_move_locks_the_meeting_and_tells_both_parties(organiser, django_capture_on_commit_callbacks):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    meeting = meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])

    with django_capture_on_commit_callbacks(execute=True):
        organising.meeting_move(actor=organiser, meeting=meeting, slot=slots[2], table=tables[1])

    meeting.refresh_from_db()
    assert (meeting.slot, meeting.table, meeting.locked) == (slots[2], tables[1], True)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]
    assert "09:00" in mail.outbox[0].body and "10:00" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_cancel_frees_the_seats_and_tells_both_parties(organiser, django_capture_on_commit_callbacks):
    event, slots, tables, (ana, bo, cy, *_) = make_day(organiser)
    meeting = meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0], locked=True)

    with django_capture_on_commit_callbacks(execute=True):
        organising.meeting_cancel(actor=organiser, meeting=meeting)

    meeting.refresh_from_db()
    assert (meeting.status, meeting.locked) == ("cancelled", False)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]
    organising.meeting_add(actor=organiser, event=event, first=ana, second=cy, slot=slots[0], table=tables[0])


@pytest.mark.django_db
def test_adding_a_meeting_by_hand_refuses_a_pair_that_already_meets(organiser):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    organising.meeting_add(actor=organiser, event=event, first=bo, second=ana, slot=slots[0], table=tables[0])

    with pytest.raises(ValidationError, match="Ana and Bo already meet at 09:00"):
        organising.meeting_add(actor=organiser, event=event, first=ana, second=bo, slot=slots[1], table=tables[0])
    assert Meeting.objects.filter(event=event).count() == 1


@pytest.mark.django_db
def test_lock_and_unlock(organiser):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    meeting = meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    organising.meeting_set_locked(actor=organiser, meeting=meeting, locked=True)
    assert Meeting.objects.get(pk=meeting.pk).locked is True
    organising.meeting_set_locked(actor=organiser, meeting=meeting, locked=False)
    assert Meeting.objects.get(pk=meeting.pk).locked is False


# --- export ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_csv_export_lists_every_scheduled_meeting_in_the_events_time_zone(organiser):
    event, slots, tables, (ana, bo, cy, di, *_) = make_day(organiser)
    meeting_create(slot=slots[1], first=cy, second=di, table=tables[1], source="request")
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0], locked=True)
    meeting_create(slot=slots[2], first=ana, second=cy, status="cancelled")

    rows = list(csv.reader(io.StringIO(organising.schedule_csv(actor=organiser, event=event))))

    assert rows == [
        organising.CSV_HEADER,
        ["2027-01-14 09:00", "09:25", "Europe/Oslo", "Table 1", "Ana", ana.organisation.name, "Bo",
         bo.organisation.name, "yes", "manual"],
        ["2027-01-14 09:30", "09:55", "Europe/Oslo", "Table 2", "Cy", cy.organisation.name, "Di",
         di.organisation.name, "no", "request"],
    ]  # fmt: skip


# --- the run through a real worker ----------------------------------------------------


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_scheduler_runs_in_a_real_worker_and_reports_its_progress(celery_worker):
    organiser = UserFactory(email="organiser@example.org")
    event, slots, tables, (ana, bo, cy, di, eir) = make_day(organiser)
    for first, second in [(ana, bo), (ana, cy), (bo, cy), (di, eir)]:
        accept(event, first, second)

    run = organising.scheduling_run_start(actor=organiser, event=event, time_limit=5)  # queued at once

    assert wait_for(lambda: SchedulingRun.objects.get(pk=run.pk).status in ("done", "failed"))
    run.refresh_from_db()
    assert (run.status, run.error, run.progress, run.phase) == ("done", "", 1.0, "done")
    assert run.meetings == 4 == Meeting.objects.filter(event=event, status="scheduled").count()
    assert run.upper_bound >= 4
    assert run.summary["final"]["meetings"] == 4
    assert run.summary["greedy"]["meetings"] <= 4 and "start" in run.summary
    assert run.summary["changes"]["created"] == 4
    empty = EventFactory()
    empty.organisers.add(organiser)
    with pytest.raises(ValidationError, match="no meeting slots"):
        organising.scheduling_run_start(actor=organiser, event=empty)


@pytest.mark.django_db
def test_a_second_run_while_one_is_under_way_is_refused_and_a_missing_run_ends_quietly(organiser):
    event, slots, tables, people = make_day(organiser)
    SchedulingRun.objects.create(event=event, status="running")
    with pytest.raises(ValidationError, match="already running"):
        organising.scheduling_run_start(actor=organiser, event=event)
    assert tasks.run_scheduler.run(run_id=987654) is None


@pytest.mark.django_db
def test_the_task_runs_a_queued_run_to_the_end_in_process(organiser):
    event, slots, tables, (ana, bo, *_) = make_day(organiser)
    accept(event, ana, bo)
    run = SchedulingRun.objects.create(event=event, summary={"time_limit": 3})

    assert tasks.run_scheduler.run(run_id=run.pk) == 1

    run.refresh_from_db()
    assert (run.status, run.progress, run.meetings) == ("done", 1.0, 1)
    assert tasks.run_scheduler.run(run_id=run.pk) == 1  # a redelivered task does not run twice
    assert SchedulingRun.objects.get(pk=run.pk).finished_at == run.finished_at


@pytest.mark.django_db
def test_event_create_makes_the_creator_its_organiser(organiser):
    from django.contrib.auth.models import Permission

    fields = {"name": "Shandong × Stavanger", "timezone": "Europe/Oslo", "kind": Event.Kind.B2B_DAY,
              "starts_at": datetime.datetime(2027, 3, 1, 8, tzinfo=datetime.UTC),
              "ends_at": datetime.datetime(2027, 3, 1, 16, tzinfo=datetime.UTC)}  # fmt: skip
    with pytest.raises(PermissionDenied):
        organising.event_create(actor=organiser, fields=fields)
    organiser.user_permissions.add(Permission.objects.get(codename="add_event"))
    organiser = type(organiser).objects.get(pk=organiser.pk)

    event = organising.event_create(actor=organiser, fields=fields)

    assert list(event.organisers.all()) == [organiser]
    with pytest.raises(ValidationError) as bad:
        organising.event_update(actor=organiser, event=event, fields={"timezone": "Europe/Osло"})
    assert "timezone" in bad.value.message_dict


@pytest.mark.django_db
def test_new_meetings_are_announced_to_the_participants_webhooks(organiser, django_capture_on_commit_callbacks):
    from api.models import WebhookDelivery
    from tests.factories import WebhookFactory

    event, _slots, _tables, (ana, bo, cy, *_rest) = make_day(organiser)
    accept(event, ana, bo)
    hook = WebhookFactory(organisation=ana.organisation, events=["meeting.scheduled"])
    WebhookFactory(organisation=cy.organisation, events=["meeting.scheduled"])  # not a party

    with django_capture_on_commit_callbacks():
        run(event)

    deliveries = list(WebhookDelivery.objects.all())
    assert [(d.webhook_id, d.event) for d in deliveries] == [(hook.pk, "meeting.scheduled")]
    meeting = Meeting.objects.get(event=event, status="scheduled")
    assert deliveries[0].payload["id"] == meeting.pk
    run(event)  # nothing changed: nothing announced again
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.django_db
def test_announcing_many_meetings_takes_the_same_queries_as_one(organiser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from api import webhooks
    from tests.factories import WebhookFactory

    event, slots, tables, people = make_day(organiser, slots=3, tables=2, people=6)
    for person in people:
        WebhookFactory(organisation=person.organisation, events=["meeting.scheduled"])
    one = [meeting_create(slot=slots[0], first=people[0], second=people[1], table=tables[0])]
    many = [
        meeting_create(slot=slots[1], first=people[2], second=people[3], table=tables[0]),
        meeting_create(slot=slots[1], first=people[4], second=people[5], table=tables[1]),
        meeting_create(slot=slots[2], first=people[0], second=people[5], table=tables[0]),
    ]
    with CaptureQueriesContext(connection) as few:
        assert len(webhooks.notify_meetings_scheduled(one)) == 2
    with CaptureQueriesContext(connection) as lots:
        assert len(webhooks.notify_meetings_scheduled(many)) == 6
    assert len(few) == len(lots)
