"""A small handmade B2B day in Oslo for the organiser's services, and helpers to read it back."""

import datetime
import zoneinfo

from events.models import Meeting, MeetingPreference, MeetingRequest
from tests.factories import (
    EventFactory,
    MeetingSlotFactory,
    MembershipFactory,
    OrganisationFactory,
    RegistrationFactory,
    TableFactory,
    UserFactory,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def make_day(organiser, *, slots=3, tables=2, people=5, **event_fields):
    """An event ``organiser`` organises: ``slots`` half-hour slots from 09:00 Oslo time on 14 January
    2027, ``tables`` tables, and ``people`` approved participants (Ana, Bo, Cy, …)."""
    event = EventFactory(**event_fields)
    event.organisers.add(organiser)
    start = datetime.datetime(2027, 1, 14, 9, 0, tzinfo=OSLO)
    day_slots = [
        MeetingSlotFactory(
            event=event,
            starts_at=start + datetime.timedelta(minutes=30 * i),
            ends_at=start + datetime.timedelta(minutes=30 * i + 25),
        )
        for i in range(slots)
    ]
    day_tables = [TableFactory(event=event, name=f"Table {i + 1}", position=i + 1) for i in range(tables)]
    names = ["Ana", "Bo", "Cy", "Di", "Eir", "Finn", "Gro"][:people]
    registrations = [RegistrationFactory(event=event, name=name, email=f"{name.lower()}@example.org") for name in names]
    return event, day_slots, day_tables, registrations


def accept(event, requester, recipient):
    return MeetingRequest.objects.create(
        event=event, requester=requester, recipient=recipient, status=MeetingRequest.Status.ACCEPTED
    )


def prefer(who, whom, level):
    return MeetingPreference.objects.create(registration=who, target=whom, level=level)


def pairs(event):
    return {
        frozenset({m.party_a.name, m.party_b.name})
        for m in Meeting.objects.filter(event=event, status="scheduled").select_related("party_a", "party_b")
    }


def snapshot(event):
    return sorted(
        Meeting.objects.filter(event=event).values_list(
            "pk", "party_a", "party_b", "slot", "table", "status", "locked", "updated_at"
        )
    )


def text(response):
    return response.content.decode()


def member(organisation=None):
    """A user who is an active member of ``organisation`` (a new one by default)."""
    user = UserFactory()
    MembershipFactory(user=user, organisation=organisation or OrganisationFactory())
    return user
