"""The organiser pages: who may open them, and what each form does through them."""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from events.models import Event, Meeting, MeetingSlot, Registration, SchedulingRun, Table
from tests.factories import (
    EventFactory,
    MeetingSlotFactory,
    MembershipFactory,
    RegistrationFactory,
    TableFactory,
    UserFactory,
    meeting_create,
)

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
PAGES = ["organise", "organise_edit", "organise_setup", "organise_scheduler", "organise_grid", "organise_export"]


@pytest.fixture
def day():
    organiser = UserFactory(email="organiser@example.org")
    start = datetime.datetime(2027, 1, 14, 9, 0, tzinfo=OSLO)
    event = EventFactory(starts_at=start - datetime.timedelta(hours=1), ends_at=start + datetime.timedelta(hours=8))
    event.organisers.add(organiser)
    slots = [
        MeetingSlotFactory(event=event, starts_at=start + datetime.timedelta(minutes=30 * i),
                           ends_at=start + datetime.timedelta(minutes=30 * i + 25))
        for i in range(3)
    ]  # fmt: skip
    tables = [TableFactory(event=event, name=f"Table {i + 1}", position=i + 1) for i in range(2)]
    people = [RegistrationFactory(event=event, name=name) for name in ("Ana", "Bo", "Cy")]
    return {"organiser": organiser, "event": event, "slots": slots, "tables": tables, "people": people}


