"""Services that write Match rows: the database side of the engine (matchmaking/engine.py).

* ``rescore_chunk(demand_ids=...)`` — score these open demands against every organisation
  and upsert the kept pairs (a full rescoring is many chunks, see tasks.py);
* ``rescore_finish(run=...)`` — after all chunks: delete the pairs no chunk kept, renumber ranks;
* ``rescore_demand(demand_id=...)`` / ``rescore_organisation(organisation_id=...)`` —
  incremental, after one record was saved or imported;
* ``rescore_all()`` — the whole thing inline (``rescore_matches --sync``).

Every write is an upsert on the unique (organisation, demand) pair, so a task run twice
(acks_late redelivery) leaves the same rows.  Feedback survives: a pair marked "not
relevant" by either side is excluded from scoring and its row is kept unpublished, so it
is never raised again; other feedback is kept on the row while the pair stays matched.
"""

import datetime
import json
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from companies.models import CHINA, Organisation, Sector
from delegations.models import DelegationMember
from events.models import Registration
from matchmaking import engine
from matchmaking.models import Demand, Match, RescoringRun

NOT_RELEVANT = Match.Feedback.NOT_RELEVANT


def _weights():
    return getattr(settings, "MATCH_WEIGHTS", engine.DEFAULT_WEIGHTS)


def _parents():
    return {s.slug: (s.parent.slug if s.parent_id else s.slug) for s in Sector.objects.select_related("parent")}


def _gatherings():
    """Upcoming events and delegations each organisation takes part in: {organisation_id: {"event:3", ...}}."""
    now = timezone.now()
    found = {}
    registrations = Registration.objects.filter(
        event__ends_at__gte=now, status__in=[Registration.Status.APPROVED, Registration.Status.PENDING]
    ).values_list("organisation_id", "event_id")
    for organisation_id, event_id in registrations:
        found.setdefault(organisation_id, set()).add(f"event:{event_id}")
    members = DelegationMember.objects.filter(delegation__ends_on__gte=now.date()).values_list(
        "organisation_id", "delegation_id"
    )
    for organisation_id, delegation_id in members:
        found.setdefault(organisation_id, set()).add(f"delegation:{delegation_id}")
    return found


def _links(through, owner, label):
    """{owner id: [label, ...]} from an M2M table, without building model instances."""
    found = {}
    for owner_id, value in through.objects.values_list(owner, label):
        found.setdefault(owner_id, []).append(value)
    return found


def _organisation_records(gatherings, ids=None):
    sectors = _links(Organisation.sectors.through, "organisation_id", "sector__slug")
    regions = _links(Organisation.target_regions.through, "organisation_id", "region__code")
    looking_for = _links(Organisation.looking_for.through, "organisation_id", "partnership_id")
    rows = Organisation.objects.values_list(
        "pk", "country", "name", "name_zh", "description", "description_zh", "region__code"
    ).order_by("pk")
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return [
        engine.OrganisationRecord(
            id=pk,
            chinese_side=country == CHINA,
            sectors=tuple(sectors.get(pk, ())),
            text_en=f"{name}. {description}",
            text_zh=f"{name_zh} {description_zh}".strip(),
            target_regions=tuple(regions.get(pk, ())),
            home_region=region or "",
            looking_for=tuple(looking_for.get(pk, ())),
            gatherings=tuple(sorted(gatherings.get(pk, ()))),
        )
        for pk, country, name, name_zh, description, description_zh, region in rows
    ]


def _demand_records(gatherings, ids=None):
    sectors = _links(Demand.sectors.through, "demand_id", "sector__slug")
    rows = (
        Demand.objects.filter(status=Demand.Status.OPEN)
        .values_list(
            "pk",
            "organisation_id",
            "organisation__country",
            "title",
            "title_zh",
            "description",
            "description_zh",
            "region__code",
            "kind",
        )  # fmt: skip
        .order_by("pk")
    )
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return [
        engine.DemandRecord(
            id=pk,
            owner_id=owner,
            owner_chinese_side=country == CHINA,
            sectors=tuple(sectors.get(pk, ())),
            text_en=f"{title}. {description}".strip(". "),
            text_zh=f"{title_zh} {description_zh}".strip(),
            region=region or "",
            kind=kind,
            gatherings=tuple(sorted(gatherings.get(owner, ()))),
        )
        for pk, owner, country, title, title_zh, description, description_zh, region, kind in rows
    ]


