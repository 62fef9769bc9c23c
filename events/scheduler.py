"""The B2B meeting scheduler: a pure function from a meeting day to a schedule (issue 6).

No ORM here: the caller (a Celery task, the benchmark, the tests) turns the event's
registrations, availability, accepted requests or preference marks, slots, tables and
locked meetings into a :class:`Problem`, calls :func:`schedule` and writes the
:class:`Schedule` back.

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

1. **Upper bound.**  The *simple bound* of the issue: half the sum over participants of
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

import heapq
import random
import time
from collections import deque
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
    ``(upper_bound - len(meetings)) / upper_bound``.  ``simple_bound`` is the issue's
    bound (see the module docstring), kept for comparison with it.  ``stages`` lists the
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


# --------------------------------------------------------------------------------------
# Internal representation: participants, slots and pairs as integers.


class _Day:
    """The problem in integers: participant i, slot s, pair (edge) e with ends u < v."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.index = {}
        for i, p in enumerate(problem.participants):
            if p in self.index:
                raise ValueError(f"participant {p!r} listed twice")
            self.index[p] = i
        self.slot_index = {}
        for s, slot in enumerate(problem.slots):
            if slot in self.slot_index:
                raise ValueError(f"slot {slot!r} listed twice")
            self.slot_index[slot] = s
        n, m = len(problem.participants), len(problem.slots)
        self.n, self.m = n, m
        if isinstance(problem.tables, int):
            self.tables = [problem.tables] * m
        else:
            self.tables = [int(t) for t in problem.tables]
            if len(self.tables) != m:
                raise ValueError("one number of tables per slot is needed")
        if any(t < 0 for t in self.tables):
            raise ValueError("a number of tables cannot be negative")
        full = (1 << m) - 1
        self.avail = [full] * n  # bit s set: available in slot s
        for p, slot in problem.unavailable:
            i, s = self._participant(p), self._slot(slot)
            self.avail[i] &= ~(1 << s)

        # Pairs: merge duplicates, keep the largest weight.
        weights: dict[tuple[int, int], float] = {}
        for r in problem.requests:
            u, v = self._participant(r.a), self._participant(r.b)
            if u == v:
                raise ValueError(f"{r.a!r} cannot meet themselves")
            if not r.weight >= 0:
                raise ValueError(f"weight {r.weight!r} of {r.a!r}–{r.b!r} must be a number ≥ 0")
            key = (min(u, v), max(u, v))
            weights[key] = max(weights.get(key, 0.0), float(r.weight))

        # Locked meetings: checked, their pairs added (weight 0 when nobody asked for them).
        self.locked_slot: dict[tuple[int, int], tuple[int, int]] = {}
        self.locked_meeting: dict[tuple[int, int], Meeting] = {}
        seats: set[tuple[int, int]] = set()
        tables_used: set[tuple[int, int]] = set()
        for meeting in problem.locked:
            u, v = self._participant(meeting.a), self._participant(meeting.b)
            s = self._slot(meeting.slot)
            if u == v:
                raise ValueError(f"locked meeting {meeting!r}: nobody meets themselves")
            key = (min(u, v), max(u, v))
            if key in self.locked_slot:
                raise ValueError(f"locked meeting {meeting!r}: the pair is locked twice")
            if not 0 <= meeting.table < self.tables[s]:
                raise ValueError(f"locked meeting {meeting!r}: no such table in the slot")
            for seat in ((u, s), (v, s)):
                if seat in seats:
                    raise ValueError(f"locked meeting {meeting!r}: a party is already locked in that slot")
                seats.add(seat)
            if (s, meeting.table) in tables_used:
                raise ValueError(f"locked meeting {meeting!r}: the table is already taken")
            tables_used.add((s, meeting.table))
            self.locked_slot[key] = (s, meeting.table)
            self.locked_meeting[key] = meeting
            weights.setdefault(key, 0.0)
            # The organiser may lock a meeting in a slot marked unavailable: that seat is
            # then taken by the locked meeting and by nothing else.
            self.avail[u] |= 1 << s
            self.avail[v] |= 1 << s

        pairs = sorted(weights)
        self.ends = pairs
        self.weight = [weights[p] for p in pairs]
        self.wint = [round(w * WEIGHT_SCALE) for w in self.weight]
        self.edge_of = {p: e for e, p in enumerate(pairs)}
        self.E = len(pairs)
        self.eavail = [self.avail[u] & self.avail[v] for u, v in pairs]
        self.eslots = [[s for s in range(m) if mask >> s & 1] for mask in self.eavail]
        self.adj: list[list[int]] = [[] for _ in range(n)]  # edges of each participant
        for e, (u, v) in enumerate(pairs):
            self.adj[u].append(e)
            self.adj[v].append(e)
        self.locked = [False] * self.E
        for key in self.locked_slot:
            self.locked[self.edge_of[key]] = True
        self.wanted = [bool(self.adj[i]) for i in range(n)]  # has at least one pair

    def _participant(self, p):
        try:
            return self.index[p]
        except (KeyError, TypeError):
            raise ValueError(f"unknown participant {p!r}") from None

    def _slot(self, slot):
        try:
            return self.slot_index[slot]
        except (KeyError, TypeError):
            raise ValueError(f"unknown slot {slot!r}") from None

    def other(self, e: int, x: int) -> int:
        u, v = self.ends[e]
        return v if x == u else u


