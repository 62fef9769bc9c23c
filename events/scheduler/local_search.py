"""The local search: Kempe shuffles between two slots, re-matching a slot, ejection chains and
weight swaps; the number of meetings never drops."""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable

from events.scheduler.matching import _max_matching
from events.scheduler.state import _Day, _State

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