FEATURE_CACHE_SECONDS = 600
_cache = {"features": None, "loaded_at": None, "built": 0.0, "built_at": None}


def load_features():
    """Engine features for every organisation and every open demand, from the database.

    A full build: vocabularies and IDF are fitted anew.  The result is also kept in this
    process's memory for ``current_features``.
    """
    from matchmaking.glossary import CONCEPTS  # a large table: loaded when scoring, not at start-up

    loaded_at = timezone.now()
    gatherings = _gatherings()
    features = engine.build_features(
        _organisation_records(gatherings), _demand_records(gatherings), parents=_parents(), concepts=CONCEPTS
    )
    _cache.update(features=features, loaded_at=loaded_at, built=time.monotonic(), built_at=loaded_at)
    return features


def forget_features():
    _cache.update(features=None, loaded_at=None, built=0.0, built_at=None)


def current_features():
    """The features kept in this worker's memory, brought up to date with what was saved since.

    Records saved after the last load are transformed with the fitted vocabularies and
    swapped in (engine.with_records): an incremental rescoring then costs one sparse row
    against the other side instead of a full build.  A deleted organisation, a closed or
    deleted demand, or a cache older than FEATURE_CACHE_SECONDS means a full build (which
    also refreshes IDF and who attends which upcoming event).
    """
    features, loaded_at = _cache["features"], _cache["loaded_at"]
    if features is None or time.monotonic() - _cache["built"] > FEATURE_CACHE_SECONDS:
        return load_features()
    organisation_ids = set(Organisation.objects.values_list("pk", flat=True))
    demand_ids = set(open_demand_ids())
    cached_organisations = {o.id for o in features.organisations}
    cached_demands = {d.id for d in features.demands}
    if cached_organisations - organisation_ids or cached_demands - demand_ids:
        return load_features()
    now = timezone.now()
    since = loaded_at - datetime.timedelta(seconds=2)  # saves that were committing while we loaded
    changed_organisations = set(Organisation.objects.filter(updated_at__gte=since).values_list("pk", flat=True)) | (
        organisation_ids - cached_organisations
    )
    changed_demands = set(
        Demand.objects.filter(status=Demand.Status.OPEN, updated_at__gte=since).values_list("pk", flat=True)
    ) | (demand_ids - cached_demands)
    if changed_organisations or changed_demands:
        gatherings = _gatherings()
        features = engine.with_records(
            features,
            organisations=_organisation_records(gatherings, ids=changed_organisations),
            demands=_demand_records(gatherings, ids=changed_demands),
        )
        _cache.update(features=features, loaded_at=now)
    return features


def _excluded(demand_ids=None, organisation_ids=None):
    rows = Match.objects.filter(Q(supplier_feedback=NOT_RELEVANT) | Q(buyer_feedback=NOT_RELEVANT))
    if demand_ids is not None:
        rows = rows.filter(demand_id__in=demand_ids)
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=organisation_ids)
    return set(rows.values_list("organisation_id", "demand_id"))


UPSERT_COLUMNS = (
    "organisation_id", "demand_id", "score", "rank", "components", "reasons", "algorithm_version", "published",
    "supplier_feedback", "buyer_feedback", "created_at", "updated_at",
)  # fmt: skip
UPSERT_UPDATED = ("score", "rank", "components", "reasons", "algorithm_version", "published", "updated_at")


def _components_json(components):
    """The five components as a JSON object, rounded to 4 places (faster than json.dumps per row)."""
    return "{" + ", ".join(f'"{name}": {components.get(name, 0.0):.4f}' for name in engine.COMPONENTS) + "}"


