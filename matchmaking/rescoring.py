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

How rows are written (``_write``): the kept pairs go into a temporary table (one COPY on
PostgreSQL, executemany on SQLite), then one ``INSERT … SELECT … ON CONFLICT DO UPDATE``
writes only the rows whose values changed (``updated_at`` is when a row last changed), and
one ``DELETE`` removes the rows of the scored demands (or organisation) that were not kept.
Needs SQLite 3.35 or newer (RETURNING), as Debian 12 and Python 3.11 builds have.
"""

import datetime
import io
import json
import time

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from api import webhooks
from api.models import WebhookEvent
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


def _links(through, owner, label, ids=None):
    """{owner id: [label, ...]} from an M2M table, without building model instances.

    ``ids``: only these owners (a few records saved since the last load), when they are few.
    """
    found = {}
    rows = through.objects.order_by().values_list(owner, label)
    if ids is not None and len(ids) <= 1000:
        rows = rows.filter(**{f"{owner}__in": list(ids)})
    for owner_id, value in rows:
        found.setdefault(owner_id, []).append(value)
    return found


def _organisation_records(gatherings, ids=None):
    sectors = _links(Organisation.sectors.through, "organisation_id", "sector__slug", ids)
    regions = _links(Organisation.target_regions.through, "organisation_id", "region__code", ids)
    looking_for = _links(Organisation.looking_for.through, "organisation_id", "partnership_id", ids)
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
    sectors = _links(Demand.sectors.through, "demand_id", "sector__slug", ids)
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


# The columns written for each kept pair; the feedback columns are never overwritten.
WRITTEN = ("score", "rank", "components", "reasons", "algorithm_version", "published")
COMPONENTS_FORMAT = "{" + ", ".join(f'"{name}": %.4f' for name in engine.COMPONENTS) + "}"


def _components_json(components):
    """The five components as a JSON object, rounded to 4 places (faster than json.dumps per row)."""
    return COMPONENTS_FORMAT % tuple(components.get(name, 0.0) for name in engine.COMPONENTS)


def _rows(kept, excluded, *, ranks):
    """The values written for each pair of a Selection: a list of tuples in the order of INCOMING.

    A pair is published when its (rounded) score reaches MATCH_MIN_SCORE and nobody marked it
    not relevant.  With ``ranks`` the pairs hold every kept pair of their demands, so each
    published pair gets its rank here (best score first, then the lower organisation id);
    without, ranks are left to _renumber.
    """
    minimum = settings.MATCH_MIN_SCORE
    organisation_ids, demand_ids = kept.organisation_ids.tolist(), kept.demand_ids.tolist()
    scores = [round(score, 4) for score in kept.scores.tolist()]
    published = [score >= minimum for score in scores]
    if excluded:
        published = [
            flag and (organisation_id, demand_id) not in excluded
            for flag, organisation_id, demand_id in zip(published, organisation_ids, demand_ids, strict=True)
        ]
    rank = [None] * len(scores)
    if ranks and scores:
        shown = np.flatnonzero(published)
        demand_column = kept.demand_ids[shown]
        order = np.lexsort((kept.organisation_ids[shown], -np.array(scores)[shown], demand_column))
        grouped = demand_column[order]
        starts = np.r_[0, np.flatnonzero(np.diff(grouped)) + 1]
        position = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)])) + 1
        for i, r in zip(shown[order].tolist(), position.tolist(), strict=True):
            rank[i] = r
    parts = zip(*(kept.components[name].tolist() for name in engine.COMPONENTS), strict=True)
    components = [COMPONENTS_FORMAT % values for values in parts]
    reasons = [r if type(r) is str else json.dumps(r, ensure_ascii=False) for r in kept.reasons]
    return list(zip(organisation_ids, demand_ids, scores, rank, components, reasons, published, strict=True))


INCOMING = ("organisation_id", "demand_id", "score", "rank", "components", "reasons", "published")


def _copy_lines(rows):
    """The rows in PostgreSQL's COPY text format: tab-separated, \\N for NULL, backslashes doubled.

    The JSON texts escape tabs and newlines themselves; the numbers are written by repr, which
    PostgreSQL reads back to the same double.
    """
    lines = []
    for organisation_id, demand_id, score, rank, components, reasons, published in rows:
        if "\\" in reasons:
            reasons = reasons.replace("\\", "\\\\")
        rank = "\\N" if rank is None else rank
        lines.append(f"{organisation_id}\t{demand_id}\t{score!r}\t{rank}\t{components}\t{reasons}\t{published:d}\n")
    return "".join(lines)


def _load_incoming(cursor, rows, scope):
    """Put the rows to write into the temporary table gb_incoming, and the scope ids into gb_scope.

    PostgreSQL: one COPY each (``ON COMMIT DROP``: gone with the transaction).  SQLite: executemany
    into temporary tables of this connection.
    """
    postgresql = connection.vendor == "postgresql"
    json_type = "jsonb" if postgresql else "text"
    on_commit = " ON COMMIT DROP" if postgresql else ""
    _drop_incoming(cursor)
    cursor.execute(
        "CREATE TEMPORARY TABLE gb_incoming (organisation_id bigint NOT NULL, demand_id bigint NOT NULL,"
        f" score double precision NOT NULL, rank integer, components {json_type} NOT NULL,"
        f" reasons {json_type} NOT NULL, published boolean NOT NULL){on_commit}"
    )
    cursor.execute(f"CREATE TEMPORARY TABLE gb_scope (id bigint PRIMARY KEY){on_commit}")
    if postgresql:
        text = _copy_lines(rows)
        cursor.cursor.copy_expert(f"COPY gb_incoming ({', '.join(INCOMING)}) FROM STDIN", io.StringIO(text))
        cursor.cursor.copy_expert("COPY gb_scope (id) FROM STDIN", io.StringIO("".join(f"{i}\n" for i in scope)))
    else:
        cursor.executemany(f"INSERT INTO gb_incoming VALUES ({', '.join(['%s'] * len(INCOMING))})", rows)  # noqa: S608
        cursor.executemany("INSERT INTO gb_scope VALUES (%s)", [(i,) for i in scope])
        # After loading (faster than keeping it up to date row by row).  Not a NOT IN list
        # instead: for a row-value NOT IN, SQLite scans the whole list whenever a pair is absent.
        cursor.execute("CREATE INDEX temp.gb_incoming_pair ON gb_incoming (organisation_id, demand_id)")


def _write(kept, excluded, *, scope, by="demand_id", ranks=True):
    """Upsert the kept pairs, then delete the pairs of the scope that were not kept; returns the
    ids of the demands whose rows changed (inserted, updated or deleted).

    ``scope`` holds the demand ids (``by="demand_id"``) or organisation ids (``by="organisation_id"``)
    whose pairs were all scored: a row of the scope that is not among the kept pairs is stale
    and goes, unless either side marked it not relevant (such a row stays, unpublished, so the
    pair is never raised again).  Rows whose values did not change are not written at all
    (no new row version on PostgreSQL); new rows come with empty feedback, and feedback is
    never overwritten.  Runs inside the caller's transaction.
    """
    assert by in ("demand_id", "organisation_id")
    rows = _rows(kept, excluded, ranks=ranks)
    table = Match._meta.db_table
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    written = [c for c in WRITTEN if ranks or c != "rank"]
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    rows_of = ", ".join(f"{table}.{c}" for c in written)
    new_of = ", ".join(f"excluded.{c}" for c in written)
    not_kept = (  # an anti-join on PostgreSQL; SQLite looks each pair up in gb_incoming's index
        f"NOT EXISTS (SELECT 1 FROM gb_incoming AS i"  # noqa: S608
        f" WHERE i.organisation_id = {table}.organisation_id AND i.demand_id = {table}.demand_id)"
    )
    with connection.cursor() as cursor:
        _load_incoming(cursor, rows, scope)
        cursor.execute(
            f"INSERT INTO {table} (organisation_id, demand_id, score, rank, components, reasons, algorithm_version,"  # noqa: S608 (no user input in the SQL text)
            f" published, supplier_feedback, buyer_feedback, created_at, updated_at)"
            f" SELECT organisation_id, demand_id, score, {'rank' if ranks else 'NULL'}, components, reasons, %s,"
            f" published, '', '', %s, %s FROM gb_incoming WHERE true"
            f" ON CONFLICT (organisation_id, demand_id) DO UPDATE SET"
            f" {', '.join(f'{c} = excluded.{c}' for c in written)}, updated_at = excluded.updated_at"
            f" WHERE ({rows_of}) {distinct} ({new_of})"
            f" RETURNING demand_id",
            [engine.ALGORITHM_VERSION, now, now],
        )
        changed = {demand_id for (demand_id,) in cursor.fetchall()}
        cursor.execute(
            f"DELETE FROM {table} WHERE {by} IN (SELECT id FROM gb_scope)"  # noqa: S608
            f" AND supplier_feedback <> %s AND buyer_feedback <> %s"
            f" AND {not_kept}"
            f" RETURNING demand_id",
            [NOT_RELEVANT, NOT_RELEVANT],
        )
        changed.update(demand_id for (demand_id,) in cursor.fetchall())
        _drop_incoming(cursor)
    return changed


def _drop_incoming(cursor):
    schema = "pg_temp" if connection.vendor == "postgresql" else "temp"  # never a table of the same name
    cursor.execute(f"DROP TABLE IF EXISTS {schema}.gb_incoming")
    cursor.execute(f"DROP TABLE IF EXISTS {schema}.gb_scope")


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


def _listening():
    """Whether any partner's webhook wants ``match.published`` (else nothing is looked up for it)."""
    return bool(webhooks.subscribed_webhooks(WebhookEvent.MATCH_PUBLISHED))


