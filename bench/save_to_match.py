#!/usr/bin/env python
"""Time from saving a demand to its matches being in the database, with a real worker.

    .venv/bin/python bench/save_to_match.py [--repeat 5]

Loads the demo directory into a fresh SQLite file (or uses DATABASE_URL), starts a real
``celery worker`` process on the configured broker (Redis when REDIS_URL is set, otherwise
the embedded file broker), warms it with one rescoring, then saves a demand through the
service the web form uses, several times, and measures how long until its published matches
can be read — what a page or, later, the API would show.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

from scratch import ROOT, django_on_scratch_database


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    django_on_scratch_database()
    from django.conf import settings
    from django.core.management import call_command

    from companies.models import Membership, Sector
    from matchmaking.models import Match
    from matchmaking.services import demand_create

    call_command("load_demo", verbosity=0)
    membership = Membership.objects.select_related("user", "organisation").get(user__email="buyer@greenbridge.example")
    sectors = list(Sector.objects.filter(slug__in=["maritime.ports", "maritime.shipping"]))
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=os.environ.copy(),
    )
    broker = "Redis" if settings.REDIS_URL else "embedded file broker"
    timings = []
    try:
        for attempt in range(args.repeat + 1):  # the first one warms the worker (features into memory)
            started = time.perf_counter()
            demand = demand_create(
                actor=membership.user,
                organisation=membership.organisation,
                fields={"title": f"Shore power for berth {attempt}", "description": "Shore power and battery ferries",
                        "sectors": sectors},
            )  # fmt: skip
            while not Match.objects.filter(demand=demand, published=True).exists():
                if time.perf_counter() - started > 120:
                    raise SystemExit("no matches after 120 s: is the worker running?")
                time.sleep(0.02)
            if attempt:
                timings.append(time.perf_counter() - started)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    print(
        f"save → published matches readable, {broker}, {args.repeat} saves: "
        f"median {statistics.median(timings):.2f} s, max {max(timings):.2f} s"
    )


if __name__ == "__main__":
    main()
