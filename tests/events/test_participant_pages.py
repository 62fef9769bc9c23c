"""Event list and page, registration, availability: per role.  The participants page is in
``test_participants_page.py``."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from events.models import Availability, Registration
from tests.events.support import member, text
from tests.factories import (
    EventFactory,
    MeetingSlotFactory,
    OrganisationFactory,
    UserFactory,
    event_participant,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


# --- The list and the event page ----------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_visible_events_upcoming_first(client):
    now = timezone.now()
    past = EventFactory(name="Last year roadshow", starts_at=now - datetime.timedelta(days=300))
    past.ends_at = past.starts_at + datetime.timedelta(hours=5)
    past.save()
    later = EventFactory(name="Autumn B2B day", starts_at=now + datetime.timedelta(days=90))
    soon = EventFactory(name="Spring B2B day", starts_at=now + datetime.timedelta(days=10))
    private = EventFactory(name="Closed round table", is_public=False)

    html = text(client.get("/events/"))
    assert html.index(soon.name) < html.index(later.name) < html.index("Past events") < html.index(past.name)
    assert private.name not in html

    participant = event_participant(event=private)
    client.force_login(participant.user)
    assert private.name in text(client.get("/events/"))


@pytest.mark.django_db
def test_a_private_event_is_404_to_others_and_visible_to_its_people(client):
    event = EventFactory(is_public=False)
    url = f"/events/{event.pk}/"
    assert client.get(url).status_code == 404
    client.force_login(member())
    assert client.get(url).status_code == 404
    for path in ("participants/", "meetings/", "availability/", "agenda/", "agenda.ics"):
        assert client.get(url + path).status_code == 404
    organiser = UserFactory()
    event.organisers.add(organiser)
    client.force_login(organiser)
    assert client.get(url).status_code == 200
    participant = event_participant(event=event)
    colleague = member(participant.organisation)
    client.force_login(colleague)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_event_page_shows_the_slots_in_the_event_zone(client):
    event = EventFactory(
        venue="Stavanger Forum",
        city="Stavanger",
        timezone="Europe/Oslo",
        starts_at=datetime.datetime(2030, 1, 15, 8, 0, tzinfo=OSLO),
        ends_at=datetime.datetime(2030, 1, 15, 17, 0, tzinfo=OSLO),
    )
    MeetingSlotFactory(
        event=event,
        starts_at=datetime.datetime(2030, 1, 15, 8, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2030, 1, 15, 8, 25, tzinfo=datetime.UTC),
    )
    MeetingSlotFactory(
        event=event,
        is_break=True,
        starts_at=datetime.datetime(2030, 1, 15, 11, 0, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2030, 1, 15, 12, 0, tzinfo=datetime.UTC),
    )
    html = text(client.get(f"/events/{event.pk}/"))
    assert "09:00–09:25" in html
    assert "12:00–13:00" in html and "Break" in html
    assert "Stavanger Forum" in html and "Europe/Oslo" in html
    assert "Log in to register" in html


# --- Registration -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_registers_pending_in_the_ui_language(client):
    event = EventFactory()
    organisation = OrganisationFactory(name="Corvus Energy")
    user = member(organisation)
    client.force_login(user)
    client.cookies["greenbridge_language"] = "zh-hans"
    page = client.get(f"/events/{event.pk}/")
    assert f'value="{user.email}"' in text(page)
    assert '<option value="zh-hans" selected>' in text(page)

    response = client.post(
        f"/events/{event.pk}/",
        {"organisation": organisation.pk, "name": "Ola Nordmann", "email": user.email, "language": "zh-hans"},
        follow=True,
    )
    registration = Registration.objects.get(event=event)
    assert (registration.user, registration.organisation, registration.name) == (user, organisation, "Ola Nordmann")
    assert registration.status == Registration.Status.PENDING
    assert registration.language == "zh-hans"
    assert registration.get_status_display() in text(response)


@pytest.mark.django_db
def test_one_may_register_only_for_ones_own_organisation(client):
    event = EventFactory()
    user = member()
    client.force_login(user)
    stranger = OrganisationFactory()
    response = client.post(
        f"/events/{event.pk}/", {"organisation": stranger.pk, "name": "X", "email": user.email, "language": "en"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_a_user_without_an_organisation_is_told_to_add_one(client):
    event = EventFactory()
    client.force_login(UserFactory())
    assert "Add yours, or ask to join it, first." in text(client.get(f"/events/{event.pk}/"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (datetime.timedelta(days=2), datetime.timedelta(days=5), "Registration opens on"),
        (datetime.timedelta(days=-5), datetime.timedelta(days=-1), "Registration for this event is closed."),
    ],
)
def test_registration_only_inside_the_window(client, opens, closes, message):
    now = timezone.now()
    event = EventFactory(registration_opens_at=now + opens, registration_closes_at=now + closes)
    organisation = OrganisationFactory()
    user = member(organisation)
    client.force_login(user)
    assert message in text(client.get(f"/events/{event.pk}/"))
    response = client.post(
        f"/events/{event.pk}/",
        {"organisation": organisation.pk, "name": "Late", "email": user.email, "language": "en"},
        follow=True,
    )
    assert "You cannot register for this event now." in text(response)
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_the_service_enforces_the_window_too():
    from django.core.exceptions import ValidationError

    from events.services import participation

    event = EventFactory(registration_closes_at=timezone.now() - datetime.timedelta(hours=1))
    organisation = OrganisationFactory()
    user = member(organisation)
    with pytest.raises(ValidationError, match="closed"):
        participation.register(
            user=user, event=event, organisation=organisation, name="A", email=user.email, language="en"
        )


@pytest.mark.django_db
def test_a_visitor_posting_is_sent_to_login(client):
    event = EventFactory()
    response = client.post(f"/events/{event.pk}/", {"name": "X"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Availability -------------------------------------------------------------------


@pytest.fixture
def day():
    event = EventFactory()
    slots = MeetingSlotFactory.create_batch(3, event=event)
    lunch = MeetingSlotFactory(event=event, is_break=True)
    return event, slots, lunch


@pytest.mark.django_db
def test_availability_defaults_to_all_and_is_saved(client, day):
    event, slots, lunch = day
    participant = event_participant(event=event)
    client.force_login(participant.user)
    html = text(client.get(f"/events/{event.pk}/availability/"))
    assert html.count('name="slots"') == 3
    assert html.count(" checked") == 3
    assert f'value="{lunch.pk}"' not in html

    response = client.post(f"/events/{event.pk}/availability/", {"slots": [slots[0].pk, slots[2].pk]}, follow=True)
    assert "Your availability is saved." in text(response)
    stored = dict(Availability.objects.filter(registration=participant).values_list("slot_id", "available"))
    assert stored == {slots[0].pk: True, slots[1].pk: False, slots[2].pk: True}
    assert text(response).count(" checked") == 2


@pytest.mark.django_db
def test_availability_refuses_a_break_or_a_foreign_slot(client, day):
    event, slots, lunch = day
    participant = event_participant(event=event)
    client.force_login(participant.user)
    response = client.post(f"/events/{event.pk}/availability/", {"slots": [lunch.pk]})
    assert "not meeting slots of this event" in text(response)
    assert not Availability.objects.exists()


@pytest.mark.django_db
def test_availability_is_for_approved_participants(client, day):
    event, _slots, _lunch = day
    url = f"/events/{event.pk}/availability/"
    assert client.get(url)["Location"].startswith("/accounts/login/")
    pending = event_participant(event=event, status="pending")
    client.force_login(pending.user)
    response = client.get(url)
    assert response.status_code == 403
    assert "waiting for the organisers' approval" in text(response)