def _published_in(**scope):
    return set(Match.objects.filter(published=True, **scope).values_list("pk", flat=True))


def _announce(before, **scope):
    """``match.published`` for the matches of ``scope`` published now and not in ``before``."""
    if before is None:
        return
    new = _published_in(**scope) - before
    if new:
        webhooks.notify_matches_published(sorted(new))


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
    kept = engine.select(
        features,
        top_k=settings.MATCH_TOP_K,
        organisation_k=settings.MATCH_TOP_K_PER_ORGANISATION,
        min_score=settings.MATCH_MIN_SCORE,
        weights=_weights(),
        excluded=excluded,
        demand_rows=rows,
        json_reasons=True,
    )
    before = _published_in(demand_id__in=demand_ids) if _listening() else None
    with transaction.atomic():
        # Every pair of these demands was scored here: a row of theirs that was not kept goes.
        _write(kept, excluded, scope=demand_ids)
        _announce(before, demand_id__in=demand_ids)
        written = len(kept)
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
    """After every chunk: drop the matches of demands that are no longer open, trim the union of
    the chunks to the global top K, renumber ranks, mark the run done.

    (Each chunk already deleted the rows of its own demands that it did not keep.)
    """
    with transaction.atomic():
        stale = Match.objects.exclude(demand__status=Demand.Status.OPEN).exclude(
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
    kept = engine.select(
        features,
        top_k=settings.MATCH_TOP_K,
        min_score=settings.MATCH_MIN_SCORE,
        weights=_weights(),
        excluded=excluded,
        demand_rows=[row],
        per_organisation=False,
        json_reasons=True,
    )
    before = _published_in(demand_id=demand_id) if _listening() else None
    with transaction.atomic():
        if _write(kept, excluded, scope=[demand_id]):
            _renumber([demand_id])
        _announce(before, demand_id=demand_id)
    return len(kept)


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
    keep = np.array(
        [i for i in rows if scores[i] > 0 and (i in own_best or scores[i] > threshold.get(demand_ids[i], 0.0))],
        dtype=np.int64,
    )
    parts = {name: part[keep, 0] for name, part in components.items()}
    shown = np.flatnonzero(scores[keep] >= minimum)
    reasons = ["[]"] * len(keep)
    shown_parts = {name: part[shown] for name, part in parts.items()}
    found = engine.explain_many(features, keep[shown], np.full(len(shown), column), shown_parts, as_json=True)
    for i, pair_reasons in zip(shown.tolist(), found, strict=True):
        reasons[i] = pair_reasons
    kept = engine.Selection(
        rows=keep,
        columns=np.full(len(keep), column, dtype=np.int64),
        organisation_ids=np.full(len(keep), organisation_id, dtype=np.int64),
        demand_ids=np.asarray(demand_ids, dtype=np.int64)[keep],
        scores=scores[keep],
        components=parts,
        reasons=reasons,
    )
    before = _published_in(organisation_id=organisation_id) if _listening() else None
    with transaction.atomic():
        # Ranks are the demands' business: _renumber sets them for the demands whose rows changed.
        changed = _write(kept, excluded, scope=[organisation_id], by="organisation_id", ranks=False)
        _renumber(sorted(changed))
        _announce(before, organisation_id=organisation_id)
    return len(kept)


def _kth_scores(demand_ids, k):
    """{demand_id: the score of its published match ranked k}: what a newcomer must beat to enter its top k.

    A demand with fewer than k published matches has no threshold: any positive score enters
    (the next full rescoring trims what falls below its top k).
    """
    found = {}
    for start in range(0, len(demand_ids), 5000):
        rows = Match.objects.filter(demand_id__in=demand_ids[start : start + 5000], rank=k).order_by()
        found.update(rows.values_list("demand_id", "score"))
    return found
