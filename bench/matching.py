#!/usr/bin/env python
"""Benchmark the matching engine on a synthetic directory.

    .venv/bin/python bench/matching.py [--organisations 10000] [--demands 2000] [--seed 1] [--keep DIR]

Generates N organisations × M demands with sector-specific vocabulary (a fifth of the
demands written only in Chinese), imports them, then times:

* the full rescoring inline (``rescore_matches --sync``: load, score, keep top-K, write rows),
  twice: first with no match rows yet (every row inserted), then again over the rows it wrote
  (every row compared, unchanged ones left alone), with the process's peak memory;
* the incremental rescoring of one organisation and of one demand (what the task runs);
* the bare vectorised scoring of a sample of pairs against a naive per-pair Python scorer
  computing the same components, for a speed ratio (and a check that both agree).

Without DATABASE_URL it runs on a fresh SQLite file in a temporary folder (``--keep DIR``: in
DIR, kept for the next run).  The import is skipped when the database already holds this
synthetic directory (same size); the first full rescoring then starts from no match rows
all the same.  Results go to bench/RESULTS.md by hand, with the machine and the date.
"""

import argparse
import random
import resource
import time

from scratch import django_on_scratch_database, reference_codes

CJK_START = 0x4E00


def vocabulary(rng, sectors):
    """A few specific English terms and Chinese words per leaf sector, plus common words."""
    english, chinese = {}, {}
    for slug in sectors:
        stem = slug.split(".")[-1].replace("-", "")
        english[slug] = [f"{stem}{i}" for i in range(12)]
        chinese[slug] = ["".join(chr(CJK_START + rng.randrange(20000)) for _ in range(2)) for _ in range(12)]
    common = ["solutions", "systems", "projects", "cities", "partners", "technology", "services", "efficient"]
    return english, chinese, common


def synthetic_directory(organisations, demands, seed, sectors, regions):
    rng = random.Random(seed)
    leaves = [s for s in sectors if "." in s]
    english, chinese, common = vocabulary(rng, leaves)
    kinds = ["procurement", "pilot", "jv", "investment", "licensing", "rnd", "distributor"]
    orgs = []
    for i in range(organisations):
        chosen = rng.sample(leaves, 2)
        words = [w for s in chosen for w in rng.sample(english[s], 5)] + rng.sample(common, 4)
        rng.shuffle(words)
        orgs.append(
            {
                "external_id": f"bench-org-{i}",
                "name": f"Bench Organisation {i}",
                "country": "CN" if i % 5 == 0 else rng.choice(["NO", "SE", "DK", "FI", "IS"]),
                "kind": "company",
                "description": " ".join(words),
                "sectors": chosen,
                "looking_for": rng.sample(kinds, 2),
                "target_regions": rng.sample(regions, 3),
            }
        )
    owners = [o["external_id"] for o in orgs if o["country"] == "CN"]
    items = []
    for j in range(demands):
        sector = rng.choice(leaves)
        record = {
            "external_id": f"bench-demand-{j}",
            "organisation": rng.choice(owners),
            "sectors": [sector],
            "region": rng.choice(regions),
            "kind": rng.choice(kinds),
        }
        if j % 5 == 0:  # a fifth written only in Chinese
            record["title_zh"] = "".join(rng.sample(chinese[sector], 2))
            record["description_zh"] = "".join(rng.sample(chinese[sector], 6))
        else:
            record["title"] = f"Need {j}: " + " ".join(rng.sample(english[sector], 2))
            record["description"] = " ".join(rng.sample(english[sector], 6) + rng.sample(common, 3))
        items.append(record)
    return {"organisations": orgs, "demands": items}


