"""Services for an event's organisers: the event, its meeting day, registrations, the scheduler, the grid.

Every service takes keyword-only arguments, checks the actor's permission
(``PermissionDenied``), validates (``ValidationError`` with a message meant for the
organiser) and writes inside ``transaction.atomic()``.  Participants are told of every
change to one of their meetings (``events.notifications``) after the transaction commits:
no meeting changes silently.

Decisions where the brief is silent:

* A meeting an organiser moves or adds by hand is locked at once: a rerun of the
  scheduler keeps it where the organiser put it.  Unlock it to give it back to the scheduler.
* Generated slots: a slot that would overlap a break starts again at the break's end; each
  break is stored as a break slot (``is_break``), so agendas and the grid show it.
  Generating slots that overlap existing ones is refused as a whole.
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
* A scheduler run the organiser cannot trust is refused: one run per event at a time (a
  run queued or running for more than ``STALE_RUN_AFTER`` counts as dead).
"""

import csv
import datetime
import io
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from api import webhooks
from events import permissions, scheduler
from events.models import (
    Availability,
    Event,
    Meeting,
    MeetingPreference,
    MeetingRequest,
    MeetingSeat,
    MeetingSlot,
    Registration,
    SchedulingRun,
    Table,
)
from matchmaking.models import Match

logger = logging.getLogger(__name__)

STALE_RUN_AFTER = datetime.timedelta(minutes=15)
PROGRESS_EVERY = 0.5  # seconds between two progress writes
EVENT_FIELDS = [
    "name", "name_zh", "kind", "description", "description_zh", "format", "venue", "city", "country",
    "timezone", "starts_at", "ends_at", "registration_opens_at", "registration_closes_at",
    "matchmaking_mode", "max_requests_per_participant", "max_meetings_per_participant",
    "suggest_pairs_from_matches", "is_public",
]  # fmt: skip


def _webhooks_for(meetings):
    """``meeting.scheduled`` for new or moved meetings, to the partners' webhooks that subscribed to it
    (written in this transaction, sent after it commits)."""
    webhooks.notify_meetings_scheduled(meetings)


def _require_organiser(actor, event):
    if not permissions.is_organiser(actor, event):
        raise PermissionDenied


def _notify(function_name, *args, **kwargs):
    """Call ``events.notifications.<function_name>`` once the transaction commits."""

    def send():
        try:
            from events import notifications

            getattr(notifications, function_name)(*args, **kwargs)
        except Exception:  # the change is committed; a failed notice is logged, not turned into an error
            logger.exception("Could not send %s for %s", function_name, args)

    transaction.on_commit(send)


def _local(event, moment):
    return moment.astimezone(event.tzinfo)


def _hhmm(event, moment):
    return f"{_local(event, moment):%H:%M}"


def _previous(meeting):
    return {"starts_at": meeting.slot.starts_at, "table": meeting.table.name if meeting.table_id else None}


# --- the event ----------------------------------------------------------------------


def _event_save(event, fields):
    for name, value in fields.items():
        if name not in EVENT_FIELDS:
            raise ValueError(f"unknown event field {name}")
        setattr(event, name, value)
    event.full_clean(exclude=["organising_organisation", "region", "external_id"])
    if event.ends_at < event.starts_at:
        raise ValidationError({"ends_at": _("The event must end after it starts.")})
    event.save()


def event_create(*, actor, fields):
    """Create an event; its creator becomes its organiser."""
    if not permissions.can_create_event(actor):
        raise PermissionDenied
    with transaction.atomic():
        event = Event()
        _event_save(event, fields)
        event.organisers.add(actor)
    return event


def event_update(*, actor, event, fields):
    _require_organiser(actor, event)
    with transaction.atomic():
        _event_save(event, fields)
    return event


# --- the meeting day: slots and tables ------------------------------------------------


def _overlapping(event, starts_at, ends_at, exclude=None):
    slots = MeetingSlot.objects.filter(event=event, starts_at__lt=ends_at, ends_at__gt=starts_at)
    return slots.exclude(pk=exclude) if exclude else slots


