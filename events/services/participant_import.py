"""Importing an event's participants from CSV or JSON: all or nothing, like the directory import.

Each record has ``name``, ``email``, ``organisation`` (the organisation's ``external_id``)
and optionally ``status`` (``pending``, ``approved``, ``declined``, ``cancelled``; default
``approved``: the organiser brings the list).  JSON is a list of such objects or
``{"participants": [...]}``; CSV has these columns in a header line.

Every record is checked first; when one is bad, ``ParticipantImportError`` lists each bad
record with its position ("line 3" in CSV, "#3" in JSON) and the reason, and nothing is
written.  A good file is upserted by e-mail address (case does not matter), so importing
the same file twice changes nothing.  A registration gets the user account with that
e-mail address, if there is exactly one.
"""

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from companies.models import Organisation
from events import permissions
from events.models import Registration

FIELDS = ("name", "email", "organisation", "status")
REQUIRED = ("name", "email", "organisation")


class ParticipantImportError(Exception):
    """The file or some of its records are bad; nothing was written."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class ImportReport:
    counts: Counter = field(default_factory=Counter)

    @property
    def created(self):
        return self.counts["created"]

    @property
    def updated(self):
        return self.counts["updated"]

    @property
    def unchanged(self):
        return self.counts["unchanged"]


def participants_file_read(*, name, content):
    """Parse an uploaded file (bytes) into ``(records, by_line)``."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParticipantImportError(["the file is not UTF-8 text"]) from exc
    if name.lower().endswith(".json") or text.lstrip().startswith(("[", "{")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParticipantImportError([f"not valid JSON: {exc}"]) from exc
        if isinstance(data, dict):
            data = data.get("participants")
        if not isinstance(data, list):
            raise ParticipantImportError(["the JSON file must hold a list of participants (or {“participants”: […]})"])
        return data, False
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ParticipantImportError(["the CSV file is empty"])
    missing = [column for column in REQUIRED if column not in reader.fieldnames]
    if missing:
        raise ParticipantImportError([f"the CSV header lacks the column(s) {', '.join(missing)}"])
    records = []
    for row in reader:
        record = {}
        for column, value in row.items():
            if column is None:
                record["(extra cells)"] = value
            elif column.strip():
                record[column.strip()] = (value or "").strip()
        if "status" in record and not record["status"]:
            del record["status"]
        records.append(record)
    return records, True


def _validate(event, records, by_line):
    if not records:
        raise ParticipantImportError(["the file has no participants"])
    wanted_orgs = {r.get("organisation") for r in records if isinstance(r, dict)}
    organisations = {o.external_id: o for o in Organisation.objects.filter(external_id__in=wanted_orgs - {None})}
    errors, valid, seen = [], [], {}
    for index, record in enumerate(records):
        where = f"line {index + 2}" if by_line else f"#{index + 1}"
        if not isinstance(record, dict):
            errors.append(f"{where}: a record must be an object")
            continue
        problems = []
        unknown = sorted(set(record) - set(FIELDS))
        if unknown:
            problems.append(f"unknown field {', '.join(unknown)}")
        for key in REQUIRED:
            if not isinstance(record.get(key), str) or not record[key].strip():
                problems.append(f"{key}: required")
        name, email = str(record.get("name") or "").strip(), str(record.get("email") or "").strip()
        if len(name) > 200:
            problems.append("name: at most 200 characters")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"email: “{email}” is not an e-mail address")
            if email.lower() in seen:
                problems.append(f"email: “{email}” appears twice in the file (also {seen[email.lower()]})")
            seen.setdefault(email.lower(), where)
        external_id = record.get("organisation")
        if isinstance(external_id, str) and external_id.strip() and external_id.strip() not in organisations:
            problems.append(f"organisation: no organisation has the external ID “{external_id}”")
        status = record.get("status", Registration.Status.APPROVED)
        if status not in Registration.Status.values:
            problems.append(f"status: unknown value “{status}” (use {', '.join(Registration.Status.values)})")
        if problems:
            errors.extend(f"{where}: {problem}" for problem in problems)
            continue
        valid.append(
            {"name": name, "email": email, "organisation": organisations[external_id.strip()], "status": status}
        )
    if errors:
        raise ParticipantImportError(errors)
    return valid


def participants_import(*, actor, event, records, by_line=False):
    """Validate every record, then upsert the registrations by e-mail in one transaction."""
    permissions.require_organiser(actor, event)
    valid = _validate(event, records, by_line)
    report = ImportReport()
    users = {}
    for user in (
        get_user_model().objects.annotate(lower=Lower("email")).filter(lower__in=[r["email"].lower() for r in valid])
    ):
        users.setdefault(user.lower, []).append(user)
    with transaction.atomic():
        existing = {
            r.email.lower(): r for r in Registration.objects.select_for_update().filter(event=event).order_by("pk")
        }
        for attrs in valid:
            registration = existing.get(attrs["email"].lower())
            matching_users = users.get(attrs["email"].lower(), [])
            user = matching_users[0] if len(matching_users) == 1 else None
            if registration is None:
                Registration.objects.create(
                    event=event, user=user, name=attrs["name"], email=attrs["email"],
                    organisation=attrs["organisation"], status=attrs["status"],
                )  # fmt: skip
                report.counts["created"] += 1
                continue
            changes = {
                "name": attrs["name"], "organisation": attrs["organisation"], "status": attrs["status"],
            }  # fmt: skip
            if registration.user_id is None and user is not None:
                changes["user"] = user
            changed = [k for k, v in changes.items() if getattr(registration, k) != v]
            if changed:
                for key in changed:
                    setattr(registration, key, changes[key])
                registration.save(update_fields=[*changed, "updated_at"])
                report.counts["updated"] += 1
            else:
                report.counts["unchanged"] += 1
    return report
