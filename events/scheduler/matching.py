"""Matchings: the upper bounds, Edmonds' blossom algorithm for a maximum matching in a general
graph, the greedy baseline and the constructive start (a maximum matching per slot)."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

from events.scheduler.state import _Day, _State

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