def slots_plan(*, event, day, first_start, last_end, minutes, breaks=()):
    """The slots (start, end, is_break) of one day, in UTC; nothing is written.

    ``day`` is a date, ``first_start``/``last_end`` and each break's ends are times in the
    event's time zone.
    """
    tz = event.tzinfo
    errors = []
    if not 5 <= minutes <= 240:
        errors.append(_("A slot lasts between 5 and 240 minutes."))
    if last_end <= first_start:
        errors.append(_("The last slot must end after the first one starts."))
    day_breaks = []
    for start, end in sorted(breaks):
        if end <= start:
            errors.append(_("The break %(start)s–%(end)s ends before it starts.") % {"start": start, "end": end})
        elif start < first_start or end > last_end:
            errors.append(_("The break %(start)s–%(end)s is outside the day.") % {"start": start, "end": end})
        elif day_breaks and start < day_breaks[-1][1]:
            errors.append(_("The breaks overlap."))
        else:
            day_breaks.append((start, end))
    if errors:
        raise ValidationError(errors)

    def at(clock):
        return datetime.datetime.combine(day, clock, tzinfo=tz).astimezone(datetime.UTC)

    length = datetime.timedelta(minutes=minutes)
    end = at(last_end)
    pauses = [(at(s), at(e)) for s, e in day_breaks]
    planned = [(s, e, True) for s, e in pauses]
    moment = at(first_start)
    while moment + length <= end:
        clash = next((p for p in pauses if p[0] < moment + length and p[1] > moment), None)
        if clash:
            moment = clash[1]
            continue
        planned.append((moment, moment + length, False))
        moment += length
    planned.sort()
    if not any(not is_break for _s, _e, is_break in planned):
        raise ValidationError(_("No slot fits between the first start and the last end."))
    return planned


def slots_generate(*, actor, event, day, first_start, last_end, minutes, breaks=()):
    """Create the slots of a day (see ``slots_plan``); all or nothing."""
    _require_organiser(actor, event)
    planned = slots_plan(
        event=event, day=day, first_start=first_start, last_end=last_end, minutes=minutes, breaks=breaks
    )
    local_start, local_end = _local(event, event.starts_at).date(), _local(event, event.ends_at).date()
    if not local_start <= day <= local_end:
        raise ValidationError(
            _("%(day)s is not a day of the event (%(start)s to %(end)s).")
            % {"day": day, "start": local_start, "end": local_end}
        )
    with transaction.atomic():
        clashes = [f"{_hhmm(event, s)}–{_hhmm(event, e)}" for s, e, _b in planned if _overlapping(event, s, e).exists()]
        if clashes:
            raise ValidationError(
                _("These times overlap slots the event already has: %(times)s. Remove those slots first.")
                % {"times": ", ".join(clashes)}
            )
        slots = MeetingSlot.objects.bulk_create(
            MeetingSlot(event=event, starts_at=s, ends_at=e, is_break=b) for s, e, b in planned
        )
    return slots


def slot_add(*, actor, event, starts_at, ends_at, is_break=False):
    _require_organiser(actor, event)
    if ends_at <= starts_at:
        raise ValidationError(_("A slot must end after it starts."))
    with transaction.atomic():
        if _overlapping(event, starts_at, ends_at).exists():
            raise ValidationError(_("This slot overlaps another slot of the event."))
        return MeetingSlot.objects.create(event=event, starts_at=starts_at, ends_at=ends_at, is_break=is_break)


def _meetings_of(queryset):
    return list(
        queryset.filter(status=Meeting.Status.SCHEDULED).select_related("event", "slot", "table", "party_a", "party_b")
    )


def slot_remove(*, actor, slot):
    """Delete a slot; its meetings are cancelled and both parties told ("slot_removed")."""
    _require_organiser(actor, slot.event)
    with transaction.atomic():
        meetings = _meetings_of(slot.meetings.all())
        for meeting in meetings:
            previous = _previous(meeting)
            meeting.status = Meeting.Status.CANCELLED
            meeting.save(update_fields=["status", "updated_at"])
            _notify("meeting_changed", meeting, "slot_removed", previous=previous)
        slot.delete()  # the cancelled meetings go with it (CASCADE); the notices carry copies
    return meetings


def table_add(*, actor, event, name, video_link=""):
    _require_organiser(actor, event)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("A table needs a name."))
    with transaction.atomic():
        if Table.objects.filter(event=event, name__iexact=name).exists():
            raise ValidationError(_("The event already has a table called “%(name)s”.") % {"name": name})
        position = (Table.objects.filter(event=event).aggregate(p=Max("position"))["p"] or 0) + 1
        table = Table(event=event, name=name, video_link=video_link or "", position=position)
        table.full_clean()
        table.save()
    return table


def table_remove(*, actor, table):
    """Delete a table; its meetings keep their time but lose the table, and both parties are told."""
    _require_organiser(actor, table.event)
    with transaction.atomic():
        meetings = _meetings_of(table.meetings.all())
        for meeting in meetings:
            previous = _previous(meeting)
            meeting.table = None
            meeting.save(update_fields=["table", "updated_at"])
            _notify("meeting_changed", meeting, "table_removed", previous=previous)
        table.delete()
    return meetings


# --- registrations --------------------------------------------------------------------


def registration_decide(*, actor, registration, approve):
    """Approve or decline a registration; declining cancels the participant's meetings (they are told)."""
    _require_organiser(actor, registration.event)
    with transaction.atomic():
        registration.status = Registration.Status.APPROVED if approve else Registration.Status.DECLINED
        registration.save(update_fields=["status", "updated_at"])
        if not approve:
            for meeting in _meetings_of(Meeting.objects.filter(Q(party_a=registration) | Q(party_b=registration))):
                _cancel(meeting)
    return registration


