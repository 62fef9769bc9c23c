"""A B2B day from a meeting request to the calendar file, in a real browser.

Two participants of a B2B day in Europe/Oslo (requests mode) ask and accept; the organiser runs
the scheduler on a real Celery worker and watches the progress bar; both find the meeting on
their agenda, in the event's zone and in the zone a viewer chose (Asia/Shanghai), and the
agenda's .ics carries the slot's start in UTC whatever the viewer's zone.
"""

import datetime
import functools
import re
import zoneinfo

import pytest
from allauth.account.models import EmailAddress
from icalendar import Calendar

from events.models import Availability, Meeting, MeetingRequest, SchedulingRun
from events.services import scheduler_runs
from tests.factories import (
    EventFactory,
    MeetingSlotFactory,
    OrganisationFactory,
    TableFactory,
    UserFactory,
    event_participant,
)

PASSWORD = "correct horse battery staple"
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
SOLVER_SECONDS = 2  # the run's own time limit (run.summary["time_limit"]), read by the worker

pytestmark = [
    pytest.mark.worker,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def new_page(browser, live_server, reference_data):
    """Open a page in a fresh browser context (its own cookies: one person each)."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def submit(page):
    """Press the page's own submit button (the header holds the language switcher's buttons too)."""
    page.locator("main form button[type=submit]").last.click()


def log_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    submit(page)
    page.wait_for_url(re.compile(r"/me/$"))


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def vevents(page, event):
    """The VEVENTs of the agenda.ics the page's user downloads (with the browser context's cookies)."""
    response = page.request.get(f"/events/{event.pk}/agenda.ics")
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar")
    return Calendar.from_ical(response.body()).walk("VEVENT")


def test_two_participants_ask_accept_get_scheduled_by_a_real_worker_and_find_the_meeting_in_their_zones(
    new_page, celery_worker, monkeypatch, screenshot
):
    year = datetime.date.today().year + 1  # a January day always in the future: Oslo is UTC+1 then
    day = datetime.date(year, 1, 14)

    def oslo(hour, minute=0):
        return datetime.datetime.combine(day, datetime.time(hour), tzinfo=OSLO) + datetime.timedelta(minutes=minute)

    now = datetime.datetime.now(datetime.UTC)
    event = EventFactory(
        name="Oslo Water B2B Day",
        timezone="Europe/Oslo",
        matchmaking_mode="requests",
        starts_at=oslo(8),
        ends_at=oslo(17),
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=20),
    )
    organiser = verified(UserFactory(email="organiser@greenbridge.example"))
    event.organisers.add(organiser)
    slots = [MeetingSlotFactory(event=event, starts_at=oslo(9, 30 * i), ends_at=oslo(9, 30 * i + 25)) for i in range(3)]
    TableFactory(event=event, name="Table 1")
    TableFactory(event=event, name="Table 2")
    ingrid = event_participant(
        event=event, name="Ingrid Berg", organisation=OrganisationFactory(name="Fjord Water AS", country="NO")
    )
    li = event_participant(
        event=event, name="Li Wei", organisation=OrganisationFactory(name="Beijing Drainage Group", country="CN")
    )
    verified(ingrid.user)
    verified(li.user)
    # Ingrid can meet only at 09:00 (Oslo), so the scheduler has one place for the meeting.
    for slot in slots[1:]:
        Availability.objects.create(registration=ingrid, slot=slot, available=False)
    first = slots[0]
    assert first.starts_at.astimezone(datetime.UTC) == datetime.datetime(year, 1, 14, 8, 0, tzinfo=datetime.UTC)
    # The scheduler page queues a run with the default time limit (SCHEDULER_TIME_LIMIT, 30 s, in the
    # worker's settings); the run's own limit is the knob that reaches the worker process.
    monkeypatch.setattr(
        scheduler_runs,
        "scheduling_run_start",
        functools.partial(scheduler_runs.scheduling_run_start, time_limit=SOLVER_SECONDS),
    )

    # A finds B among the participants and asks for a meeting, with a message.
    page_a = new_page()
    log_in(page_a, ingrid.user)
    page_a.goto(f"/events/{event.pk}/participants/")
    card = page_a.locator(f"#participant-{li.pk}")
    assert "Beijing Drainage Group" in card.inner_text()
    card.get_by_text("Ask for a meeting").click()
    card.get_by_label("Message").fill("Sludge hydrolysis for Gaobeidian: shall we talk?")
    card.get_by_role("button", name="Send request").click()  # HTMX swaps the card in place
    page_a.locator(f"#participant-{li.pk}").get_by_text("Request sent, waiting for an answer").wait_for()
    screenshot(page_a, "events-journey-request-sent")
    meeting_request = MeetingRequest.objects.get(event=event, requester=ingrid, recipient=li)
    assert (meeting_request.status, meeting_request.message) == (
        "requested",
        "Sludge hydrolysis for Gaobeidian: shall we talk?",
    )

    # B, in a browser of their own, accepts it on the meetings page.
    page_b = new_page()
    log_in(page_b, li.user)
    page_b.goto(f"/events/{event.pk}/meetings/")
    row = page_b.locator(f"#request-{meeting_request.pk}")
    assert "Ingrid Berg" in row.inner_text()
    assert "Sludge hydrolysis for Gaobeidian" in row.inner_text()
    row.get_by_role("button", name="Accept").click()
    page_b.locator(f"#request-{meeting_request.pk}").get_by_text("Accepted").wait_for()
    screenshot(page_b, "events-journey-accepted")
    meeting_request.refresh_from_db()
    assert meeting_request.status == "accepted"

    # The organiser starts the scheduler and watches the live progress bar reach "done".
    page_o = new_page()
    log_in(page_o, organiser)
    page_o.goto(f"/events/{event.pk}/organise/scheduler/")
    page_o.get_by_role("button", name="Start the scheduler").click()
    page_o.wait_for_url(re.compile(rf"/events/{event.pk}/organise/scheduler/runs/\d+/$"))
    run = SchedulingRun.objects.get(event=event)
    assert run.summary["time_limit"] == SOLVER_SECONDS
    page_o.locator("#run-progress.run-progress--done").wait_for(timeout=60_000)  # HTMX polls every second
    progress = page_o.locator("#run-progress")
    assert page_o.locator("#run-progress-bar").get_attribute("value") == "100"
    assert "1 meeting placed" in progress.inner_text()
    screenshot(page_o, "events-journey-run-done")
    run.refresh_from_db()
    assert (run.status, run.meetings, run.error) == ("done", 1, "")
    meeting = Meeting.objects.get(event=event, status="scheduled")
    assert (meeting.slot_id, {meeting.party_a_id, meeting.party_b_id}) == (first.pk, {ingrid.pk, li.pk})

    progress.get_by_role("link", name="See the schedule").click()
    page_o.wait_for_url(re.compile(rf"/events/{event.pk}/organise/schedule/$"))
    grid_row = page_o.locator(f"#slot-{first.pk}")
    assert "09:00–09:25" in grid_row.inner_text()
    assert "Ingrid Berg" in grid_row.inner_text() and "Li Wei" in grid_row.inner_text()
    screenshot(page_o, "events-journey-grid")

    # A's agenda, in the event's zone: Li Wei at 09:00–09:25; the .ics says 08:00 UTC.
    page_a.goto(f"/events/{event.pk}/agenda/")
    agenda = page_a.locator("table.agenda-table tbody")
    assert agenda.locator("tr").count() == 1
    assert page_a.locator("td.agenda-table__time--viewer").count() == 0  # one zone: the event's
    assert "Li Wei" in agenda.inner_text()
    assert "09:00–09:25" in agenda.locator("td.agenda-table__time--event").inner_text()
    screenshot(page_a, "events-journey-agenda-oslo")
    (vevent,) = vevents(page_a, event)
    assert vevent.decoded("dtstart").astimezone(datetime.UTC) == datetime.datetime(
        year, 1, 14, 8, 0, tzinfo=datetime.UTC
    )
    assert vevent.decoded("dtend").astimezone(datetime.UTC) == datetime.datetime(
        year, 1, 14, 8, 25, tzinfo=datetime.UTC
    )
    assert "Li Wei" in str(vevent["summary"])

    # B chooses Asia/Shanghai on the agenda page: their time 16:00, event time 09:00; the .ics is unchanged.
    page_b.goto(f"/events/{event.pk}/agenda/")
    page_b.locator("#tz-select").select_option("Asia/Shanghai")  # the form submits itself on change
    page_b.wait_for_url(re.compile(r"tz=Asia%2FShanghai"))
    agenda = page_b.locator("table.agenda-table tbody")
    assert "Ingrid Berg" in agenda.inner_text()
    assert "16:00–16:25" in agenda.locator("td.agenda-table__time--viewer").inner_text()
    assert "09:00–09:25" in agenda.locator("td.agenda-table__time--event").inner_text()
    screenshot(page_b, "events-journey-agenda-shanghai")
    page_b.goto(f"/events/{event.pk}/agenda/")  # the choice is remembered
    assert "16:00–16:25" in page_b.locator("td.agenda-table__time--viewer").inner_text()
    (vevent,) = vevents(page_b, event)
    assert vevent.decoded("dtstart").astimezone(datetime.UTC) == datetime.datetime(
        year, 1, 14, 8, 0, tzinfo=datetime.UTC
    )
    assert "Ingrid Berg" in str(vevent["summary"])
