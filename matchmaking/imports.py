"""The directory import: organisations and demands from one file (``manage.py import_directory``).

The file is a JSON object with an ``organisations`` and/or a ``demands`` list (a demand names
its owner organisation by ``external_id``; other top-level keys are ignored), or a CSV file of
organisations with the same column names and lists separated by ``;``.

``directory_import(data=...)`` validates every record first and writes nothing when any record
is bad; :class:`DirectoryImportError` then lists each bad record with its position and the
reason.  A good file is upserted by ``external_id`` inside one transaction, and the report says
what was created, updated and left unchanged, so a second run of the same file changes nothing.
The changed records are then rescored (``tasks.queue_after_import``, after the commit).

Decisions:

* ``external_id`` is required for every record (it is what makes a rerun idempotent).
* A field missing from a JSON record is left as it is on update (partial upsert);
  a CSV file has every column, so an empty cell clears the value.
* Unknown keys inside a record are an error (a typo such as ``sector`` must not
  silently lose data); unknown top-level keys (``qrels``) are ignored.
"""

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django_countries import countries
from rest_framework import serializers

from companies.models import Organisation, Partnership, PartnershipKind, Region, Sector
from matchmaking import tasks
from matchmaking.models import Demand


class DirectoryImportError(Exception):
    """The file or some of its records are bad; nothing was written."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class ImportReport:
    counts: dict = field(default_factory=lambda: {"organisations": Counter(), "demands": Counter()})
    changed_organisation_ids: list = field(default_factory=list)
    changed_demand_ids: list = field(default_factory=list)

    def summary_lines(self):
        return [
            f"{kind}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for kind, c in self.counts.items()
        ]


# --- strict fields: JSON gives types, and a wrong type is an error, not a guess ---


class StrictCharField(serializers.CharField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictChoiceField(serializers.ChoiceField):
    default_error_messages = {"invalid_choice": "unknown value “{input}”"}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class SlugListField(serializers.ListField):
    """A list of codes that must all be in ``known`` (sectors, regions, kinds)."""

    def __init__(self, *, what, known, **kwargs):
        self.what, self.known = what, known
        super().__init__(child=StrictCharField(), **kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        unknown = [v for v in values if v not in self.known]
        if unknown:
            raise serializers.ValidationError(f"unknown {self.what}: {', '.join(unknown)}")
        return list(dict.fromkeys(values))


def _reference_codes():
    return {
        "sectors": set(Sector.objects.values_list("slug", flat=True)),
        "regions": set(Region.objects.values_list("code", flat=True)),
        "countries": [code for code, _name in countries],
    }


def _text(max_length, **kwargs):
    return StrictCharField(max_length=max_length, required=False, allow_blank=True, **kwargs)


class OrganisationRecord(serializers.Serializer):
    def __init__(self, *args, codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = StrictChoiceField(choices=codes["countries"])
        self.fields["region"] = StrictChoiceField(choices=sorted(codes["regions"]), required=False, allow_blank=True)
        self.fields["sectors"] = SlugListField(what="sector", known=codes["sectors"], required=False)
        self.fields["target_regions"] = SlugListField(what="region", known=codes["regions"], required=False)

    external_id = StrictCharField(max_length=100)
    name = StrictCharField(max_length=200)
    name_zh = _text(200)
    kind = StrictChoiceField(choices=Organisation.Kind.values, required=False)
    city = _text(100)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    description = _text(5000)
    description_zh = _text(5000)
    looking_for = SlugListField(what="partnership kind", known=set(PartnershipKind.values), required=False)
    employees = StrictIntegerField(min_value=0, required=False, allow_null=True)
    founded = StrictIntegerField(min_value=1600, max_value=2100, required=False, allow_null=True)
    visibility = StrictChoiceField(choices=Organisation.Visibility.values, required=False)


class DemandRecord(serializers.Serializer):
    def __init__(self, *args, codes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = StrictChoiceField(choices=sorted(codes["regions"]), required=False, allow_blank=True)
        self.fields["sectors"] = SlugListField(what="sector", known=codes["sectors"], required=False)

    external_id = StrictCharField(max_length=100)
    organisation = StrictCharField(max_length=100)
    title = _text(200)
    title_zh = _text(200)
    description = _text(10000)
    description_zh = _text(10000)
    kind = StrictChoiceField(choices=PartnershipKind.values, required=False)
    budget_eur = StrictIntegerField(min_value=0, required=False, allow_null=True)
    deadline = serializers.DateField(input_formats=["%Y-%m-%d"], required=False, allow_null=True)
    status = StrictChoiceField(choices=Demand.Status.values, required=False)

    def validate(self, attrs):
        if not (attrs.get("title") or attrs.get("title_zh")):
            raise serializers.ValidationError("a title in English (title) or Chinese (title_zh) is required")
        return attrs


# --- reading files ----------------------------------------------------------------

CSV_LIST_COLUMNS = {"sectors", "looking_for", "target_regions"}
CSV_INT_COLUMNS = {"employees", "founded"}


def directory_file_read(path):
    """Parse a JSON directory file, or a CSV file of organisations, into the JSON shape."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DirectoryImportError([f"cannot read {path}: {exc}"]) from exc
    if path.suffix.lower() == ".csv":
        return _csv_to_data(raw)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DirectoryImportError([f"not valid JSON: {exc}"]) from exc


