"""A delegation's itinerary: events of the portal and other items, entered and shown in the destination's zone."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from delegations.models import ItineraryItem
from tests.factories import DelegationFactory, EventFactory, UserFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ITEM = {
    "kind": "visit",
    "title": "Gaobeidian water reclamation plant",
    "starts_at": "2027-02-16T09:30",
    "ends_at": "2027-02-16T11:00",
    "place": "Chaoyang district, Beijing",
    "note": "Bus from the hotel at 08:45.",
}


@pytest.fixture
def delegation(db):
    delegation = DelegationFactory(origin_country="DK", destination_country="CN", timezone="Asia/Shanghai")
    organiser = UserFactory()
    delegation.organisers.add(organiser)
    delegation.organiser = organiser
    return delegation


@pytest.mark.django_db
def test_an_item_is_entered_in_the_destination_zone_and_listed_with_events_in_order(client, delegation):
    event = EventFactory(
        name="Beijing water roundtable",
        starts_at=datetime.datetime(2027, 2, 16, 14, 0, tzinfo=SHANGHAI),
        ends_at=datetime.datetime(2027, 2, 16, 17, 0, tzinfo=SHANGHAI),
    )
    client.force_login(delegation.organiser)

    assert client.post(reverse("delegations:itinerary_item_add", args=[delegation.pk]), ITEM).status_code == 302
    dinner = {**ITEM, "kind": "meal", "title": "Dinner with Beijing Drainage Group", "starts_at": "2027-02-16T19:00"}
    dinner["ends_at"] = ""
    assert client.post(reverse("delegations:itinerary_item_add", args=[delegation.pk]), dinner).status_code == 302
    response = client.post(reverse("delegations:itinerary_event_add", args=[delegation.pk]), {"event": event.pk})
    assert response.status_code == 302

    visit = ItineraryItem.objects.get(kind="visit")
    assert visit.starts_at == datetime.datetime(2027, 2, 16, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Beijing
    page = client.get(reverse("delegations:detail", args=[delegation.pk])).content.decode()
    titles = ["Gaobeidian water reclamation plant", "Beijing water roundtable", "Dinner with Beijing Drainage Group"]
    assert [page.index(title) for title in titles] == sorted(page.index(title) for title in titles)
    # Beside Beijing time, the time at home (Copenhagen, the origin): 09:30 in Beijing is 02:30 there.
    assert "09:30" in page and "Tue 02:30 Europe/Copenhagen" in page


@pytest.mark.django_db
def test_the_viewer_may_choose_the_second_zone(client, delegation):
    ItineraryItem.objects.create(
        delegation=delegation, title="Visit", starts_at=datetime.datetime(2027, 2, 16, 9, 30, tzinfo=SHANGHAI)
    )
    page = client.get(reverse("delegations:detail", args=[delegation.pk]), {"tz": "Europe/Helsinki"})
    assert "Tue 03:30 Europe/Helsinki" in page.content.decode()
    page = client.get(reverse("delegations:detail", args=[delegation.pk]), {"tz": "Mars/Olympus"})
    assert "Europe/Copenhagen" in page.content.decode()


@pytest.mark.django_db
def test_a_bad_item_shows_its_error_and_writes_nothing(client, delegation):
    client.force_login(delegation.organiser)

    response = client.post(
        reverse("delegations:itinerary_item_add", args=[delegation.pk]), {**ITEM, "ends_at": "2027-02-16T08:00"}
    )

    assert response.status_code == 400
    assert "It must end after it starts." in response.content.decode()
    assert not ItineraryItem.objects.exists()


@pytest.mark.django_db
def test_only_organisers_change_the_itinerary(client, delegation):
    item = ItineraryItem.objects.create(
        delegation=delegation, title="Visit", starts_at=datetime.datetime(2027, 2, 16, 9, 30, tzinfo=SHANGHAI)
    )
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("delegations:itinerary", args=[delegation.pk])).status_code == 403
    assert client.post(reverse("delegations:itinerary_item_add", args=[delegation.pk]), ITEM).status_code == 403
    remove = reverse("delegations:itinerary_item_remove", args=[delegation.pk, item.pk])
    assert client.post(remove).status_code == 403
    assert ItineraryItem.objects.count() == 1

    client.force_login(delegation.organiser)
    assert client.post(remove).status_code == 302
    assert not ItineraryItem.objects.exists()


@pytest.mark.django_db
def test_a_private_event_the_organiser_cannot_see_cannot_be_added(client, delegation):
    hidden = EventFactory(is_public=False)
    client.force_login(delegation.organiser)

    response = client.post(reverse("delegations:itinerary_event_add", args=[delegation.pk]), {"event": hidden.pk})

    assert response.status_code == 400
    assert not delegation.events.exists()
