"""The dashboard's figures (``events.dashboard``) against a small event counted by hand.

The event (``counted`` below): six approved participants and one waiting registration.

| who  | country | sectors                  | registered (Oslo) |
|------|---------|--------------------------|-------------------|
| Ana  | CN      | energy.wind              | 1 Jan 2027        |
| Bo   | CN      | energy.wind, water.sludge| 1 Jan 2027        |
| Cy   | NO      | water.sludge             | 2 Jan 2027        |
| Di   | NO      | —                        | 4 Jan 2027 00:30 (3 Jan 23:30 UTC) |
| Eir  | SE      | water (the group itself) | 4 Jan 2027        |
| Finn | DK      | —                        | 4 Jan 2027        |
| Gro (waiting) | NO | —                      | 4 Jan 2027        |

Requests (5): Ana→Cy accepted, Bo→Di accepted, Eir→Ana declined, Finn→Cy and Di→Eir unanswered.
Meetings: slot 1 Ana–Cy and Bo–Di, slot 2 Cy–Di, slot 3 none; Eir–Finn cancelled (slot 3).
Two tables.  Without a meeting: Eir and Finn.
Demands: Ana's (open, energy.wind), Bo's (open, water.sludge), Cy's (closed, energy.wind).
Published matches between participants: Cy for Ana's demand 0.85, Di for Bo's demand 0.42;
not counted: Eir for Ana's demand 0.15 (unpublished), an outsider for Ana's demand 0.9.
"""

import datetime

import pytest

from companies.models import Sector
from events import dashboard
from events.models import Meeting, MeetingPreference, MeetingRequest, Registration
from matchmaking.models import Demand, Match
from tests.events.support import OSLO, make_day, prefer
from tests.factories import DemandFactory, OrganisationFactory, RegistrationFactory, UserFactory, meeting_create


def request(event, requester, recipient, status):
    return MeetingRequest.objects.create(event=event, requester=requester, recipient=recipient, status=status)


def registered(registration, when):
    Registration.objects.filter(pk=registration.pk).update(created_at=when)


@pytest.fixture
def counted():
    event, slots, tables, people = make_day(UserFactory(), slots=3, tables=2, people=6)
    ana, bo, cy, di, eir, finn = people
    gro = RegistrationFactory(event=event, name="Gro", status=Registration.Status.PENDING)
    for person, country in zip(people, ["CN", "CN", "NO", "NO", "SE", "DK"], strict=True):
        person.organisation.country = country
        person.organisation.save()
    wind, sludge, water = (Sector.objects.get(slug=s) for s in ("energy.wind", "water.sludge", "water"))
    ana.organisation.sectors.set([wind])
    bo.organisation.sectors.set([wind, sludge])
    cy.organisation.sectors.set([sludge])
    eir.organisation.sectors.set([water])

    day = datetime.datetime(2027, 1, 1, 10, 0, tzinfo=OSLO)
    for person in (ana, bo):
        registered(person, day)
    registered(cy, day + datetime.timedelta(days=1))
    registered(di, datetime.datetime(2027, 1, 3, 23, 30, tzinfo=datetime.UTC))
    for person in (eir, finn, gro):
        registered(person, day + datetime.timedelta(days=3))

    status = MeetingRequest.Status
    request(event, ana, cy, status.ACCEPTED)
    request(event, bo, di, status.ACCEPTED)
    request(event, eir, ana, status.DECLINED)
    request(event, finn, cy, status.REQUESTED)
    request(event, di, eir, status.REQUESTED)

    meeting_create(slot=slots[0], first=ana, second=cy, table=tables[0])
    meeting_create(slot=slots[0], first=bo, second=di, table=tables[1])
    meeting_create(slot=slots[1], first=cy, second=di, table=tables[0])
    meeting_create(slot=slots[2], first=eir, second=finn, table=tables[0], status=Meeting.Status.CANCELLED)

    ana_demand = DemandFactory(organisation=ana.organisation)
    ana_demand.sectors.set([wind])
    bo_demand = DemandFactory(organisation=bo.organisation)
    bo_demand.sectors.set([sludge])
    DemandFactory(organisation=cy.organisation, status=Demand.Status.CLOSED).sectors.set([wind])
    Match.objects.create(organisation=cy.organisation, demand=ana_demand, score=0.85, published=True)
    Match.objects.create(organisation=di.organisation, demand=bo_demand, score=0.42, published=True)
    Match.objects.create(organisation=eir.organisation, demand=ana_demand, score=0.15, published=False)
    Match.objects.create(organisation=OrganisationFactory(), demand=ana_demand, score=0.9, published=True)
    return event, people, slots