def _upsert(pairs, excluded):
    """Write the scored pairs in one INSERT ... ON CONFLICT per batch; returns how many.

    Raw SQL because the ORM's bulk_create spends most of its time preparing values; the
    statement is the same upsert on (organisation, demand), and the feedback columns are
    never overwritten.
    """
    minimum = settings.MATCH_MIN_SCORE
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    published = {
        (p.organisation_id, p.demand_id)
        for p in pairs
        if p.score >= minimum and (p.organisation_id, p.demand_id) not in excluded
    }
    # Ranks as the pairs of each demand stand here; _renumber then rewrites only the rows that differ.
    by_demand = {}
    for p in pairs:
        if (p.organisation_id, p.demand_id) in published:
            by_demand.setdefault(p.demand_id, []).append((-p.score, p.organisation_id))
    rank = {}
    for demand_id, entries in by_demand.items():
        entries.sort()
        rank.update({(organisation_id, demand_id): i for i, (_s, organisation_id) in enumerate(entries, 1)})
    rows = [
        (
            p.organisation_id,
            p.demand_id,
            p.score,
            rank.get((p.organisation_id, p.demand_id)),
            _components_json(p.components),
            json.dumps(p.reasons, ensure_ascii=False),
            engine.ALGORITHM_VERSION,
            (p.organisation_id, p.demand_id) in published,
            "",
            "",
            now,
            now,
        )
        for p in pairs
    ]
    table = Match._meta.db_table
    columns = ", ".join(UPSERT_COLUMNS)
    update = ", ".join(f"{c} = excluded.{c}" for c in UPSERT_UPDATED)
    conflict = f"ON CONFLICT (organisation_id, demand_id) DO UPDATE SET {update}"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            batch = rows[start : start + 5000]
            if connection.vendor == "postgresql":
                from psycopg2.extras import execute_values

                sql = f"INSERT INTO {table} ({columns}) VALUES %s {conflict}"  # noqa: S608
                execute_values(cursor.cursor, sql, batch, page_size=1000)
            else:
                placeholders = ", ".join(["%s"] * len(UPSERT_COLUMNS))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) {conflict}", batch)  # noqa: S608
    return len(rows)


def _renumber(demand_ids=None):
    """rank = 1 for the best published match of each demand; unpublished rows get no rank.

    One UPDATE ... FROM with a window function (PostgreSQL, and SQLite 3.33+), not a row at a time.
    """
    table = Match._meta.db_table
    where, params = "", []
    if demand_ids is not None:
        if not demand_ids:
            return
        where = f" AND demand_id IN ({', '.join(['%s'] * len(demand_ids))})"
        params = list(demand_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET rank = NULL WHERE published = %s AND rank IS NOT NULL{where}",  # noqa: S608
            [False, *params],
        )
        # Only rows whose rank changes are written (PostgreSQL writes a new row version per update).
        cursor.execute(
            f"UPDATE {table} SET rank = ranked.position FROM ("  # noqa: S608 (no user input in the SQL text)
            f"  SELECT id, ROW_NUMBER() OVER (PARTITION BY demand_id ORDER BY score DESC, organisation_id) AS position"
            f"  FROM {table} WHERE published = %s{where}"
            f") AS ranked WHERE {table}.id = ranked.id AND COALESCE({table}.rank, -1) <> ranked.position",
            [True, *params],
        )


def _keep_only(kept_pairs, *, demand_ids=None, organisation_ids=None):
    """Delete the matches of these demands/organisations that were not kept (feedback rows stay).

    Returns the ids of the demands that lost a match.
    """
    stale = Match.objects.exclude(Q(supplier_feedback=NOT_RELEVANT) | Q(buyer_feedback=NOT_RELEVANT))
    if demand_ids is not None:
        stale = stale.filter(demand_id__in=demand_ids)
    if organisation_ids is not None:
        stale = stale.filter(organisation_id__in=organisation_ids)
    doomed = [
        (pk, d) for pk, o, d in stale.values_list("pk", "organisation_id", "demand_id") if (o, d) not in kept_pairs
    ]
    for start in range(0, len(doomed), 5000):
        Match.objects.filter(pk__in=[pk for pk, _d in doomed[start : start + 5000]]).delete()
    return {d for _pk, d in doomed}


# --- full rescoring -----------------------------------------------------------------------