class _State:
    """A (partial) schedule: the slot of every pair (-1 if unmet) and who sits where."""

    def __init__(self, day: _Day):
        self.day = day
        self.slot = [-1] * day.E
        self.occ = [[-1] * day.m for _ in range(day.n)]  # occ[i][s]: edge or -1
        self.used = [0] * day.m  # meetings per slot
        for key, (s, _t) in day.locked_slot.items():
            self.place(day.edge_of[key], s)

    def copy(self) -> _State:
        other = _State.__new__(_State)
        other.day = self.day
        other.slot = self.slot[:]
        other.occ = [row[:] for row in self.occ]
        other.used = self.used[:]
        return other

    def place(self, e: int, s: int) -> None:
        u, v = self.day.ends[e]
        self.slot[e] = s
        self.occ[u][s] = e
        self.occ[v][s] = e
        self.used[s] += 1

    def remove(self, e: int) -> None:
        s = self.slot[e]
        u, v = self.day.ends[e]
        self.slot[e] = -1
        self.occ[u][s] = -1
        self.occ[v][s] = -1
        self.used[s] -= 1

    def fits(self, e: int, s: int) -> bool:
        u, v = self.day.ends[e]
        return self.occ[u][s] < 0 and self.occ[v][s] < 0 and self.used[s] < self.day.tables[s]

    def count(self) -> int:
        return sum(self.used)

    def meetings_of(self, i: int) -> int:
        return sum(1 for e in self.occ[i] if e >= 0)

    def free_cells(self, i: int) -> int:
        """How many slots participant i is available in and not meeting."""
        row, mask = self.occ[i], self.day.avail[i]
        return sum(1 for s in range(self.day.m) if mask >> s & 1 and row[s] < 0)

    def gaps_of(self, i: int) -> int:
        row, mask = self.occ[i], self.day.avail[i]
        busy = [s for s in range(self.day.m) if row[s] >= 0]
        if len(busy) < 2:
            return 0
        return sum(1 for s in range(busy[0], busy[-1]) if row[s] < 0 and mask >> s & 1)

    def key(self) -> tuple[int, int, int, int]:
        """The lexicographic objective: (meetings, weight, covered participants, -idle gaps)."""
        day = self.day
        count = 0
        weight = 0
        for e, s in enumerate(self.slot):
            if s >= 0:
                count += 1
                weight += day.wint[e]
        covered = sum(1 for i in range(day.n) if day.wanted[i] and any(x >= 0 for x in self.occ[i]))
        gaps = sum(self.gaps_of(i) for i in range(day.n))
        return (count, weight, covered, -gaps)

    def total_weight(self) -> float:
        return sum(self.day.weight[e] for e, s in enumerate(self.slot) if s >= 0)


# --------------------------------------------------------------------------------------
# Upper bounds.


def _bipartite_matching(left: list[list[int]]) -> int:
    """Size of a maximum matching of a small bipartite graph (left i → right ids), Kuhn's."""
    match_right: dict[int, int] = {}

    def try_assign(i: int, seen: set[int]) -> bool:
        for r in left[i]:
            if r in seen:
                continue
            seen.add(r)
            if r not in match_right or try_assign(match_right[r], seen):
                match_right[r] = i
                return True
        return False

    return sum(1 for i in range(len(left)) if try_assign(i, set()))