def url(name, event, *args):
    return reverse(f"events:{name}", args=[event.pk, *args])


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_visitors_are_sent_to_log_in(client, day, page):
    response = client.get(url(page, day["event"]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_signed_in_users_and_participants_who_do_not_organise_get_403(client, day, page):
    participant = UserFactory()
    MembershipFactory(user=participant, organisation=day["people"][0].organisation, status="active")
    day["people"][0].user = participant
    day["people"][0].save()
    for user in (UserFactory(), participant):
        client.force_login(user)
        assert client.get(url(page, day["event"])).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_a_private_event_is_a_404_to_those_who_may_not_see_it(client, day, page):
    Event.objects.filter(pk=day["event"].pk).update(is_public=False)
    client.force_login(UserFactory())
    assert client.get(url(page, day["event"])).status_code == 404
    client.force_login(day["organiser"])
    assert client.get(url(page, day["event"])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("page", PAGES)
def test_organisers_and_superusers_open_every_page(client, day, page):
    for user in (day["organiser"], UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(user)
        assert client.get(url(page, day["event"])).status_code == 200


@pytest.mark.django_db
def test_posts_of_strangers_change_nothing(client, day):
    meeting = meeting_create(slot=day["slots"][0], first=day["people"][0], second=day["people"][1])
    client.force_login(UserFactory())
    assert client.post(url("organise_meeting_cancel", day["event"], meeting.pk)).status_code == 403
    assert client.post(url("organise_table_add", day["event"]), {"name": "X"}).status_code == 403
    assert Meeting.objects.get(pk=meeting.pk).status == "scheduled"
    assert not Table.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_creating_an_event_needs_the_permission_and_makes_the_creator_organiser(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("events:organise_create")).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="add_event"))

    response = client.post(
        reverse("events:organise_create"),
        {"name": "Shandong delegation meets Stavanger", "name_zh": "山东代表团", "kind": "b2b", "format": "hybrid",
         "venue": "Stavanger Forum", "city": "Stavanger", "country": "NO", "timezone": "Europe/Oslo",
         "starts_at": "2027-06-14T09:00", "ends_at": "2027-06-14T17:00", "matchmaking_mode": "preferences",
         "max_meetings_per_participant": "8", "suggest_pairs_from_matches": "on", "is_public": "on"},
    )  # fmt: skip

    event = Event.objects.get(name="Shandong delegation meets Stavanger")
    assert response.status_code == 302 and response["Location"] == url("organise", event)
    assert list(event.organisers.all()) == [user]
    assert event.starts_at == datetime.datetime(2027, 6, 14, 7, 0, tzinfo=datetime.UTC)  # 09:00 in Oslo, summer
    assert (event.matchmaking_mode, event.max_meetings_per_participant, event.suggest_pairs_from_matches) == (
        "preferences", 8, True,
    )  # fmt: skip


@pytest.mark.django_db
def test_the_edit_form_shows_and_keeps_times_in_the_events_zone(client, day):
    client.force_login(day["organiser"])
    page = client.get(url("organise_edit", day["event"])).content.decode()
    assert 'value="2027-01-14T08:00"' in page
    data = {"name": "Renamed", "kind": "b2b", "format": "in_person", "timezone": "Asia/Shanghai",
            "starts_at": "2027-01-14T08:00", "ends_at": "2027-01-14T07:00", "matchmaking_mode": "requests"}  # fmt: skip
    response = client.post(url("organise_edit", day["event"]), data)
    assert response.status_code == 200 and "The event must end after it starts." in response.content.decode()
    data["ends_at"] = "2027-01-14T18:00"
    assert client.post(url("organise_edit", day["event"]), data).status_code == 302
    event = Event.objects.get(pk=day["event"].pk)
    assert (event.name, event.starts_at) == ("Renamed", datetime.datetime(2027, 1, 14, 0, 0, tzinfo=datetime.UTC))


@pytest.mark.django_db
def test_approving_and_declining_registrations(client, day):
    waiting = RegistrationFactory(event=day["event"], status="pending", name="Di")
    client.force_login(day["organiser"])
    assert "Di" in client.get(url("organise", day["event"])).content.decode()

    client.post(url("organise_registration_decide", day["event"], waiting.pk), {"decision": "approve"})
    assert Registration.objects.get(pk=waiting.pk).status == "approved"
    client.post(url("organise_registration_decide", day["event"], waiting.pk), {"decision": "decline"})
    assert Registration.objects.get(pk=waiting.pk).status == "declined"


@pytest.mark.django_db
def test_generating_slots_and_adding_and_removing_tables(client, day):
    client.force_login(day["organiser"])
    response = client.post(
        url("organise_slots_generate", day["event"]),
        {"day": "2027-01-14", "first_start": "13:00", "last_end": "16:00", "minutes": "20", "breaks": "14:00-14:20"},
    )
    assert response.status_code == 302
    noon = datetime.datetime(2027, 1, 14, 12, tzinfo=datetime.UTC)
    afternoon = MeetingSlot.objects.filter(event=day["event"], starts_at__gte=noon)
    assert (afternoon.filter(is_break=False).count(), afternoon.filter(is_break=True).count()) == (8, 1)

    bad = client.post(url("organise_slots_generate", day["event"]),
                      {"day": "2027-01-14", "first_start": "09:00", "last_end": "10:00", "minutes": "30",
                       "breaks": "lunch"})  # fmt: skip
    assert bad.status_code == 400 and "is not a break" in bad.content.decode()
    morning = {"day": "2027-01-14", "first_start": "09:00", "last_end": "10:00", "minutes": "30"}
    clash = client.post(url("organise_slots_generate", day["event"]), morning)
    assert clash.status_code == 400 and "overlap slots the event already has" in clash.content.decode()

    assert client.post(url("organise_table_add", day["event"]), {"name": "Room Fjord"}).status_code == 302
    duplicate = client.post(url("organise_table_add", day["event"]), {"name": "Room Fjord"})
    assert duplicate.status_code == 400 and "already has a table called" in duplicate.content.decode()
    table = Table.objects.get(name="Room Fjord")
    client.post(url("organise_table_remove", day["event"], table.pk))
    assert not Table.objects.filter(pk=table.pk).exists()
    client.post(url("organise_slot_remove", day["event"], day["slots"][0].pk))
    assert not MeetingSlot.objects.filter(pk=day["slots"][0].pk).exists()


@pytest.mark.django_db
def test_the_grid_shows_meetings_and_a_conflicting_move_is_refused_clearly(client, day):
    ana, bo, cy = day["people"]
    slots, tables = day["slots"], day["tables"]
    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    later = meeting_create(slot=slots[1], first=ana, second=cy, table=tables[0])
    client.force_login(day["organiser"])
    page = client.get(url("organise_grid", day["event"])).content.decode()
    assert "Ana" in page and "Cy" in page and "09:30–09:55" in page

    response = client.post(url("organise_meeting_move", day["event"], later.pk),
                           {"slot": slots[0].pk, "table": tables[1].pk})  # fmt: skip

    assert response.status_code == 409
    assert "Ana × Cy was not moved: Ana already has a meeting at 09:00." in response.content.decode()
    later.refresh_from_db()
    assert (later.slot, later.table, later.locked) == (slots[1], tables[0], False)


@pytest.mark.django_db
def test_move_lock_cancel_and_add_on_the_grid(client, day):
    ana, bo, cy = day["people"]
    slots, tables = day["slots"], day["tables"]
    meeting = meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0])
    client.force_login(day["organiser"])

    response = client.post(url("organise_meeting_move", day["event"], meeting.pk),
                           {"slot": slots[2].pk, "table": tables[1].pk})  # fmt: skip
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.slot, meeting.table, meeting.locked) == (slots[2], tables[1], True)

    client.post(url("organise_meeting_lock", day["event"], meeting.pk), {"locked": "0"})
    assert Meeting.objects.get(pk=meeting.pk).locked is False

    client.post(url("organise_meeting_cancel", day["event"], meeting.pk))
    assert Meeting.objects.get(pk=meeting.pk).status == "cancelled"

    response = client.post(url("organise_meeting_add", day["event"]),
                           {"first": ana.pk, "second": cy.pk, "slot": slots[0].pk, "table": tables[0].pk})  # fmt: skip
    assert response.status_code == 302
    added = Meeting.objects.get(event=day["event"], status="scheduled")
    assert (added.party_a, added.party_b, added.source, added.locked) == (ana, cy, "manual", True)
    again = client.post(url("organise_meeting_add", day["event"]),
                        {"first": cy.pk, "second": ana.pk, "slot": slots[1].pk, "table": tables[0].pk})  # fmt: skip
    assert again.status_code == 400 and "Ana and Cy already meet at 09:00." in again.content.decode()