def open_demand_ids():
    return list(Demand.objects.filter(status=Demand.Status.OPEN).order_by("pk").values_list("pk", flat=True))


def rescore_start(*, chunk_size, started_by=None):
    """Record a new full rescoring and return it with its chunks of demand ids."""
    ids = open_demand_ids()
    chunks = [ids[i : i + chunk_size] for i in range(0, len(ids), chunk_size)]
    run = RescoringRun.objects.create(total_chunks=len(chunks), started_by=started_by)
    return run, chunks


def rescore_chunk(*, demand_ids, run_id=None, chunk_index=0, features=None):
    """Score these demands against every organisation and upsert what is kept.

    With a run, the chunk is counted done once (a redelivered chunk is not counted twice);
    returns True when this was the run's last chunk, so that the caller finishes the run.
    """
    if features is None:
        run = RescoringRun.objects.filter(pk=run_id).only("started_at").first() if run_id else None
        built_at = _cache["built_at"]
        # A full rescoring refits the vocabularies once per worker process, not per chunk.
        stale = run is not None and (built_at is None or built_at < run.started_at)
        features = load_features() if stale else current_features()
    index = {d.id: i for i, d in enumerate(features.demands)}
    rows = [index[d] for d in demand_ids if d in index]
    excluded = _excluded(demand_ids=demand_ids)
    pairs = engine.match(
        features,
        top_k=settings.MATCH_TOP_K,
        organisation_k=settings.MATCH_TOP_K_PER_ORGANISATION,
        min_score=settings.MATCH_MIN_SCORE,
        weights=_weights(),
        excluded=excluded,
        demand_rows=rows,
    )
    with transaction.atomic():
        written = _upsert(pairs, excluded)
        if run_id is None:
            return False
        run = RescoringRun.objects.select_for_update().get(pk=run_id)
        if chunk_index not in run.completed:
            run.completed.append(chunk_index)
            run.done_chunks = len(run.completed)
            run.matches += written
            run.save(update_fields=["completed", "done_chunks", "matches"])
        return run.done_chunks == run.total_chunks


def _prune():
    """Keep each demand's top K and each organisation's best published demands, nothing more.

    Chunks scored apart each keep an organisation's best among their own demands; this
    trims the union to the global best.  Rows with feedback are never deleted.
    """
    table = Match._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id IN ("  # noqa: S608 (no user input in the SQL text)
            f"  SELECT id FROM ("
            f"    SELECT id, published, supplier_feedback, buyer_feedback,"
            f"      ROW_NUMBER() OVER (PARTITION BY demand_id ORDER BY score DESC, organisation_id) AS by_demand,"
            f"      ROW_NUMBER() OVER (PARTITION BY organisation_id ORDER BY score DESC, demand_id) AS by_organisation"
            f"    FROM {table}"
            f"  ) AS ranked"
            f"  WHERE by_demand > %s AND (by_organisation > %s OR published = %s)"
            f"    AND supplier_feedback = '' AND buyer_feedback = ''"
            f")",
            [settings.MATCH_TOP_K, settings.MATCH_TOP_K_PER_ORGANISATION, False],
        )


def rescore_finish(*, run_id):
    """After every chunk: drop the pairs this run did not touch, renumber ranks, mark the run done."""
    run = RescoringRun.objects.get(pk=run_id)
    with transaction.atomic():
        stale = Match.objects.filter(updated_at__lt=run.started_at).exclude(
            Q(supplier_feedback=NOT_RELEVANT) | Q(buyer_feedback=NOT_RELEVANT)
        )
        stale.delete()
        _prune()
        Match.objects.exclude(demand__status=Demand.Status.OPEN).update(published=False, rank=None)
        _renumber()
        RescoringRun.objects.filter(pk=run_id).update(
            status=RescoringRun.Status.DONE, finished_at=timezone.now(), done_chunks=F("total_chunks")
        )
    return RescoringRun.objects.get(pk=run_id)


