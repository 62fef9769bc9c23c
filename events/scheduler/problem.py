"""What goes in and what comes out: a meeting day as plain data, and the schedule for it."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

Participant = Hashable
Slot = Hashable
ProgressCallback = Callable[[float, str], None]

WEIGHT_SCALE = 1000  # weights are compared in thousandths


@dataclass(frozen=True)
class Request:
    """A pair that wants to meet (an accepted request or a preference), with its weight (≥ 0)."""

    a: Participant
    b: Participant
    weight: float = 1.0


@dataclass(frozen=True)
class Meeting:
    """A meeting of ``a`` and ``b`` in ``slot`` at table ``table`` (numbered from 0)."""

    a: Participant
    b: Participant
    slot: Slot
    table: int


@dataclass(frozen=True)
class Problem:
    """One meeting day.

    ``slots`` are in time order (for idle gaps); breaks are simply left out.  ``tables`` is
    the number of tables in every slot, or one number per slot.  ``unavailable`` lists the
    (participant, slot) pairs in which a participant cannot meet.  Several requests for
    the same pair are merged (the largest weight counts).  ``locked`` meetings are kept
    as they are and must not clash with one another.
    """

    participants: Sequence[Participant]
    slots: Sequence[Slot]
    tables: int | Sequence[int]
    requests: Sequence[Request]
    unavailable: Sequence[tuple[Participant, Slot]] = ()
    locked: Sequence[Meeting] = ()


@dataclass(frozen=True)
class Stage:
    """The quality of the schedule at the end of one phase."""

    name: str
    meetings: int
    weight: float
    seconds: float


@dataclass
class Schedule:
    """The result of :func:`schedule`.

    ``upper_bound`` is a number of meetings no schedule can exceed; ``gap`` is
    ``(upper_bound - len(meetings)) / upper_bound``.  ``simple_bound`` is the simple
    bound (see ``events.scheduler``), kept for comparison with it.  ``stages`` lists the
    greedy baseline, the constructive start, the local search and the final result.
    ``stopped_by`` is ``"exact"`` (CP-SAT solved the whole day to optimality: the
    schedule is optimal for meetings, weight and fairness), ``"budget"`` (the
    deterministic work budget was spent, or the search saw no more gains) or ``"time
    limit"`` (the wall-clock safety cap; results may then vary).  ``gap == 0`` means the
    number of meetings is optimal.
    """

    meetings: list[Meeting]
    upper_bound: int
    simple_bound: int
    total_weight: float
    participants_without_meeting: int
    idle_gaps: int
    seconds: float
    stopped_by: str
    stages: list[Stage] = field(default_factory=list)

    @property
    def gap(self) -> float:
        return (self.upper_bound - len(self.meetings)) / self.upper_bound if self.upper_bound else 0.0