def figures_of(items):
    return [(item.label, item.value) for item in items]


@pytest.mark.django_db
def test_registrations_per_day_in_the_events_time_zone(counted):
    event, _people, _slots = counted
    days = dashboard.event_dashboard(event=event).registrations

    assert [(d.day, d.new, d.total) for d in days] == [
        (datetime.date(2027, 1, 1), 2, 2),
        (datetime.date(2027, 1, 2), 1, 3),
        (datetime.date(2027, 1, 4), 4, 7),
    ]


@pytest.mark.django_db
def test_participants_by_country_side_and_sector(counted):
    event, _people, _slots = counted
    figures = dashboard.event_dashboard(event=event)

    assert figures.participants == 6
    assert figures_of(figures.by_country) == [("China", 2), ("Norway", 2), ("Denmark", 1), ("Sweden", 1)]
    assert figures_of(figures.by_side) == [("Chinese side", 2), ("Nordic side", 4)]
    assert figures_of(figures.by_sector) == [("Water", 3), ("Energy", 2)]


@pytest.mark.django_db
def test_the_request_funnel(counted):
    event, _people, _slots = counted
    funnel = dashboard.event_dashboard(event=event).funnel

    assert (funnel.sent, funnel.accepted, funnel.declined, funnel.pending, funnel.cancelled) == (5, 2, 1, 2, 0)
    assert (funnel.meetings_scheduled, funnel.meetings_cancelled) == (3, 1)


@pytest.mark.django_db
def test_meetings_per_slot_and_who_has_none(counted):
    event, _people, slots = counted
    figures = dashboard.event_dashboard(event=event)

    assert [(s.starts_at, s.meetings, s.tables, s.percent) for s in figures.slots] == [
        (slots[0].starts_at, 2, 2, 100),
        (slots[1].starts_at, 1, 2, 50),
        (slots[2].starts_at, 0, 2, 0),
    ]
    assert [r.name for r in figures.without_meeting] == ["Eir", "Finn"]


@pytest.mark.django_db
def test_match_scores_of_meetings_against_all_matches_between_participants(counted):
    event, _people, _slots = counted
    figures = dashboard.event_dashboard(event=event)

    by_bucket = {b.label: (b.meetings, b.matches) for b in figures.scores if b.meetings or b.matches}
    assert len(figures.scores) == 10
    assert by_bucket == {"0.4–0.5": (1, 1), "0.8–0.9": (1, 1)}
    assert figures.meetings_without_match == 1


@pytest.mark.django_db
def test_demand_against_supply_by_sector(counted):
    event, _people, _slots = counted
    rows = dashboard.event_dashboard(event=event).demand_supply

    assert [(r.label, r.demands, r.suppliers) for r in rows] == [("Energy", 1, 2), ("Water", 1, 3)]


@pytest.mark.django_db
def test_the_headline_figures(counted):
    event, _people, _slots = counted

    assert dashboard.headline(event=event) == {"sent": 5, "accepted": 2, "meetings": 3, "without_meeting": 2}


@pytest.mark.django_db
def test_in_preferences_mode_the_funnel_counts_preferences(counted):
    event, people, _slots = counted
    event.matchmaking_mode = "preferences"
    event.save()
    prefer(people[0], people[1], MeetingPreference.Level.MUST)
    prefer(people[0], people[2], MeetingPreference.Level.WOULD_LIKE)
    prefer(people[3], people[2], MeetingPreference.Level.MUST)

    funnel = dashboard.event_dashboard(event=event).funnel

    assert (funnel.sent, funnel.preferences) == (3, {"must": 2, "would_like": 1})
    assert dashboard.headline(event=event) == {"sent": 3, "accepted": None, "meetings": 3, "without_meeting": 2}


@pytest.mark.django_db
def test_an_empty_event_has_empty_figures():
    event, _slots, _tables, _people = make_day(UserFactory(), slots=0, tables=0, people=0)
    figures = dashboard.event_dashboard(event=event)

    assert (figures.registrations, figures.participants, figures.by_sector, figures.slots) == ([], 0, [], [])
    assert [b.matches for b in figures.scores] == [0] * 10
    assert dashboard.headline(event=event) == {"sent": 0, "accepted": 0, "meetings": 0, "without_meeting": 0}
