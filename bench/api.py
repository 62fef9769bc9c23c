#!/usr/bin/env python
"""Benchmark the partner API's match list (issue 5) under load, beside two baselines.

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
import cProfile
import fcntl
import io
import json
import os
import pstats
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "apibench"
LOCK = "/tmp/greenbridge-bench.lock"  # noqa: S108 (the machine's shared benchmark lock)
WRK_SCRIPT = Path(__file__).resolve().parent / "api_wrk.lua"
DEFAULT_DATABASE = "postgres://greenbridge:greenbridge@127.0.0.1:5432/greenbridge_apibench"
ORG_PREFIX, DEMAND_PREFIX = "apibench-org-", "apibench-demand-"
KEY_NAME = "bench/api.py"
REAL, PLAIN, CONSTANT = "/api/v1/matches/", "/bench/plain-matches/", "/bench/constant/"
NORDIC = ["NO", "SE", "DK", "FI", "IS"]
WORDS = (  # noqa: SIM905 (a sentence is easier to read than a list of 67 strings)
    "district heating heat pumps sludge thermal hydrolysis biogas shore power battery storage hydrogen "
    "electrolysis offshore wind grid balancing smart metering water treatment membrane filtration "
    "desalination waste sorting recycling circular plastics carbon capture building retrofit insulation "
    "ventilation data centre cooling electric ferries charging infrastructure solar tracking inverters "
    "aquaculture monitoring air quality sensors low-carbon cement timber construction port logistics "
    "energy efficiency industrial parks digital twin control systems leakage detection"
).split()
COMMON = ["solutions", "systems", "projects", "cities", "partners", "technology", "services", "efficient", "proven"]
CHINESE = "污泥 热水解 区域供热 热泵 岸电 储能 氢能 海上风电 水处理 垃圾分类 碳捕集 数据中心".split()  # noqa: SIM905


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


# --- services ------------------------------------------------------------------------------------


def run_quiet(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603


def ensure_postgresql(url):
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", str(parts.port or 5432)
    if run_quiet(["pg_isready", "-h", host, "-p", port]).returncode != 0:
        versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
        if not versions:
            sys.exit("PostgreSQL is not running and not installed here.")
        print(f"starting PostgreSQL {versions[-1]}")
        run_quiet(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"])
        for _ in range(30):
            if run_quiet(["pg_isready", "-h", host, "-p", port]).returncode == 0:
                break
            time.sleep(0.5)
        else:
            sys.exit("PostgreSQL did not start.")
    import psycopg2

    user, password, name = parts.username, parts.password, parts.path.lstrip("/")
    try:
        admin = psycopg2.connect(dbname="postgres", user=user, password=password, host=host, port=port)
    except psycopg2.OperationalError:
        print(f"creating the role {user}")
        quoted_password = password.replace("'", "''")
        sql = f"CREATE ROLE {user} LOGIN PASSWORD '{quoted_password}' CREATEDB"
        run_quiet(["su", "postgres", "-c", f'psql -qc "{sql}"'])
        admin = psycopg2.connect(dbname="postgres", user=user, password=password, host=host, port=port)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            print(f"creating the database {name}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def ensure_redis(url):
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", str(parts.port or 6379)
    if run_quiet(["redis-cli", "-h", host, "-p", port, "ping"]).stdout.strip() == "PONG":
        return
    if shutil.which("redis-server") is None:
        sys.exit("Redis is not running and redis-server is not installed (apt-get install -y redis-server).")
    print("starting Redis")
    command = ["redis-server", "--daemonize", "yes", "--bind", host, "--port", port]
    run_quiet([*command, "--save", "", "--appendonly", "no"])
    for _ in range(20):
        if run_quiet(["redis-cli", "-h", host, "-p", port, "ping"]).stdout.strip() == "PONG":
            return
        time.sleep(0.25)
    sys.exit("Redis did not start.")


# --- the synthetic directory -------------------------------------------------------------------


def directory_present(args):
    from companies.models import Organisation
    from matchmaking.models import Demand, Match

    return (
        Organisation.objects.count() == args.organisations
        and Organisation.objects.filter(external_id__startswith=ORG_PREFIX).count() == args.organisations
        and Demand.objects.count() == args.demands
        and Demand.objects.filter(external_id__startswith=DEMAND_PREFIX).count() == args.demands
        and Match.objects.count() == args.matches
        and Match.objects.filter(published=True).count() == args.matches
    )


def copy_value(value):
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    elif hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(model, rows):
    """Write rows (dicts by attname; missing fields take their default) with one COPY."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(copy_value(row[f.attname] if f.attname in row else f.get_default()) for f in fields))
        buffer.write("\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def fill(args):
    """Empty the directory's tables and write N organisations, M demands and K published matches."""
    from django.db import connection
    from django.utils import timezone

    from companies.models import Organisation, PartnershipKind, Region, Sector
    from matchmaking import engine
    from matchmaking.models import Demand, Match

    rng = random.Random(args.seed)
    started = time.perf_counter()
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Match, Demand, Organisation))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")

    sectors = dict(Sector.objects.filter(parent__isnull=False).values_list("slug", "pk"))
    leaves = sorted(sectors)
    regions = dict(Region.objects.values_list("code", "pk"))
    codes = sorted(regions)
    kinds = list(PartnershipKind.values)

    def text(words, common=4):
        return " ".join(rng.sample(WORDS, words) + rng.sample(COMMON, common)).capitalize() + "."

    organisations = []
    for i in range(args.organisations):
        chinese = i % 5 == 0
        organisations.append(
            Organisation(
                external_id=f"{ORG_PREFIX}{i}",
                name=f"{rng.choice(WORDS).capitalize()} {rng.choice(COMMON).capitalize()} {i}",
                name_zh=f"{rng.choice(CHINESE)}公司{i}" if chinese else "",
                kind=rng.choice(Organisation.Kind.values),
                country="CN" if chinese else rng.choice(NORDIC),
                region_id=regions[rng.choice(codes)] if chinese else None,
                city="Beijing" if chinese else "Oslo",
                website=f"https://org{i}.example.com",
                description=" ".join(text(12) for _ in range(4)),
                visibility=Organisation.Visibility.PUBLIC,
                verified=i % 3 == 0,
            )
        )
    Organisation.objects.bulk_create(organisations, batch_size=2000)
    ids = list(Organisation.objects.order_by("pk").values_list("pk", "country"))
    chinese_ids = [pk for pk, country in ids if country == "CN"]
    nordic_ids = [pk for pk, country in ids if country != "CN"]
    links = Organisation.sectors.through
    links.objects.bulk_create(
        [links(organisation_id=pk, sector_id=sectors[s]) for pk, _ in ids for s in rng.sample(leaves, 2)],
        batch_size=5000,
    )

    demands, demand_sector = [], []
    for j in range(args.demands):
        sector = rng.choice(leaves)
        terms = rng.sample(WORDS, 6)
        chinese_only = j % 5 == 0
        demand_sector.append((sector, terms))
        demands.append(
            Demand(
                external_id=f"{DEMAND_PREFIX}{j}",
                organisation_id=rng.choice(chinese_ids),
                title="" if chinese_only else f"Need {j}: {' '.join(terms[:3])}",
                title_zh="".join(rng.sample(CHINESE, 3)) if chinese_only else "",
                description="" if chinese_only else " ".join(text(10) for _ in range(3)),
                description_zh="".join(rng.sample(CHINESE, 8)) if chinese_only else "",
                region_id=regions[rng.choice(codes)],
                kind=rng.choice(kinds),
                budget_eur=rng.randrange(100_000, 50_000_000),
                status=Demand.Status.OPEN,
            )
        )
    Demand.objects.bulk_create(demands, batch_size=2000)
    demand_rows = list(Demand.objects.order_by("pk").values_list("pk", "region__code", "kind"))
    links = Demand.sectors.through
    links.objects.bulk_create(
        [links(demand_id=pk, sector_id=sectors[demand_sector[j][0]]) for j, (pk, _, _) in enumerate(demand_rows)],
        batch_size=5000,
    )

    now = timezone.now()
    per_demand, extra = divmod(args.matches, args.demands)
    rows = []
    for j, (pk, region, kind) in enumerate(demand_rows):
        sector, terms = demand_sector[j]
        count = per_demand + (1 if j < extra else 0)
        scores = sorted((rng.uniform(0.25, 0.95) for _ in range(count)), reverse=True)
        updated = now - timedelta(seconds=rng.randrange(86400))
        for rank, (organisation, score) in enumerate(zip(rng.sample(nordic_ids, count), scores, strict=True), 1):
            reasons = [
                {"kind": "sector", "value": sector},
                {"kind": "terms", "value": rng.sample(terms, 2)},
                {"kind": "region", "value": region},
            ]
            if rng.random() < 0.5:
                reasons.append({"kind": "partnership", "value": kind})
            components = {
                "sector": 1.0,
                "text": round(rng.random(), 4),
                "region": 1.0,
                "partnership": 1.0 if len(reasons) == 4 else 0.0,
                "copresence": 0.0,
            }
            rows.append(
                {
                    "organisation_id": organisation,
                    "demand_id": pk,
                    "score": round(score, 6),
                    "rank": rank,
                    "components": components,
                    "reasons": reasons,
                    "algorithm_version": engine.ALGORITHM_VERSION,
                    "published": True,
                    "supplier_feedback": "",
                    "buyer_feedback": "",
                    "created_at": updated,
                    "updated_at": updated,
                }
            )
    copy_rows(Match, rows)
    with connection.cursor() as cursor:
        for model in (Organisation, Demand, Match):
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    print(f"filled in {time.perf_counter() - started:.1f} s")