def rescore_all(*, started_by=None):
    """The whole rescoring inline: one pass over every demand (the engine chunks it in memory)."""
    run, chunks = rescore_start(chunk_size=max(1, len(open_demand_ids())), started_by=started_by)
    features = load_features()  # a full rescoring refits the vocabularies
    for chunk_index, chunk in enumerate(chunks):
        rescore_chunk(demand_ids=chunk, run_id=run.pk, chunk_index=chunk_index, features=features)
    return rescore_finish(run_id=run.pk)


# --- incremental -----------------------------------------------------------------------


def rescore_demand(*, demand_id):
    """After a demand was saved: its own top K organisations are rewritten.

    A pair kept only because it was among an organisation's own best demands (and not in
    the demand's top K) is dropped here and comes back at the next full rescoring.
    """
    demand = Demand.objects.filter(pk=demand_id).first()
    if demand is None or demand.status != Demand.Status.OPEN:
        with transaction.atomic():
            _keep_only(set(), demand_ids=[demand_id])
        return 0
    features = current_features()
    row = next(i for i, d in enumerate(features.demands) if d.id == demand_id)
    excluded = _excluded(demand_ids=[demand_id])
    pairs = engine.match(
        features,
        top_k=settings.MATCH_TOP_K,
        min_score=settings.MATCH_MIN_SCORE,
        weights=_weights(),
        excluded=excluded,
        demand_rows=[row],
        per_organisation=False,
    )
    with transaction.atomic():
        written = _upsert(pairs, excluded)
        _keep_only({(p.organisation_id, p.demand_id) for p in pairs}, demand_ids=[demand_id])
        _renumber([demand_id])
    return written


def rescore_organisation(*, organisation_id):
    """After a profile was saved: this organisation against every open demand.

    A pair is kept when it enters the demand's top K (its score beats the demand's K-th
    stored score) or is among the organisation's own top K demands.
    """
    if not Organisation.objects.filter(pk=organisation_id).exists():
        return 0  # deleted: its matches went with it (on_delete=CASCADE)
    features = current_features()
    column = features.org_index[organisation_id]
    if not features.demands:
        return 0
    rows = list(range(len(features.demands)))
    scores, components = engine.score_chunk(features, rows, _weights(), org_columns=[column])
    scores = scores[:, 0]
    excluded = _excluded(organisation_ids=[organisation_id])
    demand_ids = [d.id for d in features.demands]
    for i, demand_id in enumerate(demand_ids):
        if (organisation_id, demand_id) in excluded:
            scores[i] = 0.0
    minimum = settings.MATCH_MIN_SCORE
    candidates = [demand_ids[i] for i in rows if scores[i] > 0]
    threshold = _kth_scores(candidates, settings.MATCH_TOP_K)
    published = [i for i in rows if scores[i] >= minimum]
    own_best = set(sorted(published, key=lambda i: -scores[i])[: settings.MATCH_TOP_K_PER_ORGANISATION])
    keep = [i for i in rows if scores[i] > 0 and (i in own_best or scores[i] > threshold.get(demand_ids[i], 0.0))]
    pairs = [
        engine.ScoredPair(
            organisation_id=organisation_id,
            demand_id=demand_ids[i],
            score=round(float(scores[i]), 4),
            components={n: round(float(c[i, 0]), 4) for n, c in components.items()},
            reasons=engine.explain(features, i, column, {n: float(c[i, 0]) for n, c in components.items()})
            if scores[i] >= minimum
            else [],
        )
        for i in keep
    ]
    with transaction.atomic():
        written = _upsert(pairs, excluded)
        lost = _keep_only({(p.organisation_id, p.demand_id) for p in pairs}, organisation_ids=[organisation_id])
        _renumber(sorted({p.demand_id for p in pairs} | lost))
    return written


def _kth_scores(demand_ids, k):
    """{demand_id: the score of its published match ranked k}: what a newcomer must beat to enter its top k.

    A demand with fewer than k published matches has no threshold: any positive score enters
    (the next full rescoring trims what falls below its top k).
    """
    found = {}
    for start in range(0, len(demand_ids), 5000):
        rows = Match.objects.filter(demand_id__in=demand_ids[start : start + 5000], rank=k)
        found.update(rows.values_list("demand_id", "score"))
    return found
