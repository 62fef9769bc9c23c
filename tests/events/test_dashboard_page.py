"""The dashboard page: who may open it, its fixed query count, its charts and tables, in both languages."""

import pytest
from django.urls import reverse

from events.models import MeetingRequest
from matchmaking.models import Match
from tests.events.support import make_day, text
from tests.factories import (
    DemandFactory,
    MembershipFactory,
    RegistrationFactory,
    UserFactory,
    event_participant,
    meeting_create,
)

# Pinned: the session and the user (2), the event and its visibility and organiser checks (4), the figures (13).
QUERIES = 19


def dashboard_url(event):
    return reverse("events:organise_dashboard", args=[event.pk])


@pytest.fixture
def day(organiser):
    event, slots, tables, people = make_day(organiser, slots=2, tables=2, people=4)
    return event, slots, tables, people


@pytest.mark.django_db
def test_visitors_are_sent_to_log_in(client, day):
    response = client.get(dashboard_url(day[0]))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_participants_and_other_users_get_403(client, day):
    event, _slots, _tables, people = day
    participant = event_participant(event=event)
    for user in (participant.user, UserFactory()):
        client.force_login(user)
        assert client.get(dashboard_url(event)).status_code == 403


@pytest.mark.django_db
def test_a_private_event_is_a_404_to_those_who_may_not_see_it(client, day):
    event = day[0]
    event.is_public = False
    event.save()
    client.force_login(UserFactory())

    assert client.get(dashboard_url(event)).status_code == 404


@pytest.mark.django_db
def test_organisers_and_administrators_see_it(client, day, organiser):
    event = day[0]
    for user in (organiser, UserFactory(is_superuser=True)):
        client.force_login(user)
        response = client.get(dashboard_url(event))
        assert response.status_code == 200
        assert 'aria-current="page">Dashboard</a>' in text(response)


@pytest.mark.django_db
def test_every_chart_has_its_figures_in_a_table(client, day, organiser):
    event, slots, tables, people = day
    MeetingRequest.objects.create(event=event, requester=people[0], recipient=people[1], status="accepted")
    meeting_create(slot=slots[0], first=people[0], second=people[1], table=tables[0])
    client.force_login(organiser)

    page = text(client.get(dashboard_url(event)))

    # The step chart and four bar charts; sectors, match scores and supply have no figures yet.
    assert page.count("<svg class=") == 5
    assert page.count("<summary>Show the figures</summary>") == 5
    assert page.count("No figures yet.") == 3
    assert "css/dashboard.css" in page
    assert "<script" not in page.split("<main", 1)[1]
    assert "Cy</td>" in page and "Di</td>" in page and "Ana</td>" not in page  # without a meeting
    assert reverse("events:organise_reminders", args=[event.pk]) in page


def populate(event, slots, tables, organiser, size):
    """``size`` more participants, half on each side, with requests, meetings, demands and matches."""
    people = [event_participant(event=event, country="CN" if i % 2 else "NO") for i in range(size)]
    for i in range(0, size - 1, 2):
        first, second = people[i], people[i + 1]
        MeetingRequest.objects.create(event=event, requester=first, recipient=second, status="accepted")
        demand = DemandFactory(organisation=second.organisation)
        Match.objects.create(organisation=first.organisation, demand=demand, score=0.1 * (i % 10), published=True)
        if i < 2 * len(tables):
            meeting_create(slot=slots[0], first=first, second=second, table=tables[i // 2])
    RegistrationFactory(event=event, status="pending")


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_participants(client, django_assert_num_queries, organiser, size):
    event, slots, tables, _people = make_day(organiser, slots=3, tables=3, people=0)
    populate(event, slots, tables, organiser, size)
    client.force_login(organiser)

    with django_assert_num_queries(QUERIES):
        response = client.get(dashboard_url(event))

    assert response.status_code == 200
    assert response.context["figures"].participants == size


@pytest.mark.django_db
def test_the_page_renders_in_chinese(client, day, organiser):
    event, slots, tables, people = day
    people[0].organisation.country = "CN"
    people[0].organisation.save()
    meeting_create(slot=slots[0], first=people[0], second=people[1], table=tables[0])
    client.force_login(organiser)
    client.cookies["greenbridge_language"] = "zh-hans"

    response = client.get(dashboard_url(event))

    assert response.status_code == 200
    assert '<html lang="zh-hans">' in text(response)
    assert '<svg class="bar-chart"' in text(response)


@pytest.mark.django_db
def test_the_landing_page_shows_the_funnels_headline(client, day, organiser):
    event, slots, tables, people = day
    MeetingRequest.objects.create(event=event, requester=people[0], recipient=people[1], status="accepted")
    MeetingRequest.objects.create(event=event, requester=people[2], recipient=people[1])
    meeting_create(slot=slots[0], first=people[0], second=people[1], table=tables[0])
    MembershipFactory(user=organiser)
    client.force_login(organiser)

    response = client.get(reverse("events:organise", args=[event.pk]))

    assert response.context["headline"] == {"sent": 2, "accepted": 1, "meetings": 1, "without_meeting": 2}
    assert dashboard_url(event) in text(response)
