#!/usr/bin/env python
"""Benchmark the meeting scheduler (the package events/scheduler/) on a synthetic B2B meeting day.

    .venv/bin/python bench/scheduling.py [--participants 500] [--requests 3000] [--slots 16]
        [--tables 250] [--unavailable 0.2] [--seed N] [--instance FILE] [--json OUT]
        [--time-limit S] [--effort S]

Generates a day (or reads one with ``--instance``): ``requests`` distinct random pairs with
weights uniform in 0.3–1.0, every (participant, slot) unavailable with probability
``--unavailable``; with ``--seed`` the instance is reproducible.  Prints the greedy baseline
(first fit by weight), the constructive start (a maximum matching per slot), the local
search and the final result (after CP-SAT) side by side: meetings, % of the simple bound,
total weight, seconds since the start of the solve.

``--instance FILE`` is a JSON object: ``participants`` (ids), ``slots`` (ids, in time
order), ``tables`` (tables in every slot), ``unavailable`` ([participant, slot] pairs),
``requests`` ([a, b, weight]), ``locked`` ([a, b, slot, table], tables from 0).  ``--json
OUT`` writes that instance plus the result: ``meetings`` ([a, b, slot, table]),
``upper_bound``, ``simple_bound``, ``seconds`` and the stages.

Runs without Django: the scheduler is a pure function.  Run timing runs under the shared
lock of the build machine: ``flock /tmp/greenbridge-bench.lock .venv/bin/python ...``.
"""

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from events.scheduler import Meeting, Problem, Request, schedule


def generate(participants, requests, slots, tables, unavailable, seed):
    """A random day as the JSON-shaped instance of ``--instance``."""
    rng = random.Random(seed)
    if requests > participants * (participants - 1) // 2:
        raise SystemExit("more requests than distinct pairs")
    pairs = set()
    while len(pairs) < requests:
        a, b = rng.sample(range(participants), 2)
        pairs.add((min(a, b), max(a, b)))
    return {
        "participants": list(range(participants)),
        "slots": list(range(slots)),
        "tables": tables,
        "unavailable": [[p, s] for p in range(participants) for s in range(slots) if rng.random() < unavailable],
        "requests": [[a, b, round(rng.uniform(0.3, 1.0), 3)] for a, b in sorted(pairs)],
        "locked": [],
    }


def problem_from(instance):
    return Problem(
        participants=instance["participants"],
        slots=instance["slots"],
        tables=instance["tables"],
        requests=[Request(a, b, w) for a, b, w in instance["requests"]],
        unavailable=[(p, s) for p, s in instance["unavailable"]],
        locked=[Meeting(a, b, s, t) for a, b, s, t in instance.get("locked", [])],
    )


def b_matching_bound(problem, seconds):
    """A tighter upper bound, for this report only: which pairs meet, ignoring slots.

    Everyone meets at most as many pairs as a matching between their pairs and their
    slots allows (the per-person term of the scheduler's bound); the most pairs under
    these caps (a degree-constrained subgraph) bounds every schedule.  CP-SAT's best
    bound after ``seconds`` is valid even when it did not finish.
    """
    from ortools.sat.python import cp_model

    from events.scheduler.matching import _bipartite_matching
    from events.scheduler.state import _Day

    day = _Day(problem)
    model = cp_model.CpModel()
    x = [model.new_bool_var("") for _ in range(day.E)]
    for i in range(day.n):
        if day.adj[i]:
            cap = _bipartite_matching([day.eslots[e] for e in day.adj[i]])
            model.add(sum(x[e] for e in day.adj[i]) <= cap)
    model.add(sum(x) <= sum(day.tables))
    model.maximize(sum(x))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    solver.solve(model)
    return int(solver.best_objective_bound)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--tables", type=int, default=250)
    parser.add_argument("--unavailable", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated instance (default 1)")
    parser.add_argument("--instance", help="read the instance from this JSON file instead")
    parser.add_argument("--json", help="write the instance and the result to this JSON file")
    parser.add_argument("--time-limit", type=float, default=30.0, help="wall-clock cap of the solve (s)")
    parser.add_argument("--effort", type=float, help="deterministic work budget (default 0.7 × time limit)")
    parser.add_argument("--solver-seed", type=int, default=0, help="seed of the scheduler's random choices")
    parser.add_argument("--progress", action="store_true", help="print the progress callbacks")
    parser.add_argument(
        "--b-matching-bound",
        type=float,
        metavar="S",
        help="also compute the tighter degree-constrained bound with CP-SAT for S seconds (after the solve)",
    )
    args = parser.parse_args()

    if args.instance:
        instance = json.loads(Path(args.instance).read_text())
        source = args.instance
    else:
        instance = generate(args.participants, args.requests, args.slots, args.tables, args.unavailable, args.seed)
        source = (
            f"generated: {args.participants} participants, {args.requests} requests, {args.slots} slots, "
            f"{args.tables} tables, unavailable {args.unavailable}, seed {args.seed}"
        )
    problem = problem_from(instance)

    def progress(fraction, phase):
        print(f"  {fraction:6.1%} {phase}", file=sys.stderr)

    result = schedule(
        problem,
        time_limit=args.time_limit,
        effort=args.effort,
        seed=args.solver_seed,
        progress=progress if args.progress else None,
    )

    print(source)
    print(
        f"simple bound {result.simple_bound}; upper bound {result.upper_bound} "
        f"(time limit {args.time_limit:g} s, stopped by {result.stopped_by})"
    )
    print(f"{'stage':<14}{'meetings':>9}{'% simple':>10}{'% bound':>9}{'weight':>10}{'seconds':>9}")
    for stage in result.stages:
        print(
            f"{stage.name:<14}{stage.meetings:>9}{100 * stage.meetings / max(result.simple_bound, 1):>9.2f}%"
            f"{100 * stage.meetings / max(result.upper_bound, 1):>8.2f}%{stage.weight:>10.1f}{stage.seconds:>9.1f}"
        )
    print(
        f"gap to the upper bound {result.gap:.2%}; participants with pairs but no meeting "
        f"{result.participants_without_meeting}; idle gaps {result.idle_gaps}; total {result.seconds:.1f} s"
    )
    tight = None
    if args.b_matching_bound:
        tight = b_matching_bound(problem, args.b_matching_bound)
        print(f"degree-constrained bound {tight}: final result {100 * len(result.meetings) / tight:.2f}% of it")
    if args.json:
        output = dict(instance)
        output.update(
            meetings=[[m.a, m.b, m.slot, m.table] for m in result.meetings],
            upper_bound=result.upper_bound,
            simple_bound=result.simple_bound,
            seconds=round(result.seconds, 3),
            total_weight=round(result.total_weight, 3),
            stopped_by=result.stopped_by,
            b_matching_bound=tight,
            stages=[
                {"name": s.name, "meetings": s.meetings, "weight": round(s.weight, 3), "seconds": round(s.seconds, 3)}
                for s in result.stages
            ],
        )
        Path(args.json).write_text(json.dumps(output))


if __name__ == "__main__":
    main()