# --- in process: queries, time per request, profile ------------------------------------------------


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


# --- load: gunicorn and wrk ------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, headers=None):
    """(status, headers, body) without raising on 304 or errors."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (our own local server)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def start_gunicorn(args, env, port):
    VAR.mkdir(parents=True, exist_ok=True)
    log = VAR / "gunicorn.log"
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi",
        "-w",
        str(args.workers),
        "-k",
        "sync",
        "-b",
        f"127.0.0.1:{port}",
        "--error-logfile",
        str(log),
        "--chdir",
        str(ROOT),
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        if process.poll() is not None:
            sys.exit(f"gunicorn exited ({process.returncode}); see {log}")
        try:
            status, _, body = get(base + "/healthz")
            if status == 200:
                return process, base
        except OSError:
            pass
        time.sleep(0.25)
    process.terminate()
    sys.exit(f"gunicorn did not answer /healthz; see {log}")


def stop(process):
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cpu_seconds(pids):
    """{pid: user + system CPU seconds} of the processes that still exist."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return found


def pids_named(name):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == name:
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def worker_pids(master):
    try:
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def busy_seconds():
    """CPU seconds the whole machine spent busy (all but idle and iowait), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(master):
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "gunicorn": cpu_seconds(worker_pids(master)),
        "postgres": cpu_seconds(pids_named("postgres")),
        "redis": cpu_seconds(pids_named("redis-server")),
        "wrk": {0: children.ru_utime + children.ru_stime},
        "machine": {0: busy_seconds()},
    }


def cpu_used(before, after):
    """CPU seconds per group between two snapshots (a process that started since counts from zero)."""
    used = {name: sum(t - before[name].get(pid, 0.0) for pid, t in after[name].items()) for name in after}
    used["others"] = max(0.0, used.pop("machine") - sum(used.values()))
    return used


def wrk(args, base, paths_file, key, duration, master):
    env = {**os.environ, "BENCH_PATHS": str(paths_file), "BENCH_AUTH": key or ""}
    command = ["wrk", "-t", str(args.threads), "-c", str(args.clients), "-d", f"{duration}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(WRK_SCRIPT), base]
    before = cpu_snapshot(master)
    output = run_quiet(command, env=env)
    after = cpu_snapshot(master)
    line = next((line for line in output.stdout.splitlines() if line.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk failed:\n{output.stdout}\n{output.stderr}")
    result = {name: float(value) for name, value in re.findall(r"(\w+)=([0-9.]+)", line)}
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["cpu"] = cpu_used(before, after)
    return result


def write_paths(name, lines):
    path = VAR / f"wrk-{name}.txt"
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def sanity(base, raw_key, demand_ids):
    """One request per endpoint: status, page length, and the same matches in the same order."""
    auth = {"Authorization": f"Bearer {raw_key}"}
    demand = demand_ids[len(demand_ids) // 2]
    status, headers, body = get(f"{base}{REAL}?demand={demand}", auth)
    real = json.loads(body) if status == 200 else {}
    print(f"real endpoint: {status}, ETag {headers.get('ETag')!r}, {len(real.get('results', []))} results")
    if real.get("results"):
        print(f"  first result: {json.dumps(real['results'][0], ensure_ascii=False)[:400]}")
    status_plain, _, body = get(f"{base}{PLAIN}?demand={demand}")
    plain = json.loads(body) if status_plain == 200 else {}
    same = [r["id"] for r in real.get("results", [])] == [r["id"] for r in plain.get("results", [])]
    count = len(plain.get("results", []))
    print(f"plain view: {status_plain}, {count} results, same matches in the same order: {same}")
    if headers.get("ETag"):
        status_again, _, _ = get(f"{base}{REAL}?demand={demand}", {**auth, "If-None-Match": headers["ETag"]})
        print(f"real endpoint with If-None-Match: {status_again}")
    status, _, _ = get(f"{base}{REAL}?demand={demand}")
    print(f"real endpoint without a key: {status}")


def prime(base, raw_key, demand_ids):
    """Ask every demand's first page once, so that the warm runs find every page the view caches."""
    auth = {"Authorization": f"Bearer {raw_key}"}
    started = time.perf_counter()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda demand: get(f"{base}{REAL}?demand={demand}", auth)[0], demand_ids))
    ok = statuses.count(200)
    print(f"primed: every demand's page asked once ({ok} of {len(statuses)} answered 200) in ", end="")
    print(f"{time.perf_counter() - started:.1f} s")