# --- the scheduler: from the database to a Problem and back ----------------------------


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
                (m.party_a_id, m.party_b_id): m for m in _meetings_of(Meeting.objects.filter(event=event, locked=False))
            }
            moved, dropped, changed_fields = [], [], []
            for key, meeting in current.items():
                if key not in placements:
                    dropped.append(meeting)
                    continue
                info = context.wanted.get(key)
                slot_id, table_id = placements[key]
                if (meeting.slot_id, meeting.table_id) != (slot_id, table_id):
                    moved.append((meeting, _previous(meeting)))
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
                _notify("meeting_changed", meeting, "cancelled", previous=_previous(meeting))
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
                _notify("meeting_changed", meeting, "moved", previous=previous)
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
                fresh = _meetings_of(Meeting.objects.filter(pk__in=[m.pk for m in created]))
                _notify("schedule_published", event, fresh)
            _webhooks_for(list(created) + [m for m, _previous in moved])
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


def scheduling_run_start(*, actor, event, time_limit=None):
    """Queue a scheduler run for the event once the transaction commits; returns the run."""
    _require_organiser(actor, event)
    from events import tasks

    with transaction.atomic():
        Event.objects.select_for_update().filter(pk=event.pk).first()  # one start at a time per event
        busy = SchedulingRun.objects.filter(
            event=event,
            status__in=[SchedulingRun.Status.QUEUED, SchedulingRun.Status.RUNNING],
            created_at__gt=timezone.now() - STALE_RUN_AFTER,
        )
        if busy.exists():
            raise ValidationError(_("The scheduler is already running for this event. Wait for it to finish."))
        if not event.slots.filter(is_break=False).exists():
            raise ValidationError(_("The event has no meeting slots yet. Set up the meeting day first."))
        if not event.tables.exists() and event.format != Event.Format.VIRTUAL:
            raise ValidationError(_("The event has no tables yet. Add tables first."))
        summary = {"time_limit": time_limit} if time_limit else {}
        run = SchedulingRun.objects.create(event=event, started_by=actor, summary=summary)
        tasks.queue_scheduler_run(run.pk)
    return run


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


# --- manual edits on the grid ---------------------------------------------------------


def _clash_message(meeting, slot, table):
    """Why ``meeting`` cannot be at ``slot``/``table``: the first clash found in the database."""
    event = slot.event
    when = _hhmm(event, slot.starts_at)
    parties = [meeting.party_a, meeting.party_b]
    busy = (
        MeetingSeat.objects.filter(slot=slot, registration__in=parties)
        .exclude(meeting_id=meeting.pk)
        .select_related("registration")
        .first()
    )
    if busy:
        return _("%(name)s already has a meeting at %(time)s.") % {"name": busy.registration.name, "time": when}
    if table is not None:
        other = Meeting.objects.filter(slot=slot, table=table, status=Meeting.Status.SCHEDULED).exclude(pk=meeting.pk)
        if other.exists():
            return _("%(table)s already has a meeting at %(time)s.") % {"table": table.name, "time": when}
    twin = (
        Meeting.objects.filter(
            event=event, party_a=meeting.party_a, party_b=meeting.party_b, status=Meeting.Status.SCHEDULED
        )
        .exclude(pk=meeting.pk)
        .select_related("slot")
        .first()
    )
    if twin:
        return _("%(a)s and %(b)s already meet at %(time)s.") % {
            "a": meeting.party_a.name, "b": meeting.party_b.name, "time": _hhmm(event, twin.slot.starts_at),
        }  # fmt: skip
    return _("This meeting clashes with another one at %(time)s.") % {"time": when}


def _check_place(event, slot, table):
    if slot.event_id != event.pk or (table is not None and table.event_id != event.pk):
        raise ValidationError(_("Choose a slot and a table of this event."))
    if slot.is_break:
        raise ValidationError(_("No meetings take place in a break."))


def meeting_move(*, actor, meeting, slot, table):
    """Move a meeting (and lock it there); a double booking is refused with a clear message."""
    event = meeting.event
    _require_organiser(actor, event)
    _check_place(event, slot, table)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(_("A cancelled meeting cannot be moved."))
    if (meeting.slot_id, meeting.table_id) == (slot.pk, table.pk if table else None):
        return meeting
    previous = _previous(meeting)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the failed update is undone, nothing half-written
                updated = Meeting.objects.filter(pk=meeting.pk, status=Meeting.Status.SCHEDULED).update(
                    slot=slot, table=table, locked=True, video_link=table.video_link if table else meeting.video_link,
                    updated_at=timezone.now(),
                )  # fmt: skip
        except IntegrityError as exc:
            raise ValidationError(_clash_message(meeting, slot, table)) from exc
        if not updated:
            raise ValidationError(_("This meeting was cancelled meanwhile."))
        meeting.refresh_from_db()
        _notify("meeting_changed", meeting, "moved", previous=previous)
    return meeting


