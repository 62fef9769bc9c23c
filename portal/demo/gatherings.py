"""The demo's gatherings: the B2B day in Stavanger, the Copenhagen delegation and its Beijing roundtable.

Dates are relative to ``now``; a gathering still ahead is kept, one that has started is moved
into the future again (the slots of a moved event are replaced).
"""

import datetime as dt
import zoneinfo

from companies.models import Region, Sector
from delegations import services as delegation_services
from delegations.models import Delegation
from events.models import Availability, Event, MeetingRequest, MeetingSlot, Registration, Table
from portal.demo.content import (
    DELEGATION_ID,
    DELEGATION_MEMBERS,
    DELEGATION_SECTORS,
    MEETING_REQUESTS,
    OSLO,
    PHYSICAL_TABLES,
    ROUNDTABLE_EVENT_ID,
    SHANGHAI,
    STAVANGER_EVENT_ID,
    STAVANGER_PARTICIPANTS,
    STAVANGER_PROGRAMME,
    UNAVAILABLE,
    VIRTUAL_ROOM,
)

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


def stavanger_event_build(orgs, users, now, tally):
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


def delegation_build(orgs, users, now, tally):
    today = now.astimezone(zoneinfo.ZoneInfo("Europe/Copenhagen")).date()
    existing = Delegation.objects.filter(external_id=DELEGATION_ID).first()
    if existing and existing.starts_on > today:
        starts_on = existing.starts_on
    else:  # a Monday about ten weeks ahead
        starts_on = _upcoming_weekday(today + dt.timedelta(weeks=10), 0)
    roundtable = _roundtable_event(orgs, users, starts_on + dt.timedelta(days=1), tally)
    delegation, created = delegation_services.delegation_upsert(
        external_id=DELEGATION_ID,
        fields={
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
        sectors=Sector.objects.filter(slug__in=DELEGATION_SECTORS),
        events=[roundtable],
        organisers=[users["organiser"]],
    )
    tally.add("delegations", created)
    for org_id, people in DELEGATION_MEMBERS:
        _member, created = delegation_services.member_upsert(
            delegation=delegation, organisation=orgs[org_id], people=people
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