def etag_paths(base, raw_key, demand_ids, rng, count=200):
    lines = []
    for demand in rng.sample(demand_ids, min(count, len(demand_ids))):
        path = f"{REAL}?demand={demand}"
        status, headers, _ = get(base + path, {"Authorization": f"Bearer {raw_key}"})
        if status == 200 and headers.get("ETag"):
            lines.append(f"{path}\t{headers['ETag']}")
    return lines


def forget_pages(url):
    """Delete the pages the match list cached (keys ``*api-matches:*``), so that the cold pass starts cold."""
    import redis

    connection = redis.Redis.from_url(url)
    keys = list(connection.scan_iter(match="*api-matches:*", count=1000))
    for start in range(0, len(keys), 1000):
        connection.delete(*keys[start : start + 1000])
    connection.close()


def load(args, env, raw_key, demand_ids):
    rng = random.Random(args.seed + 2)
    port = free_port()
    runs = set(args.runs.split(","))
    real_paths = write_paths("real", [f"{REAL}?demand={d}" for d in demand_ids])
    miss_paths = write_paths("miss", [f"{REAL}?demand={d}&n=NONCE" for d in demand_ids])
    plain_paths = write_paths("plain", [f"{PLAIN}?demand={d}" for d in demand_ids])
    constant_paths = write_paths("constant", [CONSTANT])
    forget_pages(args.redis_url)
    process, base = start_gunicorn(args, env, port)
    results = []
    try:
        print(f"\ngunicorn: {args.workers} sync workers at {base}; ", end="")
        print(f"wrk -t {args.threads} -c {args.clients} -d {args.duration}s")

        def measure(label, paths, key):
            result = wrk(args, base, paths, key, args.duration, process.pid)
            result["label"] = label
            results.append(result)
            print(f"  {label}: {result['rps']:.0f} requests/s, p95 {result['p95'] / 1000:.0f} ms")
            return result

        if "cold" in runs:
            measure("real, cold (first pass)", real_paths, raw_key)
        sanity(base, raw_key, demand_ids)
        prime(base, raw_key, demand_ids)
        for round_number in range(1, args.rounds + 1):
            suffix = f" (round {round_number})" if args.rounds > 1 else ""
            if "real" in runs:
                measure(f"real, warm{suffix}", real_paths, raw_key)
            if "plain" in runs:
                wrk(args, base, plain_paths, None, args.warmup, process.pid)
                measure(f"plain DRF ListAPIView{suffix}", plain_paths, None)
        if "miss" in runs:
            measure("real, every URL new (no cached page)", miss_paths, raw_key)
        if "constant" in runs:
            wrk(args, base, constant_paths, None, args.warmup, process.pid)
            measure("constant JSON", constant_paths, None)
        if "not-modified" in runs:
            lines = etag_paths(base, raw_key, demand_ids, rng)
            if lines:
                measure("real, If-None-Match (304)", write_paths("not-modified", lines), raw_key)
            else:
                print("  not-modified: skipped, the real endpoint gave no ETag")
    finally:
        stop(process)
    return results