def meeting_set_locked(*, actor, meeting, locked):
    _require_organiser(actor, meeting.event)
    with transaction.atomic():
        meeting.locked = locked
        meeting.save(update_fields=["locked", "updated_at"])
    return meeting


def _cancel(meeting):
    previous = _previous(meeting)
    meeting.status = Meeting.Status.CANCELLED
    meeting.locked = False
    meeting.save(update_fields=["status", "locked", "updated_at"])
    _notify("meeting_changed", meeting, "cancelled", previous=previous)


def meeting_cancel(*, actor, meeting):
    _require_organiser(actor, meeting.event)
    if meeting.status != Meeting.Status.SCHEDULED:
        raise ValidationError(_("This meeting is already cancelled."))
    with transaction.atomic():
        _cancel(meeting)
    return meeting


def meeting_add(*, actor, event, first, second, slot, table):
    """Place a meeting between two approved participants by hand (locked)."""
    _require_organiser(actor, event)
    _check_place(event, slot, table)
    if first.pk == second.pk:
        raise ValidationError(_("Choose two different participants."))
    for person in (first, second):
        if person.event_id != event.pk or person.status != Registration.Status.APPROVED:
            raise ValidationError(_("%(name)s is not an approved participant of this event.") % {"name": person.name})
    party_a, party_b = sorted([first, second], key=lambda r: r.pk)
    meeting = Meeting(
        event=event, slot=slot, table=table, party_a=party_a, party_b=party_b, locked=True,
        source=Meeting.Source.MANUAL, video_link=table.video_link if table else "",
    )  # fmt: skip
    with transaction.atomic():
        try:
            with transaction.atomic():
                meeting.save()
        except IntegrityError as exc:
            meeting.pk = None
            raise ValidationError(_clash_message(meeting, slot, table)) from exc
        _notify("schedule_published", event, [meeting])
        _webhooks_for([meeting])
    return meeting


# --- exports and reminders ------------------------------------------------------------

CSV_HEADER = [
    "slot_start", "slot_end", "time_zone", "table", "party_a", "party_a_organisation",
    "party_b", "party_b_organisation", "locked", "source",
]  # fmt: skip


def schedule_csv(*, actor, event):
    """The whole schedule as CSV text: one line per scheduled meeting, times in the event's zone."""
    _require_organiser(actor, event)
    meetings = (
        Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED)
        .select_related("slot", "table", "party_a__organisation", "party_b__organisation")
        .order_by("slot__starts_at", "table__position", "table__name", "pk")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for m in meetings:
        writer.writerow(
            [
                f"{_local(event, m.slot.starts_at):%Y-%m-%d %H:%M}", f"{_local(event, m.slot.ends_at):%H:%M}",
                event.timezone, m.table.name if m.table_id else "",
                m.party_a.name, m.party_a.organisation.name, m.party_b.name, m.party_b.organisation.name,
                "yes" if m.locked else "no", m.source,
            ]
        )  # fmt: skip
    return out.getvalue()


def reminders_queue(*, actor, event):
    """Queue the one-time reminder to approved participants who have no meeting yet."""
    _require_organiser(actor, event)
    from events import tasks

    tasks.queue_no_meeting_reminders(event.pk)


# --- reads for the organiser pages -----------------------------------------------------


@dataclass
class GridRow:
    slot: MeetingSlot
    cells: list  # one meeting or None per table, in position order
    unplaced: list  # meetings of the slot without a table


def schedule_grid(*, event):
    """Slots × tables of the event with the scheduled meetings, in a few queries."""
    tables = list(event.tables.order_by("position", "name", "pk"))
    column = {table.pk: i for i, table in enumerate(tables)}
    rows = {
        slot.pk: GridRow(slot=slot, cells=[None] * len(tables), unplaced=[])
        for slot in event.slots.order_by("starts_at")
    }
    meetings = (
        Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED)
        .select_related("party_a__organisation", "party_b__organisation", "table")
        .order_by("slot__starts_at", "pk")
    )
    for meeting in meetings:
        row = rows.get(meeting.slot_id)
        if row is None:
            continue
        if meeting.table_id in column:
            row.cells[column[meeting.table_id]] = meeting
        else:
            row.unplaced.append(meeting)
    return tables, list(rows.values())


def registration_counts(*, event):
    counts = dict.fromkeys(Registration.Status.values, 0)
    for status in event.registrations.values_list("status", flat=True):
        counts[status] += 1
    return counts
