"""bench/api.py's scratch services and its synthetic directory: PostgreSQL and Redis started
when they are not running, and N organisations, M demands and K published matches written
with COPY (a database that already holds exactly that directory is reused)."""

import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
ORG_PREFIX, DEMAND_PREFIX = "apibench-org-", "apibench-demand-"
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