def _csv_to_data(raw):
    reader = csv.DictReader(io.StringIO(raw))
    if not reader.fieldnames:
        raise DirectoryImportError(["the CSV file is empty"])
    records = []
    for row in reader:
        record = {}
        for column, value in row.items():
            if column is None:  # more cells than header columns
                record["(extra cells)"] = value
                continue
            value = (value or "").strip()
            if column in CSV_LIST_COLUMNS:
                record[column] = [part.strip() for part in value.split(";") if part.strip()]
            elif column in CSV_INT_COLUMNS:
                record[column] = int(value) if value.lstrip("-").isdigit() else (value or None)
            else:
                record[column] = value
        records.append(record)
    return {"organisations": records, "_positions": "line"}


# --- validation -------------------------------------------------------------------


def _flatten(errors, prefix=""):
    if isinstance(errors, dict):
        for key, value in errors.items():
            name = prefix if key == "non_field_errors" else (f"{prefix}.{key}" if prefix else str(key))
            yield from _flatten(value, name)
    elif isinstance(errors, list):
        for item in errors:
            yield from _flatten(item, prefix)
    else:
        yield f"{prefix}: {errors}" if prefix else str(errors)


def _position(kind, index, record, by_line):
    where = f"line {index + 2}" if by_line else f"#{index + 1}"
    ext = record.get("external_id") if isinstance(record, dict) else None
    return f"{kind} {where}" + (f" ({ext})" if isinstance(ext, str) and ext else "")


def _validate(data):
    if not isinstance(data, dict):
        raise DirectoryImportError(["the file must hold a JSON object with “organisations” and/or “demands”"])
    by_line = data.get("_positions") == "line"
    codes = _reference_codes()
    errors, valid = [], {"organisations": [], "demands": []}
    lists = {}
    for kind in ("organisations", "demands"):
        records = data.get(kind, [])
        if not isinstance(records, list):
            errors.append(f"{kind}: must be a list of records")
            records = []
        lists[kind] = records
    if not errors and not lists["organisations"] and not lists["demands"]:
        errors.append("the file has no organisations and no demands")

    known_orgs = {r.get("external_id") for r in lists["organisations"] if isinstance(r, dict)}
    existing_owners = set(
        Organisation.objects.filter(
            external_id__in={r.get("organisation") for r in lists["demands"] if isinstance(r, dict)} - known_orgs
        ).values_list("external_id", flat=True)
    )
    for kind, record_class in (("organisations", OrganisationRecord), ("demands", DemandRecord)):
        validator = record_class(codes=codes)  # one instance: its fields are built once, not per record
        seen = set()
        for index, record in enumerate(lists[kind]):
            where = _position(kind, index, record, by_line)
            if not isinstance(record, dict):
                errors.append(f"{where}: a record must be an object")
                continue
            record_errors = []
            unknown = sorted(set(record) - set(validator.fields))
            if unknown:
                record_errors.append(f"unknown field {', '.join(unknown)}")
            try:
                valid[kind].append(validator.run_validation(record))
            except serializers.ValidationError as exc:
                record_errors.extend(_flatten(exc.detail))
            external_id = record.get("external_id")
            if isinstance(external_id, str) and external_id in seen:
                record_errors.append(f"external_id: “{external_id}” appears twice in the file")
            seen.add(external_id)
            owner = record.get("organisation") if kind == "demands" else None
            if isinstance(owner, str) and owner and owner not in known_orgs | existing_owners:
                record_errors.append(f"organisation: unknown owner organisation “{owner}”")
            errors.extend(f"{where}: {message}" for message in record_errors)
    if errors:
        raise DirectoryImportError(errors)
    return valid


