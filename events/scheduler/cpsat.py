"""The CP-SAT large-neighbourhood search: free a small neighbourhood, solve it exactly with
OR-Tools, keep the result when it is at least as good.

OR-Tools is imported inside ``_solve_neighbourhood``, where it is used: importing the scheduler
(the web process does, through the task module) never loads it."""

from __future__ import annotations

import random
from collections.abc import Callable

from events.scheduler.state import _Day, _State

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
