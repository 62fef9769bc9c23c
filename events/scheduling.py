"""Between the database and the pure scheduler (``events.scheduler``): the problem an event
poses, writing the solver's result back, and running a ``SchedulingRun`` (the Celery task
``events.run_scheduler`` calls ``scheduling_run_execute``; ``events.services.scheduler_runs``
queues it).

* The scheduler's input (``scheduling_problem``): the approved registrations; every slot
  that is not a break, in time order; in each slot all the event's tables (a virtual event
  without tables has no table limit; its meetings get no table); unavailability from
  ``Availability(available=False)`` (no row means available).  Wanted pairs and weights:

  - requests mode: accepted requests, weight ``1 + score``;
  - preferences mode: pairs nobody marked "no" and at least one marked must / would like:
    ``2 + score`` (must from both), ``1.5 + score`` (must from one), ``1 + score`` (would like);
  - with ``suggest_pairs_from_matches``: pairs whose organisations share a published match
    (not marked "not relevant"), weight ``0.5 × score``, unless a party said "no" (a "no"
    preference or a declined request).

  ``score`` is the best published match score between the two organisations, either way
  round (0 when there is none).  The largest weight of a pair counts.
* ``max_meetings_per_participant`` (the cap) trims the wanted pairs before solving: pairs by
  decreasing weight, a pair is kept while both parties have room left (their locked
  meetings count first).  Then no schedule can exceed the cap; a kept pair the solver
  cannot place does not give its place back to a dropped one (a cheap, predictable rule).
* Writing the result back (``schedule_apply``) compares it with the meetings in the
  database: an unchanged meeting keeps its row; a pair that meets elsewhere keeps its row,
  moved (its parties are told); a meeting the new schedule no longer has is cancelled (its
  parties are told); a new pair gets a new row.  A rerun with nothing changed changes
  nothing.  The parties of new meetings are told by ``schedule_published``.
* A run (``scheduling_run_execute``) writes its progress and outcome to its row with
  UPDATEs only, so a run or event deleted meanwhile is not brought back.
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events import meeting_changes, notifications, scheduler
from events.models import Availability, Event, Meeting, MeetingPreference, MeetingRequest, Registration, SchedulingRun
from matchmaking.models import Match

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 0.5  # seconds between two progress writes


@dataclass(frozen=True)
class Wanted:
    weight: float
    source: str
    request_id: int | None = None


@dataclass
class Context:
    """What the write-back needs besides the solver's answer."""

    problem: scheduler.Problem
    wanted: dict  # (a, b) -> Wanted
    tables: list  # Table rows in position order; table index i of the solver is tables[i]
    virtual: bool  # no tables: meetings get none
    pinned_tables: dict  # slot id -> table ids held by locked meetings the solver does not see


def _pair(a, b):
    return (a, b) if a < b else (b, a)


def _organisation_scores(organisation_ids):
    rows = (
        Match.objects.filter(
            published=True, organisation_id__in=organisation_ids, demand__organisation_id__in=organisation_ids
        )
        .exclude(supplier_feedback=Match.Feedback.NOT_RELEVANT)
        .exclude(buyer_feedback=Match.Feedback.NOT_RELEVANT)
        .values_list("organisation_id", "demand__organisation_id", "score")
    )
    scores = {}
    for first, second, score in rows:
        if first != second:
            key = _pair(first, second)
            scores[key] = max(scores.get(key, 0.0), score)
    return scores