@pytest.mark.django_db
def test_the_csv_export_is_a_download(client, day):
    ana, bo, _cy = day["people"]
    meeting_create(slot=day["slots"][0], first=ana, second=bo, table=day["tables"][0])
    client.force_login(day["organiser"])
    response = client.get(url("organise_export", day["event"]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[1].startswith("2027-01-14 09:00,09:25,Europe/Oslo,Table 1,Ana,")


@pytest.mark.django_db
def test_starting_the_scheduler_shows_a_progress_bar_that_polls_until_done(client, day):
    client.force_login(day["organiser"])
    response = client.post(url("organise_scheduler", day["event"]))
    run = SchedulingRun.objects.get(event=day["event"])
    assert response.status_code == 302 and response["Location"] == url("organise_run", day["event"], run.pk)
    assert (run.status, run.started_by) == ("queued", day["organiser"])

    again = client.post(url("organise_scheduler", day["event"]))
    assert again.status_code == 400 and "already running" in again.content.decode()

    fragment = client.get(url("organise_run", day["event"], run.pk), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<html" not in fragment

    SchedulingRun.objects.filter(pk=run.pk).update(
        status="done", progress=1.0, meetings=7, upper_bound=8,
        summary={"gap": 0.125, "greedy": {"meetings": 6, "weight": 6.0}, "start": {"meetings": 7, "weight": 7.0},
                 "final": {"meetings": 7, "weight": 7.5}, "participants_without_meeting": 1},
    )  # fmt: skip
    done = client.get(url("organise_run", day["event"], run.pk), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done
    assert "12.5 %" in done and "Greedy (for comparison)" in done and "7 meetings placed" in done
