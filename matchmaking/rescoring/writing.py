"""Writing Match rows: the kept pairs of a scoring, in a few statements whatever their number.

The kept pairs go into a temporary table (one COPY on PostgreSQL, executemany on SQLite),
then one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` writes only the rows whose values
changed (``updated_at`` is when a row last changed), and one ``DELETE`` removes the rows of
the scored demands (or organisation) that were not kept.  Feedback is never overwritten,
and a row that either side marked "not relevant" is never deleted.  Needs SQLite 3.35 or
newer (RETURNING), as Debian 12 and Python 3.11 builds have.
"""

import io
import json

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from matchmaking import engine
from matchmaking.models import Match

NOT_RELEVANT = Match.Feedback.NOT_RELEVANT


def excluded_pairs(demand_ids=None, organisation_ids=None):
    """(organisation_id, demand_id) of the pairs either side marked not relevant."""
    rows = Match.objects.filter(Q(supplier_feedback=NOT_RELEVANT) | Q(buyer_feedback=NOT_RELEVANT))
    if demand_ids is not None:
        rows = rows.filter(demand_id__in=demand_ids)
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=organisation_ids)
    return set(rows.values_list("organisation_id", "demand_id"))


# The columns written for each kept pair; the feedback columns are never overwritten.
WRITTEN = ("score", "rank", "components", "reasons", "algorithm_version", "published")
COMPONENTS_FORMAT = "{" + ", ".join(f'"{name}": %.4f' for name in engine.COMPONENTS) + "}"


def _rows(kept, excluded, *, ranks):
    """The values written for each pair of a Selection: a list of tuples in the order of INCOMING.

    A pair is published when its (rounded) score reaches MATCH_MIN_SCORE and nobody marked it
    not relevant.  With ``ranks`` the pairs hold every kept pair of their demands, so each
    published pair gets its rank here (best score first, then the lower organisation id);
    without, ranks are left to renumber.
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


def write_matches(kept, excluded, *, scope, by="demand_id", ranks=True):
    """Upsert the kept pairs, then delete the pairs of the scope that were not kept; returns the
    ids of the demands whose rows changed (inserted, updated or deleted).

    ``scope`` holds the demand ids (``by="demand_id"``) or organisation ids (``by="organisation_id"``)
    whose pairs were all scored: a row of the scope that is not among the kept pairs is stale
    and goes, unless either side marked it not relevant (such a row stays, unpublished, so the
    pair is never raised again).  Rows whose values did not change are not written at all
    (no new row version on PostgreSQL); new rows come with empty feedback, and feedback is
    never overwritten.  Runs inside the caller's transaction.
    """
    if by not in ("demand_id", "organisation_id"):
        raise ValueError(f"by must be demand_id or organisation_id, not {by!r}")
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


def renumber(demand_ids=None):
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


def drop_matches(*, demand_id):
    """Delete the matches of a demand that is closed or gone (rows with feedback stay)."""
    Match.objects.filter(demand_id=demand_id).exclude(
        Q(supplier_feedback=NOT_RELEVANT) | Q(buyer_feedback=NOT_RELEVANT)
    ).delete()


def prune():
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