def _wanted_pairs(event, people):
    """(a, b) -> Wanted for the approved participants ``people`` (id -> organisation id)."""
    scores = _organisation_scores(set(people.values()))

    def score(a, b):
        return scores.get(_pair(people[a], people[b]), 0.0)

    wanted, refused = {}, set()

    def want(a, b, weight, source, request_id=None):
        key = _pair(a, b)
        weight = round(weight, 3)
        if key not in wanted or weight > wanted[key].weight:
            wanted[key] = Wanted(weight, source, request_id)

    if event.matchmaking_mode == Event.MatchmakingMode.PREFERENCES:
        levels = {}
        marks = MeetingPreference.objects.filter(registration_id__in=people, target_id__in=people)
        for who, whom, level in marks.values_list("registration_id", "target_id", "level"):
            levels.setdefault(_pair(who, whom), []).append(level)
        for (a, b), marked in sorted(levels.items()):
            if MeetingPreference.Level.NO in marked:
                refused.add((a, b))
                continue
            musts = marked.count(MeetingPreference.Level.MUST)
            base = 2.0 if musts == 2 else 1.5 if musts == 1 else 1.0
            want(a, b, base + score(a, b), Meeting.Source.PREFERENCE)
    else:
        requests = MeetingRequest.objects.filter(event=event, requester_id__in=people, recipient_id__in=people)
        for request_id, a, b, status in requests.order_by("pk").values_list(
            "pk", "requester_id", "recipient_id", "status"
        ):
            if status == MeetingRequest.Status.ACCEPTED:
                want(a, b, 1.0 + score(a, b), Meeting.Source.REQUEST, request_id)
            elif status == MeetingRequest.Status.DECLINED:
                refused.add(_pair(a, b))
        refused -= set(wanted)  # an accepted request outweighs an earlier declined one

    if event.suggest_pairs_from_matches and scores:
        by_organisation = {}
        for person, organisation in sorted(people.items()):
            by_organisation.setdefault(organisation, []).append(person)
        for (first, second), value in sorted(scores.items()):
            for a in by_organisation.get(first, []):
                for b in by_organisation.get(second, []):
                    key = _pair(a, b)
                    if key not in refused and key not in wanted and value > 0:
                        want(a, b, 0.5 * value, Meeting.Source.SUGGESTED)
    return wanted


def _apply_cap(wanted, cap, locked_count):
    """Keep the heaviest pairs while both parties have room under ``cap`` (see the module docstring)."""
    if cap is None:
        return wanted
    used = dict(locked_count)
    kept = {}
    for key, info in sorted(wanted.items(), key=lambda item: (-item[1].weight, item[0])):
        a, b = key
        if used.get(a, 0) < cap and used.get(b, 0) < cap:
            kept[key] = info
            used[a] = used.get(a, 0) + 1
            used[b] = used.get(b, 0) + 1
    return kept


