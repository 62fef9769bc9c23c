"""The event list pages cost a fixed number of queries: the same for one item as for three.

Each page is loaded once with one item and once with three; both loads run exactly the
pinned number of queries (the session and the user included), so a query per row shows.
"""

import datetime

import pytest

from tests.events.support import make_day
from tests.factories import (
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    RegistrationFactory,
    UserFactory,
    event_participant,
    meeting_create,
)

# Pinned: the session and the user are 2 of each.
QUERIES = {"list": 5, "participants": 11, "agenda": 8, "registrations": 11, "grid": 17}


def load(client, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("items", [1, 3])
def test_the_event_list(client, django_assert_num_queries, items):
    member = MembershipFactory().user
    organisation = member.memberships.get().organisation
    for i in range(items):
        EventFactory(organising_organisation=OrganisationFactory(), name=f"Public day {i}")
        EventFactory(is_public=False, organising_organisation=organisation, name=f"Own day {i}")
    EventFactory(starts_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
                 ends_at=datetime.datetime(2020, 1, 1, 8, tzinfo=datetime.UTC))  # fmt: skip
    client.force_login(member)

    response = load(client, django_assert_num_queries, "/events/", QUERIES["list"])

    assert response.content.decode().count("Own day") == items


@pytest.mark.django_db
@pytest.mark.parametrize("items", [1, 3])
def test_an_events_participants(client, django_assert_num_queries, items):
    event = EventFactory()
    viewer = event_participant(event=event)
    for _ in range(items):
        event_participant(event=event)
    client.force_login(viewer.user)

    response = load(client, django_assert_num_queries, f"/events/{event.pk}/participants/", QUERIES["participants"])

    assert len(response.context["rows"]) == items


@pytest.mark.django_db
@pytest.mark.parametrize("items", [1, 3])
def test_the_agenda(client, django_assert_num_queries, items):
    organiser = UserFactory()
    event, slots, tables, people = make_day(organiser, slots=3, tables=1, people=4)
    viewer = event_participant(event=event)
    for i in range(items):
        meeting_create(slot=slots[i], first=viewer, second=people[i], table=tables[0])
    client.force_login(viewer.user)

    response = load(client, django_assert_num_queries, f"/events/{event.pk}/agenda/", QUERIES["agenda"])

    assert len(response.context["items"]) == items


@pytest.mark.django_db
@pytest.mark.parametrize("items", [1, 3])
def test_the_organisers_registrations(client, django_assert_num_queries, items):
    organiser = UserFactory()
    event = EventFactory()
    event.organisers.add(organiser)
    for _ in range(items):
        event_participant(event=event)
    RegistrationFactory(event=event, status="pending")
    client.force_login(organiser)

    response = load(client, django_assert_num_queries, f"/events/{event.pk}/organise/", QUERIES["registrations"])

    assert len(response.context["registrations"]) == items + 1


@pytest.mark.django_db
@pytest.mark.parametrize("items", [1, 3])
def test_the_schedule_grid(client, django_assert_num_queries, items):
    organiser = UserFactory()
    event, slots, tables, people = make_day(organiser, slots=3, tables=2, people=6)
    for i in range(items):
        meeting_create(slot=slots[i], first=people[2 * i], second=people[2 * i + 1], table=tables[i % 2])
    client.force_login(organiser)

    response = load(client, django_assert_num_queries, f"/events/{event.pk}/organise/schedule/", QUERIES["grid"])

    assert response.context["meeting_count"] == items
