"""The internal representation: participants, slots and pairs as integers (``_Day``), and a
(partial) schedule with who sits where (``_State``)."""

from __future__ import annotations

from events.scheduler.problem import WEIGHT_SCALE, Meeting, Problem


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
