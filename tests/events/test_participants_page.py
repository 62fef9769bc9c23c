"""The participants page: scores both ways, suggestions, filters, preferences; per role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from companies.models import Sector
from events import selectors
from events.models import Event, MeetingPreference, Registration
from matchmaking.models import Match
from tests.events.support import member, text
from tests.factories import (
    DemandFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
    event_participant,
)

# --- Participants -------------------------------------------------------------------


def _people(event, count):
    for index in range(count):
        organisation = OrganisationFactory(country="CN" if index % 2 else "SE")
        organisation.sectors.set(Sector.objects.filter(slug__in=["energy.storage", "water.supply"]))
        viewer = event_participant(event=event, organisation=organisation)
        Match.objects.create(organisation=organisation, demand=DemandFactory(), score=0.5, published=True)
    return viewer


@pytest.mark.django_db
def test_the_participants_page_costs_the_same_for_2_and_20(client):
    counts = []
    for size in (2, 20):
        event = EventFactory()
        viewer = event_participant(event=event, country="CN")
        demand = DemandFactory(organisation=viewer.organisation)
        _people(event, size)
        for registration in Registration.objects.filter(event=event).exclude(pk=viewer.pk):
            Match.objects.create(organisation=registration.organisation, demand=demand, score=0.7, published=True)
        client.force_login(viewer.user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/events/{event.pk}/participants/")
        assert response.status_code == 200
        assert text(response).count('class="participant-card"') >= size
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.fixture
def market():
    """A Chinese buyer viewing a Norwegian battery maker (strong match), a Swedish water firm
    (weak match, via the buyer matching the Swede's demand) and another Chinese port."""
    event = EventFactory()
    buyer_org = OrganisationFactory(name="Shandong Port Group", country="CN")
    viewer = event_participant(event=event, organisation=buyer_org, name="Wang Wei")
    batteries = OrganisationFactory(name="Corvus Energy", country="NO")
    batteries.sectors.set([Sector.objects.get(slug="energy.storage")])
    water = OrganisationFactory(name="Xylem Sweden", country="SE")
    water.sectors.set([Sector.objects.get(slug="water.supply")])
    port = OrganisationFactory(name="Qingdao Port", country="CN")
    people = {
        "corvus": event_participant(event=event, organisation=batteries, name="Ola"),
        "xylem": event_participant(event=event, organisation=water, name="Sven"),
        "qingdao": event_participant(event=event, organisation=port, name="Li"),
    }
    event_participant(event=event, name="Not yet approved", status="pending")
    Match.objects.create(
        organisation=batteries, demand=DemandFactory(organisation=buyer_org), score=0.91, published=True
    )
    Match.objects.create(organisation=buyer_org, demand=DemandFactory(organisation=water), score=0.42, published=True)
    Match.objects.create(organisation=port, demand=DemandFactory(organisation=buyer_org), score=0.99, published=False)
    return event, viewer, people


@pytest.mark.django_db
def test_participants_show_scores_both_ways_and_suggestions_first(client, market):
    event, viewer, people = market
    client.force_login(viewer.user)
    html = text(client.get(f"/events/{event.pk}/participants/"))
    assert "Not yet approved" not in html
    assert "Wang Wei" not in html  # not oneself
    suggested, everyone = html.split('id="suggested-title"')[1].split('id="all-participants-title"')
    assert suggested.index("Corvus Energy") < suggested.index("Xylem Sweden")
    assert "91%" in suggested and "42%" in suggested
    assert "Qingdao Port" not in suggested  # its match is not published
    assert "3 participants" in everyone


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sector=energy", {"Ola"}),  # a group selects its leaves
        ("sector=water.supply", {"Sven"}),
        ("country=SE", {"Sven"}),
        ("side=cn", {"Li"}),
        ("side=nordic", {"Ola", "Sven"}),
        ("side=nordic&country=NO", {"Ola"}),
    ],
)
def test_participant_filters(client, market, query, expected):
    event, viewer, _people = market
    client.force_login(viewer.user)
    response = client.get(f"/events/{event.pk}/participants/?{query}", HTTP_HX_REQUEST="true")
    html = text(response)
    assert "<html" not in html  # HTMX gets the results only
    shown = {name for name in ("Ola", "Sven", "Li") if f'participant-card__name">{name}<' in html}
    assert shown == expected
    # Without JavaScript the same URL renders the whole page.
    full = text(client.get(f"/events/{event.pk}/participants/?{query}"))
    assert "<html" in full
    assert {name for name in ("Ola", "Sven", "Li") if f'participant-card__name">{name}<' in full} == expected


@pytest.mark.django_db
def test_participants_page_per_role(client, market):
    event, _viewer, people = market
    url = f"/events/{event.pk}/participants/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    client.force_login(member())
    response = client.get(url)
    assert response.status_code == 403
    assert "You are not registered for this event" in text(response)
    organiser = UserFactory()
    event.organisers.add(organiser)
    client.force_login(organiser)
    assert client.get(url).status_code == 403
    client.force_login(people["qingdao"].user)
    assert client.get(url).status_code == 200


# --- Preferences --------------------------------------------------------------------


@pytest.mark.django_db
def test_preferences_are_stored_and_cleared_with_htmx(client, market):
    event, viewer, people = market
    event.matchmaking_mode = Event.MatchmakingMode.PREFERENCES
    event.save()
    target = people["corvus"]
    url = f"/events/{event.pk}/participants/{target.pk}/preference/"
    client.force_login(viewer.user)
    page = text(client.get(f"/events/{event.pk}/participants/"))
    assert "Must meet" in page and "Ask for a meeting" not in page

    response = client.post(url, {"level": "must"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert text(response).lstrip().startswith("<li")
    assert 'aria-pressed="true"' in text(response)
    assert MeetingPreference.objects.get(registration=viewer, target=target).level == "must"

    client.post(url, {"level": "no"})
    assert MeetingPreference.objects.get(registration=viewer, target=target).level == "no"
    client.post(url, {"level": ""})
    assert not MeetingPreference.objects.exists()

    response = client.post(url, {"level": "maybe"}, follow=True)
    assert "Choose must meet, would like to meet or no meeting." in text(response)


@pytest.mark.django_db
def test_preferences_are_refused_in_requests_mode_and_for_oneself(client, market):
    event, viewer, people = market
    client.force_login(viewer.user)
    response = client.post(
        f"/events/{event.pk}/participants/{people['corvus'].pk}/preference/", {"level": "must"}, follow=True
    )
    assert "does not use meeting preferences" in text(response)
    event.matchmaking_mode = Event.MatchmakingMode.PREFERENCES
    event.save()
    client.post(f"/events/{event.pk}/participants/{viewer.pk}/preference/", {"level": "must"})
    assert not MeetingPreference.objects.exists()


@pytest.mark.django_db
def test_match_scores_selector_takes_the_best_of_both_directions(market):
    _event, viewer, people = market
    scores = selectors.match_scores(
        organisation=viewer.organisation, others={r.organisation_id for r in people.values()}
    )
    assert scores == {people["corvus"].organisation_id: 0.91, people["xylem"].organisation_id: 0.42}
