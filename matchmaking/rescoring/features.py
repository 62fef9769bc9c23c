"""The engine's features from the database, and kept in this process's memory.

``load_features`` builds them from every organisation and open demand (a full fit);
``current_features`` keeps them and swaps in what was saved since, so that an incremental
rescoring in a warm worker costs one row against the other side.  Who attends which
upcoming event or delegation (the co-presence signal) is asked of the apps that know,
through the ``gatherings.attended`` hook.
"""

import datetime
import time

from django.conf import settings
from django.utils import timezone

from companies.models import CHINA, Organisation, Sector
from core import hooks
from matchmaking import engine
from matchmaking.glossary import CONCEPTS
from matchmaking.models import Demand
from matchmaking.rescoring.runs import open_demand_ids


def weights():
    return getattr(settings, "MATCH_WEIGHTS", engine.DEFAULT_WEIGHTS)


def _parents():
    return {s.slug: (s.parent.slug if s.parent_id else s.slug) for s in Sector.objects.select_related("parent")}


def _gatherings():
    """Upcoming events and delegations each organisation takes part in: {organisation_id: {"event:3", ...}}."""
    found = {}
    for answer in hooks.collect(hooks.GATHERINGS_ATTENDED, now=timezone.now()):
        for organisation_id, key in answer:
            found.setdefault(organisation_id, set()).add(key)
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
    loaded_at = timezone.now()
    gatherings = _gatherings()
    features = engine.build_features(
        _organisation_records(gatherings), _demand_records(gatherings), parents=_parents(), concepts=CONCEPTS
    )
    _cache.update(features=features, loaded_at=loaded_at, built=time.monotonic(), built_at=loaded_at)
    return features


def built_at():
    """When the kept features were last built in full (None: not yet in this process)."""
    return _cache["built_at"]


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