def _bounds(day: _Day) -> tuple[int, int]:
    """(simple bound, best bound) on the number of meetings; see the module docstring."""
    capacity = sum(day.tables)
    simple_half = sum(min(len(day.adj[i]), bin(day.avail[i]).count("1")) for i in range(day.n))
    simple = min(simple_half // 2, day.E, capacity)
    # Per participant: a matching between their pairs and their slots.
    node_sum = 0
    for i in range(day.n):
        edges = day.adj[i]
        if not edges:
            continue
        node_sum += _bipartite_matching([day.eslots[e] for e in edges])
    # Per slot: a maximum matching of the pairs available in the slot.
    slot_sum = 0
    for s in range(day.m):
        edges = [e for e in range(day.E) if day.eavail[e] >> s & 1]
        slot_sum += min(day.tables[s], len(_max_matching(day, edges, list(range(day.n)))))
    best = min(simple, node_sum // 2, slot_sum)
    return simple, best


# --------------------------------------------------------------------------------------
# Maximum-cardinality matching in a general graph (Edmonds' blossom algorithm).


def _max_matching(day: _Day, edges: list[int], order: list[int], initial: Sequence[int] = ()) -> list[int]:
    """A maximum matching among ``edges`` (edge ids), returned as a list of edge ids.

    Vertices are offered in ``order``: from each still-unmatched one we search an
    augmenting path (BFS with blossom contraction, as in the classic O(V^3) formulation).
    An augmentation never unmatches a matched vertex, and a vertex from which no path
    exists never gets one later, so one search per vertex gives a maximum matching whose
    covered set is the best in ``order`` (lexicographically).  The order of each vertex's
    edges in ``edges`` decides which partner is tried first.
    """
    ends = day.ends
    local: dict[int, int] = {}
    verts: list[int] = []
    adj: list[list[int]] = []
    edge_at: dict[tuple[int, int], int] = {}
    for e in edges:
        u, v = ends[e]
        for x in (u, v):
            if x not in local:
                local[x] = len(verts)
                verts.append(x)
                adj.append([])
        lu, lv = local[u], local[v]
        adj[lu].append(lv)
        adj[lv].append(lu)
        edge_at[lu, lv] = edge_at[lv, lu] = e
    n = len(verts)
    match = [-1] * n
    for e in initial:  # a matching to start from (among ``edges``)
        lu, lv = local[ends[e][0]], local[ends[e][1]]
        match[lu], match[lv] = lv, lu

    def find_path(root: int) -> None:
        used = [False] * n
        parent = [-1] * n
        base = list(range(n))
        used[root] = True
        queue = deque([root])

        def lca(a: int, b: int) -> int:
            seen = [False] * n
            while True:
                a = base[a]
                seen[a] = True
                if match[a] == -1:
                    break
                a = parent[match[a]]
            while True:
                b = base[b]
                if seen[b]:
                    return b
                b = parent[match[b]]

        def mark_path(v: int, b: int, child: int, blossom: list[bool]) -> None:
            while base[v] != b:
                blossom[base[v]] = blossom[base[match[v]]] = True
                parent[v] = child
                child = match[v]
                v = parent[match[v]]

        while queue:
            v = queue.popleft()
            for to in adj[v]:
                if base[v] == base[to] or match[v] == to:
                    continue
                if to == root or (match[to] != -1 and parent[match[to]] != -1):
                    cur = lca(v, to)
                    blossom = [False] * n
                    mark_path(v, cur, to, blossom)
                    mark_path(to, cur, v, blossom)
                    for i in range(n):
                        if blossom[base[i]]:
                            base[i] = cur
                            if not used[i]:
                                used[i] = True
                                queue.append(i)
                elif parent[to] == -1:
                    parent[to] = v
                    if match[to] == -1:
                        while to != -1:  # augment along root ... v - to
                            pv = parent[to]
                            nxt = match[pv]
                            match[to] = pv
                            match[pv] = to
                            to = nxt
                        return
                    used[match[to]] = True
                    queue.append(match[to])

    for x in order:
        lx = local.get(x)
        if lx is None or match[lx] != -1:
            continue
        for to in adj[lx]:  # fast path: a free neighbour
            if match[to] == -1:
                match[lx] = to
                match[to] = lx
                break
        else:
            find_path(lx)
    return sorted(edge_at[i, match[i]] for i in range(n) if match[i] > i)


# --------------------------------------------------------------------------------------
# Greedy baseline and the constructive start.


def _greedy(day: _Day) -> _State:
    """First fit by weight: pairs by decreasing weight, each into the first slot that fits."""
    state = _State(day)
    for e in sorted(range(day.E), key=lambda e: (-day.wint[e], e)):
        if state.slot[e] >= 0:
            continue
        for s in day.eslots[e]:
            if state.fits(e, s):
                state.place(e, s)
                break
    return state


def _popcount(x: int) -> int:
    return bin(x).count("1")


def _construct(day: _Day) -> _State:
    """Sequential maximum matching per slot, scarcest slot first (see the module docstring)."""
    state = _State(day)
    occ = state.occ
    m = day.m
    size = [sum(1 for i in range(day.n) if day.avail[i] >> s & 1 and occ[i][s] < 0) for s in range(m)]
    slot_order = sorted(range(m), key=lambda s: (size[s], s))
    remaining = (1 << m) - 1  # slots not filled yet
    for s in slot_order:
        # Free seats left per participant in the slots not filled yet (this one included).
        free_mask = [0] * day.n
        for i in range(day.n):
            row = occ[i]
            mask = day.avail[i] & remaining
            free_mask[i] = sum(1 << t for t in range(m) if mask >> t & 1 and row[t] < 0)
        candidates = []
        still_open = [0] * day.n  # unmet pairs that could still be placed
        for e in range(day.E):
            if state.slot[e] >= 0:
                continue
            u, v = day.ends[e]
            common = free_mask[u] & free_mask[v] & day.eavail[e]
            if not common:
                continue
            still_open[u] += 1
            still_open[v] += 1
            if common >> s & 1:
                candidates.append((_popcount(common), -day.wint[e], e))
        candidates.sort()
        edges = [e for _, _, e in candidates]
        slack = [_popcount(free_mask[i]) - still_open[i] for i in range(day.n)]
        order = sorted((i for i in range(day.n) if free_mask[i] >> s & 1), key=lambda i: (slack[i], -still_open[i], i))
        matched = _max_matching(day, edges, order)
        room = day.tables[s] - state.used[s]
        if len(matched) > room:
            rank = {e: k for k, e in enumerate(edges)}
            matched.sort(key=lambda e: (slack[day.ends[e][0]] + slack[day.ends[e][1]], rank[e]))
            matched = matched[:room]
        for e in matched:
            state.place(e, s)
        remaining &= ~(1 << s)
    return state


# --------------------------------------------------------------------------------------
# Ejection chains.


def _insert_chain(day: _Day, state: _State, e: int, banned: int, depth: int, visited: bytearray) -> bool:
    """Place unmet pair e (not in slot ``banned``), displacing at most one meeting per step.

    A displaced meeting f = (w, x), where w is the party e took the seat of, either moves
    to another slot (a *move*: the number of meetings grows by one at the end) or is
    dropped while x, who got a free seat, meets one of their unmet pairs instead (a
    *swap*: as in an augmenting path of a degree-constrained subgraph).
    """
    u, v = day.ends[e]
    occ_u, occ_v = state.occ[u], state.occ[v]
    used, tables = state.used, day.tables
    slots = day.eslots[e]
    for s in slots:
        if s != banned and occ_u[s] < 0 and occ_v[s] < 0 and used[s] < tables[s]:
            state.place(e, s)
            return True
    if depth == 0:
        return False
    slot_of = state.slot
    for s in slots:
        if s == banned:
            continue
        a, b = occ_u[s], occ_v[s]
        if a >= 0 and b >= 0:
            continue
        f = a if a >= 0 else b
        if f < 0 or visited[f] or day.locked[f]:
            continue
        visited[f] = 1
        x = day.other(f, u if a >= 0 else v)
        state.remove(f)
        state.place(e, s)
        if _insert_chain(day, state, f, s, depth - 1, visited):
            return True
        for g in day.adj[x]:
            if slot_of[g] < 0 and not visited[g] and day.eslots[g]:
                visited[g] = 1
                if _insert_chain(day, state, g, -1, depth - 1, visited):
                    return True
        state.remove(e)
        state.place(f, s)
    return False


def _chains(day: _Day, state: _State, depth: int = 40) -> int:
    """Add meetings by ejection chains until none can be added; returns how many.

    Roots are unmet pairs with a party who still has a free seat (no chain can add a
    meeting otherwise).  Marks are shared between the roots of one round, as the
    search trees of augmenting-path algorithms are, and cleared after each success.
    """
    added = 0
    progress = True
    while progress:
        progress = False
        visited = bytearray(day.E)
        for e in sorted(range(day.E), key=lambda e: (-day.wint[e], e)):
            if state.slot[e] >= 0 or visited[e] or not day.eslots[e]:
                continue
            u, v = day.ends[e]
            if state.free_cells(u) == 0 and state.free_cells(v) == 0:
                continue
            visited[e] = 1
            if _insert_chain(day, state, e, -1, depth, visited):
                added += 1
                progress = True
                visited = bytearray(day.E)
    return added


def _rematch_slot(day: _Day, state: _State, s: int) -> int:
    """Re-solve slot s's matching given the other slots; returns the gain (≥ 0).

    The slot's meetings are the start, so only augmenting paths change it: a path may
    drop a meeting of the slot (its pair becomes unmet) to seat two others.
    """
    current = [e for e in range(day.E) if state.slot[e] == s and not day.locked[e]]
    room = day.tables[s] - state.used[s] + len(current)
    if len(current) >= room:
        return 0
    for e in current:
        state.remove(e)
    occ, ends, eavail = state.occ, day.ends, day.eavail
    edges = [
        e
        for e in range(day.E)
        if state.slot[e] < 0 and eavail[e] >> s & 1 and occ[ends[e][0]][s] < 0 and occ[ends[e][1]][s] < 0
    ]
    matched = _max_matching(day, edges, list(range(day.n)), current)
    if len(matched) > room:  # more pairs than tables: any part of a matching is one
        matched = matched[:room]
    for e in matched:
        state.place(e, s)
    return len(matched) - len(current)


def _kempe_shuffle(day: _Day, state: _State, s: int, t: int, rng: random.Random) -> None:
    """Swap slots s and t along a random half of the Kempe chains of their meetings.

    The meetings of two slots form paths and even cycles (everyone sits in at most one
    meeting per slot).  Swapping a whole component keeps everyone in at most one
    meeting per slot; it is done only when both parties of every meeting in it are
    available in the other slot, none is locked, and the tables suffice.  The set of
    meetings does not change, only who is free in which of the two slots.
    """
    occ, slot_of = state.occ, state.slot
    seen = bytearray(day.n)
    for i in range(day.n):
        if seen[i] or (occ[i][s] < 0 and occ[i][t] < 0):
            continue
        component: list[int] = []
        in_component: set[int] = set()
        stack = [i]
        seen[i] = 1
        while stack:
            x = stack.pop()
            for here in (s, t):
                e = occ[x][here]
                if e >= 0 and e not in in_component:
                    in_component.add(e)
                    component.append(e)
                    y = day.other(e, x)
                    if not seen[y]:
                        seen[y] = 1
                        stack.append(y)
        if rng.random() < 0.5:
            continue
        target = {e: (t if slot_of[e] == s else s) for e in component}
        if any(day.locked[e] or not day.eavail[e] >> target[e] & 1 for e in component):
            continue
        into_t = sum(1 for e in component if target[e] == t)
        into_s = len(component) - into_t
        if state.used[t] - into_s + into_t > day.tables[t] or state.used[s] - into_t + into_s > day.tables[s]:
            continue
        for e in component:
            state.remove(e)
        for e in component:
            state.place(e, target[e])


def _weight_swaps(day: _Day, state: _State) -> int:
    """Replace a meeting by a heavier unmet pair; returns how many.

    The unmet pair (u, v) takes either v's seat in slot s where u is free (v's meeting
    there is dropped), or, in a slot where both are free but every table is taken, the
    table of the slot's lightest meeting.  The number of meetings stays, the weight grows.
    """
    swaps = 0
    occ, slot_of, wint = state.occ, state.slot, day.wint
    heaps: list[list[tuple[int, int]]] = [[] for _ in range(day.m)]  # lightest meetings per slot
    for e, s in enumerate(slot_of):
        if s >= 0 and not day.locked[e]:
            heaps[s].append((wint[e], e))
    for heap in heaps:
        heapq.heapify(heap)

    def lightest(s: int) -> int:
        heap = heaps[s]
        while heap and slot_of[heap[0][1]] != s:  # stale entries of moved meetings
            heapq.heappop(heap)
        return heap[0][1] if heap else -1

    for e in sorted(range(day.E), key=lambda e: (-wint[e], e)):
        if slot_of[e] >= 0:
            continue
        u, v = day.ends[e]
        best = None
        for s in day.eslots[e]:
            a, b = occ[u][s], occ[v][s]
            if a >= 0 and b >= 0:
                continue
            if a < 0 and b < 0:
                if state.used[s] < day.tables[s]:  # a free table too: simply add it
                    best = (-1, s)
                    break
                f = lightest(s)  # the table is what is missing
                if f < 0:
                    continue
            else:
                f = a if a >= 0 else b
            if not day.locked[f] and wint[f] < wint[e] and (best is None or wint[f] < wint[best[0]]):
                best = (f, s)
        if best is not None:
            if best[0] >= 0:
                state.remove(best[0])
            state.place(e, best[1])
            heapq.heappush(heaps[best[1]], (wint[e], e))
            swaps += 1
    return swaps


def _local_search(
    day: _Day, state: _State, iterations: int, bound: int, rng: random.Random, tick: Callable[[float], bool]
) -> int:
    """Kempe shuffles of two random slots, then re-matching of both, then ejection chains.

    Never lowers the number of meetings; weight swaps run whenever it grew.  Stops after
    ``iterations``, at the bound, after a long run without any gain (50 tries per pair of
    slots, at least 500), or when ``tick(fraction)`` returns False (wall-clock cap).
    Returns the iterations done.
    """
    _chains(day, state)
    _weight_swaps(day, state)
    count = state.count()
    patience = max(500, 50 * day.m * (day.m - 1) // 2)
    last_gain = 0
    done = 0
    for done in range(1, iterations + 1):
        if count >= bound or done - last_gain > patience or (done % 25 == 0 and not tick(done / iterations)):
            break
        s, t = rng.sample(range(day.m), 2)
        _kempe_shuffle(day, state, s, t, rng)
        if _rematch_slot(day, state, s) + _rematch_slot(day, state, t):
            _chains(day, state)
            _weight_swaps(day, state)
            _chains(day, state)
            count = state.count()
            last_gain = done
    return done


# --------------------------------------------------------------------------------------
# CP-SAT large-neighbourhood search.


def _solve_neighbourhood(
    day: _Day, state: _State, release: list[int], pairs: list[int], slots_mask: int, det_limit: float, seed: int
) -> tuple[bool, bool, float]:
    """Free the meetings ``release``; re-place them and the unmet ``pairs`` in ``slots_mask``.

    Everything else stays where it is.  CP-SAT maximises, lexicographically by scaled
    coefficients, (meetings, weight, newly covered participants) of the freed part, with
    the current placement as the hint.  The new placement is applied when it is at least
    as good (equal moves let the search drift across plateaus).  Returns (improved,
    proved optimal, deterministic time used).
    """
    from ortools.sat.python import cp_model

    old = {e: state.slot[e] for e in release}
    for e in release:
        state.remove(e)
    occ, used, tables = state.occ, state.used, day.tables
    candidates = sorted(set(pairs) | set(release))
    var_of: dict[tuple[int, int], int] = {}
    keys: list[tuple[int, int]] = []
    for e in candidates:
        if state.slot[e] >= 0:
            continue
        u, v = day.ends[e]
        mask = day.eavail[e] & slots_mask
        for s in day.eslots[e]:
            if mask >> s & 1 and occ[u][s] < 0 and occ[v][s] < 0 and used[s] < tables[s]:
                var_of[e, s] = len(keys)
                keys.append((e, s))
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{e}_{s}") for e, s in keys]
    by_edge: dict[int, list[int]] = {}
    by_cell: dict[tuple[int, int], list[int]] = {}
    by_slot: dict[int, list[int]] = {}
    for k, (e, s) in enumerate(keys):
        u, v = day.ends[e]
        by_edge.setdefault(e, []).append(k)
        by_cell.setdefault((u, s), []).append(k)
        by_cell.setdefault((v, s), []).append(k)
        by_slot.setdefault(s, []).append(k)
    for ks in by_edge.values():
        if len(ks) > 1:
            model.add_at_most_one(x[k] for k in ks)
    for ks in by_cell.values():
        if len(ks) > 1:
            model.add_at_most_one(x[k] for k in ks)
    for s, ks in by_slot.items():
        room = tables[s] - used[s]
        if len(ks) > room:
            model.add(sum(x[k] for k in ks) <= room)
    # Participants with no meeting outside the neighbourhood: covered if one inside.
    uncovered = []
    covered_ids = []
    by_person: dict[int, list[int]] = {}
    for (u, _s), ks in by_cell.items():
        by_person.setdefault(u, []).extend(ks)
    for i in sorted(by_person):
        if day.wanted[i] and all(e < 0 for e in occ[i]):
            y = model.new_bool_var(f"y{i}")
            model.add(y <= sum(x[k] for k in by_person[i]))
            uncovered.append(y)
            covered_ids.append(i)
    c_weight = len(uncovered) + 1
    c_count = (sum(day.wint[e] for e in by_edge) + 1) * c_weight
    model.maximize(sum((c_count + day.wint[e] * c_weight) * x[k] for k, (e, s) in enumerate(keys)) + sum(uncovered))
    for k, (e, s) in enumerate(keys):
        model.add_hint(x[k], old.get(e, -1) == s)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = det_limit
    status = solver.solve(model)
    used_time = solver.deterministic_time
    hint_score = sum(c_count + day.wint[e] * c_weight for e, s in old.items() if (e, s) in var_of)
    hint_score += sum(1 for i in covered_ids if any(old.get(keys[k][0], -1) == keys[k][1] for k in by_person[i]))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and round(solver.objective_value) >= hint_score:
        for k, (e, s) in enumerate(keys):
            if solver.boolean_value(x[k]):
                state.place(e, s)
        return round(solver.objective_value) > hint_score, status == cp_model.OPTIMAL, used_time
    for e, s in old.items():
        state.place(e, s)
    return False, status == cp_model.OPTIMAL, used_time


def _cluster(day: _Day, start: int, size: int, rng: random.Random) -> list[int]:
    """Up to ``size`` participants reached from ``start`` along wanted pairs, breadth first."""
    cluster = [start]
    members = {start}
    for x in cluster:
        partners = [day.other(e, x) for e in day.adj[x]]
        rng.shuffle(partners)
        for y in partners:
            if len(cluster) >= size:
                return cluster
            if y not in members:
                members.add(y)
                cluster.append(y)
    return cluster


def _cpsat_search(
    day: _Day, state: _State, budget: float, size: int, rng: random.Random, tick: Callable[[float], bool]
) -> tuple[int, bool]:
    """CP-SAT on neighbourhoods until ``budget`` (deterministic seconds) is spent.

    Two kinds of neighbourhood.  Mostly ``size`` participants, grown from one who could
    gain -- with a free seat and an unmet pair, or with an unmet pair heavier than one of
    their meetings -- along wanted pairs (in random order); all their meetings that are
    not locked are freed, all slots are open to them.  Every third one: two whole slots,
    all their meetings freed (this is where tables that bind are traded, as participant
    neighbourhoods do not see who else wants the table).  Returns the number of improving
    neighbourhoods and whether the whole day was solved to optimality.  Stops early when a
    neighbourhood holding everybody was solved to optimality (the whole day then is) or
    after max(30, participants / 2) neighbourhoods in a row without gain.  When nobody
    could gain (no seed), only slot neighbourhoods are used.
    """
    spent = 0.0
    improved = 0
    rounds = 0
    last_gain = 0
    patience = max(30, day.n // 2)
    while spent < budget and rounds - last_gain < patience:
        rounds += 1
        if rounds % 5 == 0 and not tick(spent / budget):
            break
        occ = state.occ
        seeds = []
        for i in range(day.n):
            unmet = [e for e in day.adj[i] if state.slot[e] < 0 and day.eslots[e]]
            if not unmet:
                continue
            lightest = min((day.wint[e] for e in occ[i] if e >= 0 and not day.locked[e]), default=None)
            if state.free_cells(i) > 0 or (lightest is not None and max(day.wint[e] for e in unmet) > lightest):
                seeds.append(i)
        mask = (1 << day.m) - 1
        if rounds % 3 == 0 or not seeds:
            # Every third neighbourhood: two whole slots (tables may be what binds).
            chosen = rng.sample(range(day.m), min(day.m, 2))
            mask = sum(1 << s for s in chosen)
            release = [e for e in range(day.E) if state.slot[e] >= 0 and mask >> state.slot[e] & 1]
            release = [e for e in release if not day.locked[e]]
            pairs = [e for e in range(day.E) if state.slot[e] < 0 and day.eavail[e] & mask]
            whole = len(chosen) == day.m
        else:
            cluster = _cluster(day, rng.choice(seeds), size, rng)
            touched = sorted({e for i in cluster for e in day.adj[i]})
            release = [e for e in touched if state.slot[e] >= 0 and not day.locked[e]]
            pairs = [e for e in touched if state.slot[e] < 0]
            whole = len(cluster) == day.n
        better, optimal, used = _solve_neighbourhood(
            day, state, release, pairs, mask, min(0.25, budget - spent), rounds
        )
        spent += used
        if better:
            improved += 1
            last_gain = rounds
        elif optimal and whole:
            return improved, True
    return improved, False


# --------------------------------------------------------------------------------------
# Idle gaps, tables, the driver.


def _reduce_gaps(day: _Day, state: _State, passes: int = 3) -> None:
    """Move single meetings to another free slot of both parties when that lowers idle gaps."""
    occ = state.occ
    for _ in range(passes):
        moved = False
        for e in range(day.E):
            s = state.slot[e]
            if s < 0 or day.locked[e]:
                continue
            u, v = day.ends[e]
            before = state.gaps_of(u) + state.gaps_of(v)
            if before == 0:
                continue
            best, best_gaps = s, before
            for t in day.eslots[e]:
                if t == s or occ[u][t] >= 0 or occ[v][t] >= 0 or state.used[t] >= day.tables[t]:
                    continue
                state.remove(e)
                state.place(e, t)
                after = state.gaps_of(u) + state.gaps_of(v)
                state.remove(e)
                state.place(e, s)
                if after < best_gaps:
                    best, best_gaps = t, after
            if best != s:
                state.remove(e)
                state.place(e, best)
                moved = True
        if not moved:
            break


def _meetings(day: _Day, state: _State) -> list[Meeting]:
    """The schedule as meetings: locked ones at their tables, the others at the lowest free ones."""
    people, slots = day.problem.participants, day.problem.slots
    taken = [set() for _ in range(day.m)]
    table_of: dict[int, int] = {}
    for (u, v), (s, table) in day.locked_slot.items():
        taken[s].add(table)
        table_of[day.edge_of[u, v]] = table
    by_slot: list[list[int]] = [[] for _ in range(day.m)]
    for e, s in enumerate(state.slot):
        if s >= 0 and e not in table_of:
            by_slot[s].append(e)
    for s in range(day.m):
        free = (t for t in range(day.tables[s]) if t not in taken[s])
        for e in by_slot[s]:  # edges are numbered in participant order
            table_of[e] = next(free)
    result = [
        day.locked_meeting.get(day.ends[e])  # a locked meeting comes back exactly as given
        or Meeting(people[day.ends[e][0]], people[day.ends[e][1]], slots[s], table_of[e])
        for e, s in enumerate(state.slot)
        if s >= 0
    ]
    result.sort(key=lambda mt: (day.slot_index[mt.slot], mt.table))
    return result


def _check(day: _Day, state: _State) -> None:
    """Every hard constraint, checked on the final state (a bug must not reach the database)."""
    seats = set()
    per_slot = [0] * day.m
    for e, s in enumerate(state.slot):
        if s < 0:
            continue
        u, v = day.ends[e]
        for seat in ((u, s), (v, s)):
            if seat in seats:
                raise RuntimeError(f"scheduler bug: double booking at {seat}")
            seats.add(seat)
        if not day.eavail[e] >> s & 1:
            raise RuntimeError(f"scheduler bug: pair {e} placed in an unavailable slot")
        per_slot[s] += 1
    if any(per_slot[s] > day.tables[s] for s in range(day.m)):
        raise RuntimeError("scheduler bug: more meetings than tables")
    for key, (s, _t) in day.locked_slot.items():
        if state.slot[day.edge_of[key]] != s:
            raise RuntimeError("scheduler bug: a locked meeting moved")


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
