"""Finishing a schedule: fewer idle gaps, tables for the meetings, and the final check of every
hard constraint."""

from __future__ import annotations

from events.scheduler.problem import Meeting
from events.scheduler.state import _Day, _State

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
