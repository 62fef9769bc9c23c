#!/usr/bin/env python
"""Benchmark the directory import: create, then re-import unchanged, then update a tenth.

    .venv/bin/python bench/import_directory.py [--organisations 2000] [--demands 400] [--seed 1]

Without DATABASE_URL it runs on a fresh SQLite file in a temporary folder; with
DATABASE_URL it uses that database (use a scratch one: it writes ``bench-*`` records).
Results go to bench/RESULTS.md by hand, with the machine and the date.
"""

import argparse
import random
import resource
import time

from scratch import django_on_scratch_database, reference_codes

WORDS = ["heat", "pump", "sludge", "port", "battery", "grid"]


def synthetic_directory(organisations, demands, seed, sectors, regions):
    rng = random.Random(seed)
    leaves = [s for s in sectors if "." in s]
    kinds = ["procurement", "pilot", "jv", "investment", "licensing", "rnd", "distributor"]
    orgs = [
        {
            "external_id": f"bench-org-{i}",
            "name": f"Bench Organisation {i}",
            "country": rng.choice(["NO", "SE", "DK", "FI", "IS"]) if i % 5 else "CN",
            "kind": "company",
            "city": "Oslo",
            "description": " ".join(
                rng.choice(["heat", "pump", "sludge", "port", "battery", "grid"]) for _ in range(40)
            ),
            "sectors": rng.sample(leaves, 2),
            "looking_for": rng.sample(kinds, 2),
            "target_regions": rng.sample(regions, 2),
            "employees": rng.randint(5, 5000),
            "founded": rng.randint(1900, 2024),
        }
        for i in range(organisations)
    ]
    owners = [o["external_id"] for o in orgs if o["country"] == "CN"]
    items = [
        {
            "external_id": f"bench-demand-{i}",
            "organisation": rng.choice(owners),
            "title": f"Bench demand {i}",
            "description": "We need district heating and sludge treatment.",
            "sectors": rng.sample(leaves, 1),
            "region": rng.choice(regions),
            "kind": rng.choice(kinds),
            "deadline": "2027-12-31",
        }
        for i in range(demands)
    ]
    return {"organisations": orgs, "demands": items}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--demands", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    django_on_scratch_database()
    from django.db import connection

    from matchmaking.imports import directory_import

    data = synthetic_directory(args.organisations, args.demands, args.seed, *reference_codes())
    print(f"database: {connection.vendor}; {args.organisations} organisations, {args.demands} demands")
    for label in ("first import (create)", "second import (unchanged)"):
        started = time.perf_counter()
        report = directory_import(data=data)
        print(f"{label}: {time.perf_counter() - started:.2f} s — {'; '.join(report.summary_lines())}")
    for org in data["organisations"][::10]:
        org["city"] = "Bergen"
    started = time.perf_counter()
    report = directory_import(data=data)
    print(
        f"third import (a tenth changed): {time.perf_counter() - started:.2f} s — {'; '.join(report.summary_lines())}"
    )
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