# --- writing ----------------------------------------------------------------------

ORGANISATION_M2M = {"sectors": "slug", "looking_for": "code", "target_regions": "code"}
DEMAND_M2M = {"sectors": "slug"}


def _scalar_value(obj, name):
    value = getattr(obj, name)
    return getattr(value, "code", value)  # CountryField gives a Country object


def _upsert(obj, attrs, m2m_fields, lookups):
    """Apply ``attrs`` to ``obj``; return "created", "updated" or "unchanged"."""
    created = obj.pk is None
    changed = created
    for name, value in attrs.items():
        if name in m2m_fields:
            continue
        if name == "region":
            value = lookups["regions"].get(value) if value else None
            if (obj.region_id if not created else None) != (value.pk if value else None):
                obj.region, changed = value, True
            continue
        if created or _scalar_value(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    if changed:
        obj.save()
    saved = changed
    for name, key in m2m_fields.items():
        if name not in attrs:
            continue
        wanted = set(attrs[name])
        current = set() if created else {getattr(item, key) for item in getattr(obj, name).all()}
        if wanted != current:
            getattr(obj, name).set([lookups[name][code] for code in wanted])
            changed = True
    if changed and not saved:
        obj.save(update_fields=["updated_at"])  # partners sync on updated_since; the engine too
    if created:
        return "created"
    return "updated" if changed else "unchanged"


def directory_import(*, data):
    """Validate and upsert a directory (the JSON shape above); all or nothing."""
    valid = _validate(data)
    report = ImportReport()
    lookups = {
        "sectors": {s.slug: s for s in Sector.objects.all()},
        "regions": {r.code: r for r in Region.objects.all()},
        "looking_for": {p.code: p for p in Partnership.objects.all()},
    }
    lookups["target_regions"] = lookups["regions"]
    with transaction.atomic():
        org_ids = [r["external_id"] for r in valid["organisations"]]
        orgs = {
            o.external_id: o
            for o in Organisation.objects.filter(external_id__in=org_ids).prefetch_related(*ORGANISATION_M2M)
        }
        for attrs in valid["organisations"]:
            org = orgs.get(attrs["external_id"]) or Organisation()
            outcome = _upsert(org, attrs, ORGANISATION_M2M, lookups)
            orgs[org.external_id] = org
            report.counts["organisations"][outcome] += 1
            if outcome != "unchanged":
                report.changed_organisation_ids.append(org.pk)

        owners = {r["organisation"] for r in valid["demands"]} - set(orgs)
        orgs.update({o.external_id: o for o in Organisation.objects.filter(external_id__in=owners)})
        demand_ids = [r["external_id"] for r in valid["demands"]]
        demands = {
            d.external_id: d for d in Demand.objects.filter(external_id__in=demand_ids).prefetch_related("sectors")
        }
        for attrs in valid["demands"]:
            attrs = {**attrs, "organisation": orgs[attrs["organisation"]]}
            demand = demands.get(attrs["external_id"]) or Demand()
            outcome = _upsert(demand, attrs, DEMAND_M2M, lookups)
            report.counts["demands"][outcome] += 1
            if outcome != "unchanged":
                report.changed_demand_ids.append(demand.pk)
        tasks.queue_after_import(organisation_ids=report.changed_organisation_ids, demand_ids=report.changed_demand_ids)
    return report


__all__ = ["DirectoryImportError", "ImportReport", "directory_file_read", "directory_import"]