def report(args, results):
    header = (
        "| endpoint | requests/s | p50 ms | p95 ms | p99 ms | max ms | 2xx | 304 | other "
        "| CPU ms/request: gunicorn, PostgreSQL, Redis, wrk | other processes, % of all cores |"
    )
    print("\n" + header)
    print("|" + "---|" * header.count(" | ") + "---|")
    for r in results:
        n = max(r["requests"], 1)
        errors = int(r["connect"] + r["read"] + r["write"] + r["timeout"])
        other = int(r["other"]) + errors
        cpu = ", ".join(f"{1000 * r['cpu'][name] / n:.1f}" for name in ("gunicorn", "postgres", "redis", "wrk"))
        others = 100 * r["cpu"]["others"] / (os.cpu_count() * r["duration_us"] / 1e6)
        print(
            f"| {r['label']} | {r['rps']:.0f} | {r['p50'] / 1000:.1f} | {r['p95'] / 1000:.1f} | {r['p99'] / 1000:.1f} "
            f"| {r['max'] / 1000:.0f} | {int(r['ok'])} | {int(r['not_modified'])} | {other} | {cpu} | {others:.0f} |"
        )
    reals = [r for r in results if r["label"].startswith("real, warm")]
    plains = [r for r in results if r["label"].startswith("plain DRF")]
    if reals and plains:
        for real, plain in zip(reals, plains, strict=False):
            print(f"\n{real['label']} / {plain['label']}: {real['rps'] / plain['rps']:.2f}× requests/s", end="")
        ratio = statistics.median(r["rps"] for r in reals) / statistics.median(r["rps"] for r in plains)
        p95 = statistics.median(r["p95"] for r in reals) / 1000
        rounds = f" (medians of {len(reals)} rounds)" if len(reals) > 1 else ""
        met = "met" if ratio >= 3 else "NOT met"
        print(f"\nreal (warm) / plain{rounds}: {ratio:.2f}× requests/s (target ≥ 3×: {met})")
        print(f"real (warm) p95{rounds}: {p95:.0f} ms (target ≤ 150 ms: {'met' if p95 <= 150 else 'NOT met'})")


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