def naive_scores(features, rows, columns, weights):
    """The same components as engine.score_chunk, one pair at a time in plain Python."""
    from matchmaking import engine

    n_org = len(features.organisations)

    def row_dict(matrix, i):
        start, end = matrix.indptr[i], matrix.indptr[i + 1]
        return dict(zip(matrix.indices[start:end].tolist(), matrix.data[start:end].tolist(), strict=True))

    def dot(a, b):
        return sum(v * b.get(k, 0.0) for k, v in a.items())

    out = []
    for r in rows:
        d = features.demands[r]
        d_concepts = row_dict(features.concepts, n_org + r)
        d_en, d_zh = row_dict(features.words_en, n_org + r), row_dict(features.words_zh, n_org + r)
        for c in columns:
            o = features.organisations[c]
            if o.chinese_side == d.owner_chinese_side or o.id == d.owner_id:
                out.append(0.0)
                continue
            d_leaves = {s for s in d.sectors if "." in s}
            o_leaves = {s for s in o.sectors if "." in s}
            d_groups = {s.split(".")[0] for s in d.sectors}
            o_groups = {s.split(".")[0] for s in o.sectors}
            leaf = len(d_leaves & o_leaves) / max(1, len(d_leaves))
            group = len(d_groups & o_groups) / max(1, len(d_groups))
            sector = max(leaf, engine.PARENT_CREDIT * group)
            concept = dot(d_concepts, row_dict(features.concepts, c))
            same = (features.has_en[n_org + r] and features.has_en[c]) or (
                features.has_zh[n_org + r] and features.has_zh[c]
            )
            words = max(dot(d_en, row_dict(features.words_en, c)), dot(d_zh, row_dict(features.words_zh, c)))
            cosine = (1 - engine.WORD_SHARE) * concept + engine.WORD_SHARE * words if same else concept
            text = min(1.0, cosine / engine.TEXT_SATURATION)
            region = 1.0 if d.region and d.region in (*o.target_regions, o.home_region) else 0.0
            partnership = 1.0 if d.kind and d.kind in o.looking_for else 0.0
            copresence = 1.0 if set(d.gatherings) & set(o.gatherings) else 0.0
            parts = {"sector": sector, "text": text, "region": region, "partnership": partnership,
                     "copresence": copresence}  # fmt: skip
            out.append(min(1.0, sum(weights[n] * v for n, v in parts.items())))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--organisations", type=int, default=10000)
    parser.add_argument("--demands", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sample", type=int, default=100, help="demands in the naive-vs-vectorised sample (0: skip)")
    parser.add_argument("--keep", metavar="DIR", help="SQLite only: keep the database in DIR and reuse it")
    args = parser.parse_args()

    django_on_scratch_database(keep=args.keep)
    import numpy as np
    from django.conf import settings
    from django.db import connection

    from companies.models import Organisation
    from matchmaking import engine, rescoring
    from matchmaking.imports import directory_import
    from matchmaking.models import Demand, Match

    data = synthetic_directory(args.organisations, args.demands, args.seed, *reference_codes())
    print(f"database: {connection.vendor}; {args.organisations} organisations × {args.demands} demands")

    present = Organisation.objects.filter(external_id__startswith="bench-org-").count()
    if present == args.organisations and Demand.objects.filter(external_id__startswith="bench-demand-").count() == (
        args.demands
    ):
        print("import: skipped (the database already holds this directory)")
    else:
        started = time.perf_counter()
        directory_import(data=data)
        print(f"import: {time.perf_counter() - started:.1f} s")
    Match.objects.all().delete()

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    run = rescoring.rescore_all()
    full = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows_first = sorted(Match.objects.values_list("organisation_id", "demand_id", "score", "rank", "published"))
    started = time.perf_counter()
    rescoring.rescore_all()
    again = time.perf_counter() - started
    peak_again = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    same = rows_first == sorted(Match.objects.values_list("organisation_id", "demand_id", "score", "rank", "published"))
    started = time.perf_counter()
    features = rescoring.load_features()  # also leaves the features in memory, as a worker has them
    loaded = time.perf_counter() - started
    print(
        f"full rescoring inline, no match rows yet: {full:.1f} s wall, of which loading the records and building "
        f"the features takes about {loaded:.1f} s; {Match.objects.count()} match rows, "
        f"{Match.objects.filter(published=True).count()} published; peak RSS {peak:.0f} MB "
        f"(before: {rss_before / 1024:.0f} MB); run {run.pk}"
    )
    print(f"full rescoring inline again, over its own rows: {again:.1f} s wall; same rows: {same}; "
          f"peak RSS {peak_again:.0f} MB")  # fmt: skip

    # As after a save: the record changed since the worker last loaded the features.
    organisation = Organisation.objects.filter(country="NO").order_by("pk").first()
    organisation.description = organisation.description.split(" Shore power")[0] + " Shore power and battery systems."
    organisation.save()
    demand = Demand.objects.order_by("pk").first()
    demand.description = demand.description.split(" Thermal hydrolysis")[0] + " Thermal hydrolysis of sludge."
    demand.save()
    for label, call in (
        ("one organisation", lambda: rescoring.rescore_organisation(organisation_id=organisation.pk)),
        ("one demand", lambda: rescoring.rescore_demand(demand_id=demand.pk)),
    ):
        started = time.perf_counter()
        call()
        print(f"incremental rescoring of {label}: {1000 * (time.perf_counter() - started):.0f} ms")

    if args.sample <= 0:
        return
    rows = list(range(min(args.sample, len(features.demands))))
    columns = list(range(len(features.organisations)))
    weights = settings.MATCH_WEIGHTS
    started = time.perf_counter()
    vectorised, _ = engine.score_chunk(features, np.array(rows), weights)
    fast = time.perf_counter() - started
    started = time.perf_counter()
    slow_scores = naive_scores(features, rows, columns, weights)
    slow = time.perf_counter() - started
    agree = np.allclose(np.array(slow_scores).reshape(len(rows), len(columns)), vectorised, atol=1e-4)
    pairs = len(rows) * len(columns)
    print(
        f"sample of {pairs} pairs: vectorised {fast * 1000:.0f} ms, naive per-pair Python {slow:.1f} s "
        f"→ {slow / fast:.0f}× faster; same scores: {agree}"
    )
    per_pair = slow / pairs
    total_pairs = len(features.demands) * len(features.organisations)
    print(f"naive scorer on all {total_pairs} pairs would take about {per_pair * total_pairs / 60:.0f} min")


if __name__ == "__main__":
    main()
