"""bench/api.py in process (Django's test client on the benchmark's database and Redis):
SQL queries per request, time per request of each endpoint, and a cProfile of the real one."""

import cProfile
import pstats
import random
import time

from api_setup import ROOT

REAL, PLAIN, CONSTANT = "/api/v1/matches/", "/bench/plain-matches/", "/bench/constant/"


def client(raw_key=None):
    from django.test import Client

    headers = {"HTTP_HOST": "127.0.0.1"}
    if raw_key:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {raw_key}"
    return Client(**headers)


class QueryTimer:
    """Every SQL statement a block runs, with its time in ms (Django's own capture rounds to 1 ms)."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((1000 * (time.perf_counter() - started), sql))

    def __enter__(self):
        from django.db import connection

        self.wrapper = connection.execute_wrapper(self)
        self.wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self.wrapper.__exit__(*exc)


def in_process(args, raw_key, demand_ids):
    """Queries, time per request and a profile, through Django's test client in this process."""
    rng = random.Random(args.seed + 1)
    real, anonymous = client(raw_key), client()
    for demand in demand_ids[:5]:  # warm: imports, the key in the cache
        real.get(REAL, {"demand": demand})
        anonymous.get(PLAIN, {"demand": demand})

    print("\nSQL queries per request, real endpoint (in process; the key is cached; a URL not asked before):")
    for page_size in (1, 20, 100):
        with QueryTimer() as timer:
            response = real.get(REAL, {"demand": rng.choice(demand_ids), "page_size": page_size, "n": rng.random()})
        results = len(response.json().get("results", [])) if response.status_code == 200 else "-"
        status = response.status_code
        print(f"  page_size={page_size:<3}: {len(timer.queries)} queries, status {status}, {results} results")
        if page_size == 20:
            shown = timer.queries
    for elapsed, sql in shown:
        print(f"    {elapsed:6.2f} ms  {sql[:150]}")
    demand = rng.choice(demand_ids)
    real.get(REAL, {"demand": demand})
    with QueryTimer() as timer:
        real.get(REAL, {"demand": demand})
    print(f"  the same URL again (a page the view may have cached): {len(timer.queries)} queries")
    with QueryTimer() as timer:
        anonymous.get(PLAIN, {"demand": rng.choice(demand_ids)})
    print(f"  plain DRF view, page of 20: {len(timer.queries)} queries")

    print("\nTime per request in process (Django test client, one process, no concurrency):")
    count = args.in_process_requests
    hot = rng.sample(demand_ids, 10)
    cases = {
        "real, URL not asked before": (real, REAL, lambda: {"demand": rng.choice(demand_ids), "n": rng.random()}),
        "real, 10 URLs asked again": (real, REAL, lambda: {"demand": rng.choice(hot)}),
        "plain DRF view": (anonymous, PLAIN, lambda: {"demand": rng.choice(demand_ids)}),
        "constant JSON": (anonymous, CONSTANT, dict),
    }
    for demand in hot:
        real.get(REAL, {"demand": demand})
    for label, (c, path, params) in cases.items():
        queries = [params() for _ in range(count)]
        wall, cpu = time.perf_counter(), time.process_time()
        for query in queries:
            c.get(path, query)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"  {label:<28} {1000 * wall / count:6.2f} ms wall, {1000 * cpu / count:6.2f} ms CPU ({count} requests)")

    n = args.profile_requests
    if n <= 0:
        return
    for label, (c, path, params) in list(cases.items())[:2]:
        queries = [params() for _ in range(n)]
        profiler = cProfile.Profile()
        profiler.enable()
        for query in queries:
            c.get(path, query)
        profiler.disable()
        stats = pstats.Stats(profiler)
        print(f"\ncProfile, {label}: {n} requests, {1000 * stats.total_tt / n:.1f} ms per request under the profiler.")
        print_profile(stats, n, args.profile_top)


def print_profile(stats, requests, top):
    """The entries inside DRF's dispatch by cumulative time, then by own time, as figures per request."""
    entries = stats.stats.items()
    dispatch = max(
        (cumtime for (filename, _, name), (_, _, _, cumtime, _) in entries
         if name == "dispatch" and filename.endswith("rest_framework/views.py")),
        default=stats.total_tt,
    )  # fmt: skip
    print(
        f"  {1000 * dispatch / requests:.1f} ms of it inside DRF's dispatch (the view), the rest in the test "
        "client, the middleware and the handler."
    )

    def show(title, column, count, inside):
        print(f"  {title}\n  {'ncalls':>8} {'tottime':>8} {'cumtime':>8}  (per request; times in ms)")
        chosen = [item for item in entries if not inside or item[1][3] < 0.97 * dispatch]
        for (filename, line, name), (_cc, ncalls, tottime, cumtime, _) in sorted(
            chosen, key=lambda item: item[1][column], reverse=True
        )[:count]:
            per_request = f"{ncalls / requests:8.1f} {1000 * tottime / requests:8.2f} {1000 * cumtime / requests:8.2f}"
            print(f"  {per_request}  {short_path(filename)}:{line}({name})")

    show(f"top {top} by cumulative time below dispatch (the frames wrapping the view left out):", 3, top, True)
    show("top 10 by own time:", 2, 10, False)


def short_path(filename):
    filename = str(filename)
    for marker in ("site-packages/", str(ROOT) + "/", "/lib/python3.11/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename
