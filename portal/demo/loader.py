"""``demo_load``: load the demo directory and build a small, believable portal around it.

The directory (``directory.json``, in the format of ``import_directory``) holds real
organisations and demands named in public reports of Nordic–China green-tech
cooperation.  Around it this module creates, idempotently (keyed by e-mail or
``external_id``, so a rerun duplicates nothing):

* four demo users sharing the password ``DEMO_PASSWORD``: an administrator, a
  company member (admin of Corvus Energy), a buyer (admin of Shandong Port Group)
  and an organiser (member of Innovation Norway);
* an upcoming B2B day in Stavanger with slots, tables, registrations,
  availabilities and meeting requests (meetings are left to the scheduler);
* the Copenhagen water and district-heating delegation to Beijing, with a small
  roundtable event in Beijing on its itinerary;
* ``VAR_DIR/demo-logins.txt``, one line per demo login.

People at the event and in the delegation are invented placeholders with
``example.org`` addresses, never real persons.

Dates are relative to ``now``.  A rerun keeps an event or delegation that is still
ahead and moves one that has already started into the future again; the slots of
a moved event are replaced, with whatever hung on the old ones.
"""

from collections import Counter
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from companies.models import Membership, Organisation
from delegations.models import Delegation, DelegationMember
from events.models import Availability, Event, MeetingRequest, MeetingSlot, Registration, Table
from matchmaking.imports import directory_file_read, directory_import
from matchmaking.models import Demand
from portal.demo.content import (
    DELEGATION_ID,
    DEMO_PASSWORD,
    DIRECTORY_FILE,
    LOGINS_FILE_NAME,
    ROUNDTABLE_EVENT_ID,
    STAVANGER_EVENT_ID,
    USERS,
)
from portal.demo.gatherings import delegation_build, stavanger_event_build

__all__ = ["DEMO_PASSWORD", "DIRECTORY_FILE", "demo_load"]


class Tally:
    """How many rows of each kind this run created."""

    def __init__(self):
        self.created = Counter()

    def add(self, kind, created):
        self.created[kind] += int(created)
        return created


def demo_load(*, if_empty=False, now=None):
    """Load the demo directory, users, event and delegation; return what was done.

    With ``if_empty``, do nothing when any organisation exists.  Raises
    ``DirectoryImportError`` when ``directory.json`` is invalid (nothing written).
    """
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime")
    if if_empty and Organisation.objects.exists():
        return {
            "skipped": True,
            "reason": "the database already holds organisations",
            "totals": {"organisations": Organisation.objects.count()},
        }
    tally = Tally()
    data = directory_file_read(DIRECTORY_FILE)
    with transaction.atomic():
        report = directory_import(data=data)
        orgs = {o.external_id: o for o in Organisation.objects.filter(external_id__isnull=False)}
        users = _users(orgs, tally)
        event = stavanger_event_build(orgs, users, now, tally)
        delegation_build(orgs, users, now, tally)
    logins_file = _logins_file_write()
    tally.created["organisations"] = report.counts["organisations"]["created"]
    tally.created["demands"] = report.counts["demands"]["created"]
    return {
        "skipped": False,
        "import": report.summary_lines(),
        "created": dict(tally.created),
        "totals": _totals(),
        "event_starts_at": event.starts_at,
        "logins_file": str(logins_file),
    }


def _totals():
    return {
        "organisations": Organisation.objects.count(),
        "demands": Demand.objects.count(),
        "users": get_user_model().objects.filter(username__in=[u[1] for u in USERS]).count(),
        "memberships": Membership.objects.filter(user__username__in=[u[1] for u in USERS]).count(),
        "events": Event.objects.filter(external_id__in=[STAVANGER_EVENT_ID, ROUNDTABLE_EVENT_ID]).count(),
        "meeting slots": MeetingSlot.objects.filter(event__external_id=STAVANGER_EVENT_ID).count(),
        "tables": Table.objects.filter(event__external_id=STAVANGER_EVENT_ID).count(),
        "registrations": Registration.objects.filter(event__external_id=STAVANGER_EVENT_ID).count(),
        "availabilities": Availability.objects.filter(slot__event__external_id=STAVANGER_EVENT_ID).count(),
        "meeting requests": MeetingRequest.objects.filter(event__external_id=STAVANGER_EVENT_ID).count(),
        "delegations": Delegation.objects.filter(external_id=DELEGATION_ID).count(),
        "delegation members": DelegationMember.objects.filter(delegation__external_id=DELEGATION_ID).count(),
    }


# --- users ------------------------------------------------------------------------


def _users(orgs, tally):
    user_model = get_user_model()
    users = {}
    for role, email, first_name, last_name, org_id, membership_role, _tries in USERS:
        user, created = user_model.objects.get_or_create(
            username=email, defaults={"email": email, "first_name": first_name, "last_name": last_name}
        )
        tally.add("users", created)
        is_admin = role == "administrator"
        changed = created
        if (user.is_superuser, user.is_staff, user.is_active) != (is_admin, is_admin, True):
            user.is_superuser, user.is_staff, user.is_active = is_admin, is_admin, True
            changed = True
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            changed = True
        if changed:
            user.save()
        if role == "organiser":  # may create events and delegations, as a trade council's staff would
            user.user_permissions.add(Permission.objects.get(codename="add_event", content_type__app_label="events"))
        # Demo users can log in at once: their e-mail address counts as verified.
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if org_id:
            _membership, created = Membership.objects.update_or_create(
                user=user,
                organisation=orgs[org_id],
                defaults={"role": membership_role, "status": Membership.Status.ACTIVE},
            )
            tally.add("memberships", created)
        users[role] = user
    return users


# --- the logins file ---------------------------------------------------------------


def _logins_file_write():
    width = max(len(email) for _role, email, *_rest in USERS)
    lines = [f"{role:<14} {email:<{width}}  {DEMO_PASSWORD}  {tries}" for role, email, _f, _l, _o, _m, tries in USERS]
    path = Path(settings.VAR_DIR) / LOGINS_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
