"""The agenda page in two time zones, and its iCalendar export in UTC."""

import datetime
import zoneinfo

import pytest
from icalendar import Calendar

from events.models import Meeting
from tests.factories import (
    EventFactory,
    MeetingSlotFactory,
    MembershipFactory,
    OrganisationFactory,
    TableFactory,
    UserFactory,
    event_participant,
    meeting_create,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


@pytest.fixture
def event():
    return EventFactory(
        name="Stavanger B2B day",
        timezone="Europe/Oslo",
        venue="Stavanger Forum",
        city="Stavanger",
        starts_at=datetime.datetime(2030, 1, 15, 8, 0, tzinfo=OSLO),
        ends_at=datetime.datetime(2030, 1, 15, 17, 0, tzinfo=OSLO),
    )


@pytest.fixture
def meeting(event):
    """A winter meeting at 09:00 in Oslo (08:00 UTC, 16:00 in Shanghai), at table A3."""
    slot = MeetingSlotFactory(
        event=event,
        starts_at=datetime.datetime(2030, 1, 15, 9, 0, tzinfo=OSLO),
        ends_at=datetime.datetime(2030, 1, 15, 9, 25, tzinfo=OSLO),
    )
    nordic = event_participant(event=event, name="Ola Nordmann", organisation=OrganisationFactory(name="Corvus Energy"))
    chinese = event_participant(
        event=event, name="Li Na", organisation=OrganisationFactory(name="Qingdao Port", country="CN")
    )
    return meeting_create(slot=slot, first=nordic, second=chinese, table=TableFactory(event=event, name="A3"))


def parties(meeting):
    nordic = meeting.party_a if meeting.party_a.name == "Ola Nordmann" else meeting.party_b
    chinese = meeting.party_b if nordic == meeting.party_a else meeting.party_a
    return nordic, chinese


def agenda_url(meeting, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/events/{meeting.event_id}/agenda/" + (f"?{query}" if query else "")


def cells(response, css_class):
    html = response.content.decode()
    pieces = html.split(f'class="agenda-table__time {css_class}"')[1:]
    return [piece.split("</td>")[0] for piece in pieces]


@pytest.mark.django_db
def test_the_agenda_shows_the_event_zone_by_default(client, meeting):
    nordic, _chinese = parties(meeting)
    client.force_login(nordic.user)
    response = client.get(agenda_url(meeting))
    assert response.status_code == 200
    [event_time] = cells(response, "agenda-table__time--event")
    assert "09:00–09:25" in event_time
    assert cells(response, "agenda-table__time--viewer") == []
    content = response.content.decode()
    assert "Li Na" in content and "Qingdao Port" in content and "A3" in content


@pytest.mark.django_db
def test_a_viewer_in_shanghai_sees_16_00_beside_the_event_time(client, meeting):
    _nordic, chinese = parties(meeting)
    client.force_login(chinese.user)
    response = client.get(agenda_url(meeting, tz="Asia/Shanghai"))
    [mine] = cells(response, "agenda-table__time--viewer")
    [event_time] = cells(response, "agenda-table__time--event")
    assert "16:00–16:25" in mine
    assert "09:00–09:25" in event_time
    assert "Asia/Shanghai" in response.content.decode()
    assert "Ola Nordmann" in response.content.decode()
    # The choice is remembered in a cookie for the next visit.
    assert response.cookies["greenbridge_tz"].value == "Asia/Shanghai"
    again = client.get(agenda_url(meeting))
    assert "16:00–16:25" in cells(again, "agenda-table__time--viewer")[0]


@pytest.mark.django_db
def test_an_unknown_zone_falls_back_to_the_event_zone(client, meeting):
    nordic, _chinese = parties(meeting)
    client.force_login(nordic.user)
    response = client.get(agenda_url(meeting, tz="Mars/Olympus"))
    assert response.status_code == 200
    assert "greenbridge_tz" not in response.cookies
    assert cells(response, "agenda-table__time--viewer") == []
    assert "is not a known time zone" in response.content.decode()


@pytest.mark.django_db
def test_a_colleague_in_the_same_organisation_sees_the_meetings(client, meeting):
    nordic, _chinese = parties(meeting)
    colleague = UserFactory()
    MembershipFactory(user=colleague, organisation=nordic.organisation)
    client.force_login(colleague)
    response = client.get(agenda_url(meeting))
    assert response.status_code == 200
    assert "Li Na" in response.content.decode()
    assert "for your colleague Ola Nordmann" in response.content.decode()


@pytest.mark.django_db
def test_who_may_see_an_agenda(client, meeting):
    url = agenda_url(meeting)
    # A visitor is sent to the login page.
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    # A signed-in member of an organisation that takes no part is told why.
    outsider = UserFactory()
    MembershipFactory(user=outsider)
    client.force_login(outsider)
    response = client.get(url)
    assert response.status_code == 403
    assert "You are not registered for this event" in response.content.decode()
    response = client.get(f"/events/{meeting.event_id}/agenda.ics")
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_private_event_is_404_to_others(client, meeting):
    meeting.event.is_public = False
    meeting.event.save()
    client.force_login(UserFactory())
    assert client.get(agenda_url(meeting)).status_code == 404
    assert client.get(f"/events/{meeting.event_id}/agenda.ics").status_code == 404


@pytest.mark.django_db
def test_cancelled_meetings_are_not_on_the_agenda(client, meeting):
    nordic, _chinese = parties(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CANCELLED)
    client.force_login(nordic.user)
    response = client.get(agenda_url(meeting))
    assert "Li Na" not in response.content.decode()
    assert "No meeting is scheduled for you yet." in response.content.decode()


def _ics(client, meeting, user, tz):
    client.cookies["greenbridge_tz"] = tz
    client.force_login(user)
    response = client.get(f"/events/{meeting.event_id}/agenda.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == (
        f'attachment; filename="greenbridge-event-{meeting.event_id}-agenda.ics"'
    )
    calendar = Calendar.from_ical(response.content)
    return calendar.walk("VEVENT")


@pytest.mark.django_db
@pytest.mark.parametrize("viewer_tz", ["Europe/Oslo", "Asia/Shanghai"])
def test_the_ics_has_the_meeting_in_utc_whatever_the_viewer_zone(client, meeting, viewer_tz):
    nordic, chinese = parties(meeting)
    viewer = nordic if viewer_tz == "Europe/Oslo" else chinese
    [vevent] = _ics(client, meeting, viewer.user, viewer_tz)
    assert vevent.decoded("dtstart") == datetime.datetime(2030, 1, 15, 8, 0, tzinfo=datetime.UTC)
    assert vevent.decoded("dtend") == datetime.datetime(2030, 1, 15, 8, 25, tzinfo=datetime.UTC)
    assert vevent["dtstart"].to_ical() == b"20300115T080000Z"
    other = chinese if viewer is nordic else nordic
    assert str(vevent["summary"]) == f"Meeting: {other.name} ({other.organisation.name})"
    assert str(vevent["location"]) == "Stavanger Forum, Stavanger – Table A3"
    assert "url" not in vevent
    assert "Stavanger B2B day" in str(vevent["description"])


@pytest.mark.django_db
def test_the_ics_uid_is_stable_and_the_video_link_is_the_location(client, meeting):
    nordic, _chinese = parties(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(table=None, video_link="https://meet.example/room-7")
    [first] = _ics(client, meeting, nordic.user, "Europe/Oslo")
    [second] = _ics(client, meeting, nordic.user, "Europe/Oslo")
    assert str(first["uid"]) == str(second["uid"]) == f"meeting-{meeting.pk}@localhost"
    assert str(first["location"]) == "https://meet.example/room-7"
    assert str(first["url"]) == "https://meet.example/room-7"
