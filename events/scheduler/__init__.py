"""The B2B meeting scheduler: a pure function from a meeting day to a schedule.

No ORM here: the caller (``events.scheduling`` in the Celery task, the benchmark, the tests)
turns the event's registrations, availability, accepted requests or preference marks,
slots, tables and locked meetings into a :class:`Problem`, calls :func:`schedule` and writes
the :class:`Schedule` back.

A package, one module per stage of the algorithm below, because each stage reads on its
own and they share only the integer representation of the day: ``problem`` (what goes in
and out), ``state`` (the day and a partial schedule as integers), ``matching`` (steps 1 to
3), ``local_search`` (4), ``cpsat`` (5), ``finishing`` (6, 7 and the final check); this
module holds the driver, :func:`schedule`, that runs them in order.  The underscored names
are shared between the package's modules only; callers use what this module exports.

The problem
===========

Participants want to meet in pairs (a :class:`Request` with a weight: the adapter gives
must-meet pairs the largest weights, e.g. ``1 + score``, and would-like pairs the match
score).  Each pair meets at most once, in one slot, at one table.  Hard constraints:
nobody sits in two meetings of one slot, both parties are available in the slot, a slot
holds at most ``tables`` meetings, locked meetings stay exactly where they are (slot and
table) and count like the others.  A locked meeting may sit in a slot one party marked as
unavailable (the organiser decided so); no other meeting is ever placed there.

The objective is lexicographic, in this order:

1. the number of meetings;
2. their total weight (weights rounded to thousandths, so that sums are exact integers);
3. fairness: the number of participants with at least one wanted pair who get at least one
   meeting (nobody is left with none if that can be avoided);
4. fewer idle gaps: slots in which a participant is available but idle between their first
   and last meeting of the day.

Python compares candidate schedules by the tuple ``(meetings, weight, covered, -gaps)``;
a change is kept only if it makes this tuple larger, so the order is strictly
lexicographic.  Inside the CP-SAT sub-models the first three levels are one integer
objective with scaled coefficients (each level's coefficient exceeds the largest possible
sum of all the levels below it *within the sub-model*, which stays small, so the scaling
is exact and the numbers stay far below 2**53).  Idle gaps do not depend on which pairs
meet, only on which slot each meeting is in, so they are reduced last by moving meetings
between slots, which never touches levels 1 to 3.

The algorithm
=============

1. **Upper bound.**  The *simple bound*: half the sum over participants of
   ``min(wanted pairs, available slots)``, capped by the number of pairs and by
   ``sum(tables)``.  A tighter one replaces each participant's term by the maximum
   bipartite matching between their pairs and their slots (a pair can only use slots where
   both parties are available), and a per-slot one sums ``min(tables, maximum matching of
   the pairs available in the slot)``.  The reported ``upper_bound`` is the smallest of
   them; ``gap`` is measured against it.
2. **Greedy** (reported for comparison only): pairs by decreasing weight, each into the
   first slot where both are free.
3. **Constructive start: a maximum matching per slot.**  Slots are filled one after
   another, scarcest first (fewest available participants).  In each slot we compute a
   maximum-cardinality matching of the still-unmet pairs of the free participants with
   Edmonds' blossom algorithm (the request graph is not bipartite).  Participants are
   offered to the matching in order of urgency -- least slack first, slack being the
   slots they have left minus the pairs they still could meet -- and an augmenting path
   never unmatches a matched participant, so the urgent ones are the ones covered (the
   coverable vertex sets of a graph form a matroid, so this greedy order is exact).
   Among a participant's pairs the scarcest ones (fewest remaining common slots) are
   tried first.
4. **Local search** (Python), repeated from random pairs of slots: a *Kempe shuffle*
   swaps the two slots along a random half of the alternating chains their meetings form
   (the set of meetings stays, but who is free in which of the two slots changes), then
   each of the two slots is *re-matched*: its maximum matching is recomputed among its
   own meetings and the unmet pairs, starting from the current one, so only augmenting
   paths change it (a path may drop one of the slot's meetings to seat two others).  When
   that gains, *ejection chains* follow: an unmet pair is put into a slot where one party
   is free, and the meeting it displaces moves to another slot of its own (or is dropped
   while its other party meets one of their unmet pairs instead), depth first, until a
   meeting lands where both parties are free; and *weight swaps* replace a meeting by a
   heavier unmet pair sharing a party and a slot.  The number of meetings never drops.
   On the benchmark this phase does most of the work: from 97.9 % of the simple bound
   (the matching start) to about 99.2 % in a few seconds.
5. **CP-SAT large-neighbourhood search**, started from that schedule: repeatedly free a
   neighbourhood -- ten participants grown along wanted pairs from someone who could
   still gain, or every third time two whole slots -- keep everything else fixed, and
   solve the sub-model with OR-Tools CP-SAT (one worker, a deterministic time limit of at
   most 0.25 s) with the current schedule as the hint (``AddHint``).  The result
   replaces the neighbourhood if it is at least as good lexicographically.  One CP-SAT
   model of the whole day (about 30,000 booleans) does not improve on the local search
   in minutes: the linear relaxation of matching problems is weak (it lacks the
   odd-set inequalities), so CP-SAT cannot prune.  Small neighbourhoods it solves to
   optimality, which mostly improves the weight and fairness, and makes tiny days exact.
6. **Idle gaps**: a meeting moves to another slot where both parties are free when that
   lowers the number of idle gaps.
7. **Tables**: locked meetings keep theirs; the others get the lowest free table numbers
   of their slot, in participant order.

Determinism
===========

The same input gives the same output.  Nothing iterates over a hash-ordered set; random
choices come from ``random.Random(seed)``; every CP-SAT solve uses one worker, a fixed
``random_seed`` and a *deterministic* time limit (``max_deterministic_time``), never a
wall-clock one.  The local search stops on a deterministic work budget (``effort``,
CP-SAT deterministic seconds summed over the sub-solves, by default derived from
``time_limit``), not on the clock.  ``time_limit`` is also enforced as a wall-clock
safety cap; should a very slow machine hit it, the result is still valid but may
differ from run to run, and ``Schedule.stopped_by`` says ``"time limit"`` instead of
``"budget"`` or ``"optimal"``.  So a rerun with nothing changed reproduces the previous
schedule exactly, and locked meetings are never moved.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from events.scheduler.cpsat import _cpsat_search
from events.scheduler.finishing import _check, _meetings, _reduce_gaps
from events.scheduler.local_search import _local_search
from events.scheduler.matching import _bounds, _construct, _greedy
from events.scheduler.problem import (
    WEIGHT_SCALE,
    Meeting,
    Participant,
    Problem,
    ProgressCallback,
    Request,
    Schedule,
    Slot,
    Stage,
)
from events.scheduler.state import _Day

__all__ = [
    "WEIGHT_SCALE", "Meeting", "Participant", "ProgressCallback", "Problem", "Request", "Schedule", "Slot", "Stage",
    "schedule",
]  # fmt: skip


# Calibration of the deterministic budget (this machine: 2-core EPYC, Python 3.11):
# about this many local-search iterations per second on a day of 500 participants and
# 3,000 pairs (the cost of one grows with participants + pairs), and CP-SAT reports about
# this many deterministic seconds per wall-clock second on these sub-models.
LOCAL_SEARCH_ITERATIONS_PER_SECOND = 500 * 3500
CPSAT_DETERMINISTIC_PER_SECOND = 0.25


def schedule(
    problem: Problem,
    *,
    time_limit: float = 30.0,
    effort: float | None = None,
    seed: int = 0,
    progress: ProgressCallback | None = None,
    local_search_share: float = 0.6,
    neighbourhood_size: int = 10,
) -> Schedule:
    """Schedule the meetings of ``problem``; see the module docstring for the algorithm.

    ``time_limit`` (seconds) is a wall-clock safety cap; the work itself is budgeted by
    ``effort`` (seconds of work as calibrated on the project's machine, default
    ``0.7 * time_limit``), split between the local search (``local_search_share``) and
    the CP-SAT neighbourhoods, so that the result does not depend on the machine's
    speed.  ``seed`` fixes the random choices.  ``progress(fraction, phase)`` is called
    now and then with the overall fraction done (0 to 1) and the phase name (``bounds``,
    ``greedy``, ``start``, ``local search``, ``cp-sat``, ``gaps``, ``done``).  Raises
    ``ValueError`` for an inconsistent problem (unknown ids, clashing locked meetings).
    """
    started = time.perf_counter()
    deadline = started + time_limit
    effort = 0.7 * time_limit if effort is None else effort
    report = progress or (lambda fraction, phase: None)
    stopped_by = ["budget"]

    def elapsed() -> float:
        return time.perf_counter() - started

    def ticker(low: float, high: float, phase: str) -> Callable[[float], bool]:
        def tick(fraction: float) -> bool:
            report(low + (high - low) * min(max(fraction, 0.0), 1.0), phase)
            if time.perf_counter() > deadline:
                stopped_by[0] = "time limit"
                return False
            return True

        return tick

    report(0.0, "bounds")
    day = _Day(problem)
    simple, bound = _bounds(day)
    stages: list[Stage] = []

    report(0.02, "greedy")
    greedy = _greedy(day)
    stages.append(Stage("greedy", greedy.count(), greedy.total_weight(), elapsed()))

    report(0.04, "start")
    state = _construct(day)
    stages.append(Stage("start", state.count(), state.total_weight(), elapsed()))
    if greedy.key() > state.key():  # never worse than the baseline
        state = greedy.copy()

    rng = random.Random(seed)
    iterations = max(1, round(effort * local_search_share * LOCAL_SEARCH_ITERATIONS_PER_SECOND / (day.n + day.E + 1)))
    if day.E and day.m > 1:
        _local_search(day, state, iterations, bound, rng, ticker(0.1, 0.5, "local search"))
    stages.append(Stage("local search", state.count(), state.total_weight(), elapsed()))

    cpsat_budget = effort * (1 - local_search_share) * CPSAT_DETERMINISTIC_PER_SECOND
    if day.E and cpsat_budget > 0 and stopped_by[0] == "budget":
        _improved, exact = _cpsat_search(day, state, cpsat_budget, neighbourhood_size, rng, ticker(0.5, 0.95, "cp-sat"))
        if exact:
            stopped_by[0] = "exact"

    report(0.95, "gaps")
    _reduce_gaps(day, state)
    _check(day, state)
    count = state.count()
    stages.append(Stage("final", count, state.total_weight(), elapsed()))
    _count, _weight, covered, gaps = state.key()
    report(1.0, "done")
    return Schedule(
        meetings=_meetings(day, state),
        upper_bound=bound,
        simple_bound=simple,
        total_weight=state.total_weight(),
        participants_without_meeting=sum(day.wanted) - covered,
        idle_gaps=-gaps,
        seconds=elapsed(),
        stopped_by=stopped_by[0],
        stages=stages,
    )
