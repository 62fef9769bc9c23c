"""``demo_load``: load the demo directory and build a small, believable portal around it.

The directory (``directory.json``, the import format of DESIGN.md) holds real
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

import datetime as dt
import zoneinfo
from collections import Counter
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from companies.imports import directory_file_read, directory_import
from companies.models import Membership, Organisation, Region, Sector
from delegations.models import Delegation, DelegationMember
from events.models import Availability, Event, MeetingRequest, MeetingSlot, Registration, Table
from matchmaking.models import Demand

DIRECTORY_FILE = Path(__file__).with_name("directory.json")
DEMO_PASSWORD = "greenbridge-demo"  # noqa: S105 (published on purpose; the command refuses it outside DEBUG)
LOGINS_FILE_NAME = "demo-logins.txt"

STAVANGER_EVENT_ID = "demo-event-stavanger"
ROUNDTABLE_EVENT_ID = "demo-event-beijing-roundtable"
DELEGATION_ID = "demo-delegation-cph-beijing"
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")

# role, e-mail, first and last name, organisation, membership role, what to try
USERS = [
    ("administrator", "admin@greenbridge.example", "Demo", "Administrator", None, None,
     "Django admin at /admin/: every record"),
    ("company", "company@greenbridge.example", "Kari", "Nordmann", "no-corvus", Membership.Role.ADMIN,
     "admin of Corvus Energy: edit the profile, see matches, accept Qingdao Port's request at the Stavanger B2B day"),
    ("buyer", "buyer@greenbridge.example", "Wei", "Zhang", "cn-sdpg", Membership.Role.ADMIN,
     "admin of Shandong Port Group: post demands, see ranked Nordic suppliers, answer Kongsberg Maritime's request"),
    ("organiser", "organiser@greenbridge.example", "Ingrid", "Hansen", "no-innovation-norway", Membership.Role.MEMBER,
     "Innovation Norway: runs the Stavanger B2B day (registrations, slots, scheduler) and the Beijing delegation"),
]  # fmt: skip

# The B2B day, in Europe/Oslo local time: (start, end, is_break)
STAVANGER_PROGRAMME = [
    ("09:00", "09:30", False),
    ("09:30", "10:00", False),
    ("10:00", "10:30", False),
    ("10:30", "11:00", True),  # coffee
    ("11:00", "11:30", False),
    ("11:30", "12:00", False),
    ("12:00", "13:00", True),  # lunch
    ("13:00", "13:30", False),
    ("13:30", "14:00", False),
    ("14:00", "14:30", False),
    ("14:30", "15:00", True),  # coffee
    ("15:00", "15:30", False),
    ("15:30", "16:00", False),
]
PHYSICAL_TABLES = 9
VIRTUAL_ROOM = ("Virtual room 1", "https://meet.example.org/greenbridge-room-1")

# organisation, participant, e-mail (a demo user's e-mail links the registration to that user)
STAVANGER_PARTICIPANTS = [
    ("cn-sdpg", "Zhang Wei", "buyer@greenbridge.example"),
    ("cn-sdpg", "Liu Yang", "liu.yang@sdport.example.org"),
    ("cn-qdport", "Li Na", "li.na@qingdao-port.example.org"),
    ("cn-weichai", "Wang Fang", "wang.fang@weichai.example.org"),
    ("cn-sdmg", "Chen Jing", "chen.jing@sd-marine.example.org"),
    ("cn-sd-energy", "Zhao Lei", "zhao.lei@sd-energy.example.org"),
    ("cn-cimc-raffles", "Sun Li", "sun.li@cimc-raffles.example.org"),
    ("cn-spic-sd", "Zhou Min", "zhou.min@sd-offshore-wind.example.org"),
    ("cn-sd-commerce", "Wu Hao", "wu.hao@sd-commerce.example.org"),
    ("no-corvus", "Kari Nordmann", "company@greenbridge.example"),
    ("no-equinor", "Lars Johansen", "lars.johansen@equinor.example.org"),
    ("no-lyse", "Marte Olsen", "marte.olsen@lyse.example.org"),
    ("no-norled", "Erik Larsen", "erik.larsen@norled.example.org"),
    ("no-dnv", "Silje Andersen", "silje.andersen@dnv.example.org"),
    ("no-kongsberg-maritime", "Jonas Pedersen", "jonas.pedersen@kongsberg.example.org"),
    ("no-green-mountain", "Ingrid Nilsen", "ingrid.nilsen@greenmountain.example.org"),
    ("no-zaptec", "Henrik Berg", "henrik.berg@zaptec.example.org"),
    ("no-beyonder", "Nora Kristiansen", "nora.kristiansen@beyonder.example.org"),
    ("no-norce", "Magnus Haugen", "magnus.haugen@norce.example.org"),
    ("no-uis", "Ida Karlsen", "ida.karlsen@uis.example.org"),
    ("no-aker-solutions", "Anders Solberg", "anders.solberg@akersolutions.example.org"),
    ("no-nel", "Hanne Eriksen", "hanne.eriksen@nel.example.org"),
    ("no-hexagon-purus", "Sindre Jensen", "sindre.jensen@hexagonpurus.example.org"),
    ("no-akva", "Kristine Dahl", "kristine.dahl@akvagroup.example.org"),
    ("no-port-stavanger", "Thomas Bakken", "thomas.bakken@stavangerhavn.example.org"),
]

# e-mail, local slot start: not available then
UNAVAILABLE = [
    ("wang.fang@weichai.example.org", "09:00"),
    ("wang.fang@weichai.example.org", "09:30"),
    ("lars.johansen@equinor.example.org", "13:00"),
    ("lars.johansen@equinor.example.org", "13:30"),
    ("ida.karlsen@uis.example.org", "15:00"),
    ("ida.karlsen@uis.example.org", "15:30"),
    ("zhou.min@sd-offshore-wind.example.org", "11:00"),
]

# requester e-mail, recipient e-mail, status, message
MEETING_REQUESTS = [
    ("buyer@greenbridge.example", "company@greenbridge.example", MeetingRequest.Status.ACCEPTED,
     "We plan battery-electric tugs for Qingdao and Rizhao and would like to hear about your marine battery systems."),
    ("li.na@qingdao-port.example.org", "company@greenbridge.example", MeetingRequest.Status.REQUESTED,
     "Could we meet about batteries and charging for harbour vessels at Qingdao?"),
    ("jonas.pedersen@kongsberg.example.org", "buyer@greenbridge.example", MeetingRequest.Status.REQUESTED,
     "We would like to present electric propulsion and remote operation for harbour craft."),
]  # fmt: skip

DELEGATION_SECTORS = [
    "water.supply",
    "water.wastewater",
    "water.sludge",
    "energy.district-heating",
    "energy.efficiency",
]
# organisation, people (invented placeholder names, one per line)
DELEGATION_MEMBERS = [
    ("dk-copenhagen", "Lord Mayor of Copenhagen\nMette Sørensen, Head of International Relations"),
    ("dk-hofor", "Søren Nielsen, Director, Water Supply\nAnne Kristensen, District Heating Planning Manager"),
    ("dk-biofos", "Rasmus Møller, Head of Process Development"),
    ("dk-grundfos", "Camilla Rasmussen, Business Development Director, Water Utility, China"),
    ("dk-danfoss", "Mads Poulsen, Sales Director, District Energy"),
    ("dk-kamstrup", "Louise Christensen, Key Account Manager, Asia"),
    ("dk-kruger", "Jesper Madsen, Senior Process Engineer, Sludge and Biogas"),
    ("dk-dhi", "Katrine Thomsen, Urban Water Specialist"),
    ("dk-logstor", "Frederik Jørgensen, Export Manager"),
    ("dk-avk", "Sofie Mortensen, Regional Sales Manager"),
    ("dk-state-of-green", "Kasper Lund, Delegation Manager"),
    ("dk-clean", "Julie Holm, Project Manager, International Water Programme"),
]


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
        event = _stavanger_event(orgs, users, now, tally)
        _delegation(orgs, users, now, tally)
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


# --- the B2B day in Stavanger -----------------------------------------------------


def _local(day, hhmm, tz):
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz).astimezone(dt.UTC)


def _upcoming_weekday(day, weekday):
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def _b2b_day(now):
    """A Tuesday about five weeks ahead, outside the Christmas and New Year holidays."""
    day = _upcoming_weekday(now.astimezone(OSLO).date() + dt.timedelta(weeks=5), 1)
    if (day.month, day.day) >= (12, 18) or (day.month, day.day) <= (1, 6):
        day = _upcoming_weekday(dt.date(day.year + (day.month == 12), 1, 7), 1)
    return day


def _stavanger_event(orgs, users, now, tally):
    existing = Event.objects.filter(external_id=STAVANGER_EVENT_ID).first()
    keep = existing and existing.starts_at > now
    day = existing.starts_at.astimezone(OSLO).date() if keep else _b2b_day(now)
    starts_at = _local(day, "08:30", OSLO)
    event, created = Event.objects.update_or_create(
        external_id=STAVANGER_EVENT_ID,
        defaults={
            "name": "Shandong–Norway green maritime and energy B2B day",
            "name_zh": "山东—挪威绿色海事与能源企业对接日",
            "kind": Event.Kind.B2B_DAY,
            "description": (
                "Pre-booked one-to-one meetings between a Shandong delegation of port, energy, marine and engine "
                "companies and Norwegian maritime and energy companies, hosted with Greater Stavanger. Welcome and "
                "short company pitches at 08:30, then 30-minute meetings from 09:00 to 16:00 (Oslo time). Remote "
                "participants meet in the virtual room."
            ),
            "description_zh": (
                "山东港口、能源、海洋和动力装备企业代表团与挪威海事和能源企业的一对一预约洽谈，"
                "与大斯塔万格地区发展署合办。08:30 欢迎致辞和企业简短推介，"
                "09:00 至 16:00（奥斯陆时间）每场洽谈 30 分钟。远程参会者在线上会议室洽谈。"
            ),
            "format": Event.Format.HYBRID,
            "venue": "Forus business area",
            "city": "Stavanger",
            "country": "NO",
            "region": None,
            "timezone": "Europe/Oslo",
            "starts_at": starts_at,
            "ends_at": _local(day, "16:00", OSLO),
            "registration_opens_at": starts_at - dt.timedelta(weeks=8),
            "registration_closes_at": starts_at - dt.timedelta(days=4),
            "matchmaking_mode": Event.MatchmakingMode.REQUESTS,
            "max_meetings_per_participant": 8,
            # Most requests at real brokerage days go unanswered: the organiser adds pairs from matches.
            "suggest_pairs_from_matches": True,
            "is_public": True,
            "organising_organisation": orgs["no-innovation-norway"],
        },
    )
    tally.add("events", created)
    event.organisers.add(users["organiser"])

    slots = {}
    for start, end, is_break in STAVANGER_PROGRAMME:
        slot, created = MeetingSlot.objects.update_or_create(
            event=event,
            starts_at=_local(day, start, OSLO),
            defaults={"ends_at": _local(day, end, OSLO), "is_break": is_break},
        )
        tally.add("meeting slots", created)
        slots[start] = slot
    # Slots of an earlier date of this event (it had passed and was moved) go.
    event.slots.exclude(pk__in=[s.pk for s in slots.values()]).delete()

    for position in range(1, PHYSICAL_TABLES + 1):
        _table, created = Table.objects.update_or_create(
            event=event, name=f"Table {position}", defaults={"position": position, "video_link": ""}
        )
        tally.add("tables", created)
    name, link = VIRTUAL_ROOM
    _table, created = Table.objects.update_or_create(
        event=event, name=name, defaults={"position": PHYSICAL_TABLES + 1, "video_link": link}
    )
    tally.add("tables", created)

    user_by_email = {u.email: u for u in users.values()}
    registrations = {}
    for org_id, person, email in STAVANGER_PARTICIPANTS:
        registration, created = Registration.objects.update_or_create(
            event=event,
            email=email,
            defaults={
                "organisation": orgs[org_id],
                "name": person,
                "user": user_by_email.get(email),
                "status": Registration.Status.APPROVED,
            },
        )
        tally.add("registrations", created)
        registrations[email] = registration

    for email, start in UNAVAILABLE:
        _availability, created = Availability.objects.update_or_create(
            registration=registrations[email], slot=slots[start], defaults={"available": False}
        )
        tally.add("availabilities", created)

    for requester, recipient, status, message in MEETING_REQUESTS:
        pair = {"event": event, "requester": registrations[requester], "recipient": registrations[recipient]}
        if MeetingRequest.objects.filter(**pair).exists():
            continue  # answered or withdrawn in the meantime: leave it as the people left it
        MeetingRequest.objects.create(
            **pair,
            status=status,
            message=message,
            responded_at=now if status != MeetingRequest.Status.REQUESTED else None,
        )
        tally.add("meeting requests", True)
    return event


# --- the Copenhagen delegation to Beijing -----------------------------------------


def _delegation(orgs, users, now, tally):
    today = now.astimezone(zoneinfo.ZoneInfo("Europe/Copenhagen")).date()
    existing = Delegation.objects.filter(external_id=DELEGATION_ID).first()
    if existing and existing.starts_on > today:
        starts_on = existing.starts_on
    else:  # a Monday about ten weeks ahead
        starts_on = _upcoming_weekday(today + dt.timedelta(weeks=10), 0)
    roundtable = _roundtable_event(orgs, users, starts_on + dt.timedelta(days=1), tally)
    delegation, created = Delegation.objects.update_or_create(
        external_id=DELEGATION_ID,
        defaults={
            "name": "Copenhagen water and district-heating delegation to Beijing",
            "name_zh": "哥本哈根水务与区域供热代表团访问北京",
            "leader": "Lord Mayor of Copenhagen",
            "leader_organisation": orgs["dk-copenhagen"],
            "origin_country": "DK",
            "origin_region": None,
            "destination_country": "CN",
            "destination_region": Region.objects.get(code="CN-BJ"),
            "starts_on": starts_on,
            "ends_on": starts_on + dt.timedelta(days=4),
            "purpose": (
                "Danish utilities, suppliers and consultants in water supply, wastewater, sludge treatment and "
                "district heating meet Beijing's water and heating companies and authorities. They share "
                "Copenhagen's experience of low water losses, energy recovery from wastewater and efficient heat "
                "networks, and discuss concrete projects with Beijing buyers at a roundtable."
            ),
        },
    )
    tally.add("delegations", created)
    delegation.sectors.set(Sector.objects.filter(slug__in=DELEGATION_SECTORS))
    delegation.events.set([roundtable])
    delegation.organisers.add(users["organiser"])
    for org_id, people in DELEGATION_MEMBERS:
        _member, created = DelegationMember.objects.update_or_create(
            delegation=delegation, organisation=orgs[org_id], defaults={"people": people}
        )
        tally.add("delegation members", created)
    return delegation


def _roundtable_event(orgs, users, day, tally):
    starts_at = _local(day, "14:00", SHANGHAI)
    event, created = Event.objects.update_or_create(
        external_id=ROUNDTABLE_EVENT_ID,
        defaults={
            "name": "Beijing water and heating roundtable",
            "name_zh": "北京水务与供热圆桌会",
            "kind": Event.Kind.CONFERENCE,
            "description": (
                "Roundtable of the Copenhagen delegation with Beijing's water and heating utilities and authorities: "
                "leakage reduction, energy from wastewater and sludge, and heat network efficiency."
            ),
            "description_zh": (
                "哥本哈根代表团与北京供水、排水和供热企业及主管部门的圆桌会："
                "管网漏损控制、污水和污泥能源回收、热网能效提升。"
            ),
            "format": Event.Format.IN_PERSON,
            "venue": "To be announced",
            "city": "Beijing",
            "country": "CN",
            "region": Region.objects.get(code="CN-BJ"),
            "timezone": "Asia/Shanghai",
            "starts_at": starts_at,
            "ends_at": _local(day, "17:30", SHANGHAI),
            "registration_opens_at": starts_at - dt.timedelta(weeks=10),
            "registration_closes_at": starts_at - dt.timedelta(days=7),
            "matchmaking_mode": Event.MatchmakingMode.REQUESTS,
            "is_public": True,
            "organising_organisation": orgs["dk-copenhagen"],
        },
    )
    tally.add("events", created)
    event.organisers.add(users["organiser"])
    return event


# --- the logins file ---------------------------------------------------------------


def _logins_file_write():
    width = max(len(email) for _role, email, *_rest in USERS)
    lines = [f"{role:<14} {email:<{width}}  {DEMO_PASSWORD}  {tries}" for role, email, _f, _l, _o, _m, tries in USERS]
    path = Path(settings.VAR_DIR) / LOGINS_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
