#!/usr/bin/env python
"""Benchmark the partner API's match list under load, beside two baselines.

    .venv/bin/python bench/api.py [--organisations 10000] [--demands 2000] [--matches 100000]
        [--clients 50] [--threads 2] [--duration 20] [--workers 2]
        [--database-url postgres://greenbridge:greenbridge@127.0.0.1:5432/greenbridge_apibench]
        [--runs cold,real,plain,miss,constant,not-modified] [--rounds 1] [--profile-requests 20]

What it does, in order:

1. Starts PostgreSQL and Redis when they are not running (Debian, as root), and creates the
   scratch database (default ``greenbridge_apibench``) when missing.
2. Migrates it and fills it with a synthetic directory: N organisations (a fifth Chinese), M
   demands of Chinese organisations, and K published matches (K / M per demand, ranks 1…,
   scores 0–1, reasons as the engine writes them) written with COPY.  A database that already
   holds exactly this directory is reused, so a rerun starts measuring within seconds.
3. Creates a read key (``api.services.create_api_key``; older bench keys are deleted).
4. In-process (Django test client on the same database and Redis): SQL queries per request of
   the real endpoint at page sizes 1, 20 and 100, time per request of each endpoint, and a
   cProfile of the real endpoint (per-request figures, top entries by cumulative time).
5. Starts gunicorn (``config.wsgi``, sync workers, ``DJANGO_SETTINGS_MODULE=bench.api_settings``:
   the project's settings and URLs plus the baselines of ``bench/api_urls.py``) with
   ``DJANGO_DEBUG=false`` and Redis as the cache, and loads it with wrk (``bench/api_wrk.lua``):
   every request picks a random demand among all of them.

   * ``cold``: ``/api/v1/matches/?demand=<id>`` with the key, the first pass after gunicorn started
     (the pages the match list keeps in Redis, ``*api-matches:*``, are deleted before it);
   * ``real``: the same, warm: after every demand's page was asked once, so that each page the
     view caches is there (the best case; ``miss`` is the worst);
   * ``plain``: ``/bench/plain-matches/?demand=<id>``, a plain DRF ListAPIView (no authentication);
   * ``miss``: the real endpoint with a query string never asked before on every request
     (``&n=<random>``, which no filter reads), so that no cached page can answer;
   * ``constant``: ``/bench/constant/``, constant JSON through DRF (the framework's floor);
   * ``not-modified``: the real endpoint with ``If-None-Match`` set to the ETag it gave for
     200 demands (the answer should be 304).

   Each run prints requests/s, latency percentiles (p95 from wrk's Lua ``done()`` hook), the
   answers that were not 2xx (304 counted apart), and the CPU time per request spent by the
   gunicorn workers, PostgreSQL, Redis and wrk.  ``plain`` and ``constant`` get a short unreported
   warm-up first (``real`` has the cold pass before it).

The key's throttle rate is raised (``API_THROTTLE_KEY=100000000/min``) so that throttling runs
but never answers 429.  Steps 4 and 5 hold the machine's benchmark lock
(``/tmp/greenbridge-bench.lock``, the one ``flock(1)`` takes), so other benchmarks do not run
beside them.  gunicorn's log and the wrk inputs go to ``var/apibench/``.  Results go to
bench/RESULTS.md by hand, with the machine and the date.
"""

import argparse
import fcntl
import os
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from api_in_process import in_process
from api_load import VAR, load, report
from api_setup import ROOT, directory_present, ensure_postgresql, ensure_redis, fill

LOCK = "/tmp/greenbridge-bench.lock"  # noqa: S108 (the machine's shared benchmark lock)
DEFAULT_DATABASE = "postgres://greenbridge:greenbridge@127.0.0.1:5432/greenbridge_apibench"
KEY_NAME = "bench/api.py"


def environment(args):
    """The variables the in-process Django and gunicorn share (settings come from the environment only)."""
    return {
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "DJANGO_DEBUG": "false",
        "SECRET_KEY": "bench-api-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "API_THROTTLE_KEY": "100000000/min",
        "GREENBRIDGE_VAR_DIR": str(VAR),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=10000)
    parser.add_argument("--demands", type=int, default=2000)
    parser.add_argument("--matches", type=int, default=100000)
    parser.add_argument("--clients", type=int, default=50, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=20, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unreported load before plain and constant")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the warm real and plain runs, alternating")
    parser.add_argument("--runs", default="cold,real,plain,miss,constant,not-modified")
    parser.add_argument("--database-url", default=os.environ.get("APIBENCH_DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--in-process-requests", type=int, default=200)
    parser.add_argument("--profile-requests", type=int, default=20, help="requests profiled with cProfile (0: skip)")
    parser.add_argument("--profile-top", type=int, default=15)
    parser.add_argument("--no-load", action="store_true", help="only the in-process figures, no gunicorn and wrk")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        sys.exit("--database-url must be a PostgreSQL URL.")
    nordic = args.organisations - (args.organisations + 4) // 5  # every fifth organisation is Chinese
    if args.demands < 1 or -(-args.matches // args.demands) > nordic:
        sys.exit("Give at least one demand, and no more matches per demand than Nordic organisations.")
    if not args.no_load and shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")

    env = environment(args)
    os.environ.update(env)
    ensure_postgresql(args.database_url)
    ensure_redis(args.redis_url)
    sys.path.insert(0, str(ROOT))
    from scratch import django_on_scratch_database

    started = time.perf_counter()
    django_on_scratch_database()  # django.setup() and migrate, with the variables above
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    from django.conf import settings
    from django.core.management import call_command

    from api.models import ApiKey
    from api.services import create_api_key
    from matchmaking.models import Demand

    if directory_present(args):
        print(f"database {urlsplit(args.database_url).path.lstrip('/')}: reused ({args.organisations} organisations, "
              f"{args.demands} demands, {args.matches} published matches)")  # fmt: skip
    else:
        fill(args)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", "--noinput", verbosity=0)
    ApiKey.objects.filter(name=KEY_NAME).delete()
    _key, raw_key = create_api_key(name=KEY_NAME)
    demand_ids = list(Demand.objects.order_by("pk").values_list("pk", flat=True))

    waited = time.perf_counter()
    with open(LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if time.perf_counter() - waited > 1:
            print(f"waited {time.perf_counter() - waited:.0f} s for {LOCK}")
        print(f"load average before measuring: {os.getloadavg()[0]:.2f}")
        in_process(args, raw_key, demand_ids)
        if not args.no_load:
            from django.db import connections

            connections.close_all()
            results = load(args, env, raw_key, demand_ids)
            report(args, results)


if __name__ == "__main__":
    main()
