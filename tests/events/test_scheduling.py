"""The scheduler's adapter (``events.scheduling``): the problem an event poses, writing the result
back, the run through the task and a real worker, and the ``meetings.scheduled`` announcement.

A small handmade B2B day in Oslo; the real scheduler (no mocks), the real database triggers.
"""

import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from events import meeting_changes, scheduling, tasks
from events.models import Availability, Meeting, MeetingRequest, MeetingSlot, SchedulingRun
from events.services import scheduler_runs
from tests.events.support import accept, make_day, pairs, prefer, snapshot
from tests.factories import DemandFactory, EventFactory, RegistrationFactory, UserFactory, meeting_create


def run(event):
    return scheduling.schedule_event(event=event, time_limit=5)


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


# --- the run through the task and a real worker ---------------------------------------


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

    run = scheduler_runs.scheduling_run_start(actor=organiser, event=event, time_limit=5)  # queued at once

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
        scheduler_runs.scheduling_run_start(actor=organiser, event=empty)


@pytest.mark.django_db
def test_a_second_run_while_one_is_under_way_is_refused_and_a_missing_run_ends_quietly(organiser):
    event, slots, tables, people = make_day(organiser)
    SchedulingRun.objects.create(event=event, status="running")
    with pytest.raises(ValidationError, match="already running"):
        scheduler_runs.scheduling_run_start(actor=organiser, event=event)
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


# --- the announcement to the layers above ---------------------------------------------


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

    from api.models import WebhookDelivery
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
        meeting_changes.announce(one)
    assert WebhookDelivery.objects.count() == 2
    with CaptureQueriesContext(connection) as lots:
        meeting_changes.announce(many)
    assert WebhookDelivery.objects.count() == 2 + 6
    assert len(few) == len(lots)