def scheduling_problem(*, event):
    """Build the scheduler's Problem (and what writing back needs) from the database."""
    people = dict(
        Registration.objects.filter(event=event, status=Registration.Status.APPROVED)
        .order_by("pk")
        .values_list("pk", "organisation_id")
    )
    slots = list(event.slots.filter(is_break=False).order_by("starts_at").values_list("pk", flat=True))
    slot_set = set(slots)
    tables = list(event.tables.order_by("position", "name", "pk"))
    virtual = not tables and event.format == Event.Format.VIRTUAL
    table_index = {table.pk: i for i, table in enumerate(tables)}
    unavailable = set(
        Availability.objects.filter(registration_id__in=people, slot_id__in=slot_set, available=False).values_list(
            "registration_id", "slot_id"
        )
    )
    locked, locked_pairs, locked_count, pinned = [], set(), {}, {}
    taken = set()  # (slot, table index) of the locked meetings passed to the solver
    rows = Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED, locked=True).order_by("pk")
    for a, b, slot, table in rows.values_list("party_a_id", "party_b_id", "slot_id", "table_id"):
        for person in (a, b):
            locked_count[person] = locked_count.get(person, 0) + 1
        locked_pairs.add((a, b))
        index = table_index.get(table)
        if a in people and b in people and slot in slot_set and index is not None and (slot, index) not in taken:
            locked.append(scheduler.Meeting(a, b, slot, index))
            taken.add((slot, index))
        else:  # the solver does not see it, but its parties and table are busy
            unavailable.update((person, slot) for person in (a, b) if person in people and slot in slot_set)
            if table is not None:
                pinned.setdefault(slot, set()).add(table)
    wanted = _wanted_pairs(event, people)
    wanted = {key: info for key, info in wanted.items() if key not in locked_pairs}
    wanted = _apply_cap(wanted, event.max_meetings_per_participant, locked_count)
    if virtual:
        capacity = [max(1, len(people) // 2)] * len(slots)
    else:
        capacity = [max(0, len(tables) - len(pinned.get(slot, ()))) for slot in slots]
    problem = scheduler.Problem(
        participants=list(people),
        slots=slots,
        tables=capacity,
        requests=[scheduler.Request(a, b, info.weight) for (a, b), info in sorted(wanted.items())],
        unavailable=sorted(unavailable),
        locked=locked,
    )
    return Context(problem=problem, wanted=wanted, tables=tables, virtual=virtual, pinned_tables=pinned)


def _placements(context, result):
    """(a, b) -> (slot id, table id or None) for the solver's unlocked meetings."""
    locked = {_pair(m.a, m.b) for m in context.problem.locked}
    placements = {}
    by_slot = {}
    for meeting in sorted(result.meetings, key=lambda m: (m.table, m.a, m.b)):
        if _pair(meeting.a, meeting.b) not in locked:
            by_slot.setdefault(meeting.slot, []).append(meeting)
    for slot, meetings in by_slot.items():
        if context.virtual:
            for meeting in meetings:
                placements[_pair(meeting.a, meeting.b)] = (slot, None)
            continue
        held = set(context.pinned_tables.get(slot, ()))
        held |= {context.tables[m.table].pk for m in context.problem.locked if m.slot == slot}
        free = [t.pk for t in context.tables if t.pk not in held]
        # The solver numbered the tables it saw; those held outside its view are skipped.
        for meeting, table_id in zip(meetings, free, strict=False):
            placements[_pair(meeting.a, meeting.b)] = (slot, table_id)
    return placements


def _video_link(context, table_id):
    for table in context.tables:
        if table.pk == table_id:
            return table.video_link
    return ""


def schedule_apply(*, event, context, result):
    """Write the solver's result: keep what is unchanged, move, cancel, create; tell the parties.

    Returns counts of ``created``, ``moved``, ``cancelled``, ``unchanged``.  Raises
    ``ValidationError`` when the schedule changed by hand while the solver ran.
    """
    placements = _placements(context, result)
    counts = {"created": 0, "moved": 0, "cancelled": 0, "unchanged": 0}
    try:
        with transaction.atomic():
            current = {
                (m.party_a_id, m.party_b_id): m
                for m in meeting_changes.scheduled_meetings(Meeting.objects.filter(event=event, locked=False))
            }
            moved, dropped, changed_fields = [], [], []
            for key, meeting in current.items():
                if key not in placements:
                    dropped.append(meeting)
                    continue
                info = context.wanted.get(key)
                slot_id, table_id = placements[key]
                if (meeting.slot_id, meeting.table_id) != (slot_id, table_id):
                    moved.append((meeting, meeting_changes.place_of(meeting)))
                if info and (meeting.weight, meeting.source, meeting.request_id) != (
                    info.weight, info.source, info.request_id
                ):  # fmt: skip
                    changed_fields.append(meeting)
            # Free the seats and tables of every meeting that changes before taking any new ones.
            Meeting.objects.filter(pk__in=[m.pk for m, _p in moved] + [m.pk for m in dropped]).update(
                status=Meeting.Status.CANCELLED, updated_at=timezone.now()
            )
            for meeting in dropped:
                meeting.status = Meeting.Status.CANCELLED
                notifications.meeting_changed(meeting, "cancelled", previous=meeting_changes.place_of(meeting))
            for meeting in changed_fields:
                info = context.wanted[(meeting.party_a_id, meeting.party_b_id)]
                meeting.weight, meeting.source, meeting.request_id = info.weight, info.source, info.request_id
                meeting.save(update_fields=["weight", "source", "request", "updated_at"])
            for meeting, previous in moved:
                meeting.slot_id, meeting.table_id = placements[(meeting.party_a_id, meeting.party_b_id)]
                meeting.status = Meeting.Status.SCHEDULED
                meeting.video_link = _video_link(context, meeting.table_id)
                meeting.save(update_fields=["slot", "table", "status", "video_link", "updated_at"])
                meeting.refresh_from_db(fields=["slot", "table"])
                notifications.meeting_changed(meeting, "moved", previous=previous)
            new = []
            for key, (slot_id, table_id) in sorted(placements.items()):
                if key in current:
                    continue
                info = context.wanted.get(key) or Wanted(0.0, Meeting.Source.MANUAL)
                new.append(
                    Meeting(
                        event=event, slot_id=slot_id, table_id=table_id, party_a_id=key[0], party_b_id=key[1],
                        source=info.source, weight=info.weight, request_id=info.request_id,
                        video_link=_video_link(context, table_id),
                    )
                )  # fmt: skip
            created = Meeting.objects.bulk_create(new)
            if created:  # PostgreSQL and SQLite ≥ 3.35 return the new ids
                fresh = meeting_changes.scheduled_meetings(Meeting.objects.filter(pk__in=[m.pk for m in created]))
                notifications.schedule_published(event, fresh)
            meeting_changes.announce(list(created) + [m for m, _previous in moved])
            counts.update(
                created=len(created), moved=len(moved), cancelled=len(dropped),
                unchanged=len(current) - len(moved) - len(dropped),
            )  # fmt: skip
    except IntegrityError as exc:
        logger.warning("Schedule of event %s changed while the scheduler ran: %s", event.pk, exc)
        raise ValidationError(
            _("The schedule was changed by hand while the scheduler ran; nothing was written. Run it again.")
        ) from exc
    return counts


def schedule_event(*, event, time_limit=None, progress=None):
    """Build the problem, solve it, write it back.  Returns (Schedule, counts of changes)."""
    context = scheduling_problem(event=event)
    limit = time_limit or getattr(settings, "SCHEDULER_TIME_LIMIT", 30)
    result = scheduler.schedule(context.problem, time_limit=limit, progress=progress)
    counts = schedule_apply(event=event, context=context, result=result)
    counts.update(participants=len(context.problem.participants), pairs=len(context.wanted))
    return result, counts


def _stage(stage):
    return {"meetings": stage.meetings, "weight": round(stage.weight, 3), "seconds": round(stage.seconds, 3)}


def scheduling_run_execute(*, run):
    """Run the scheduler for ``run`` (called by the Celery task); the run row records progress and outcome.

    Every write to the run is an UPDATE of its row, so a run (or event) deleted meanwhile is
    not brought back; its result is then dropped quietly.
    """
    runs = SchedulingRun.objects.filter(pk=run.pk)
    if run.status not in (SchedulingRun.Status.QUEUED, SchedulingRun.Status.RUNNING):
        logger.info("Scheduling run %s is already %s", run.pk, run.status)
        return run
    runs.update(status=SchedulingRun.Status.RUNNING, progress=0.0, phase="bounds")
    last = [0.0]

    def progress(fraction, phase):
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY or fraction >= 1.0:
            last[0] = now
            runs.update(progress=min(max(fraction, 0.0), 1.0), phase=phase[:40])

    started = time.monotonic()
    try:
        event = Event.objects.get(pk=run.event_id)
        result, counts = schedule_event(event=event, time_limit=run.summary.get("time_limit"), progress=progress)
    except Event.DoesNotExist:
        logger.info("The event of scheduling run %s is gone", run.pk)
        return None
    except (ValidationError, ValueError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        runs.update(status=SchedulingRun.Status.FAILED, error=message[:500], finished_at=timezone.now())
        return None
    stages = {stage.name: _stage(stage) for stage in result.stages}
    summary = {
        **run.summary,
        "stages": stages,
        "greedy": stages.get("greedy"),
        "start": stages.get("start"),
        "final": stages.get("final"),
        "gap": round(result.gap, 4),
        "simple_bound": result.simple_bound,
        "stopped_by": result.stopped_by,
        "participants_without_meeting": result.participants_without_meeting,
        "idle_gaps": result.idle_gaps,
        "solver_seconds": round(result.seconds, 2),
        "seconds": round(time.monotonic() - started, 2),
        "participants_with_meeting": len({p for m in result.meetings for p in (m.a, m.b)}),
        "participants": counts.pop("participants"),
        "pairs": counts.pop("pairs"),
        "changes": counts,
    }
    runs.update(
        status=SchedulingRun.Status.DONE, progress=1.0, phase="done", meetings=len(result.meetings),
        upper_bound=result.upper_bound, summary=summary, finished_at=timezone.now(), error="",
    )  # fmt: skip
    run.refresh_from_db()
    return run


def scheduling_run_fail(*, run_id, message):
    SchedulingRun.objects.filter(pk=run_id).update(
        status=SchedulingRun.Status.FAILED, error=message[:500], finished_at=timezone.now()
    )
