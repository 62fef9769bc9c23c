"""The organisers' exports (``events.exports.sheets`` and ``writers``, through their pages): each
.xlsx reopens with openpyxl, CSV parses with the csv module, Chinese text and the event's wall
clock survive, only organisers download, and the query count does not grow with the rows."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from companies.models import Sector
from events.models import Event, MeetingRequest, Registration
from matchmaking.models import Match
from tests.events.support import OSLO, make_day
from tests.factories import (
    DemandFactory,
    MembershipFactory,
    OrganisationFactory,
    RegistrationFactory,
    UserFactory,
    meeting_create,
)

KINDS = ["participants", "requests", "schedule", "matches"]
HEADERS = {
    "participants": ["Organisation", "Organisation (Chinese)", "Country", "Sectors", "Side", "Status", "Participant",
                     "E-mail", "Registered (Europe/Oslo)"],
    "requests": ["Requested by", "Requester's organisation", "Requested of", "Recipient's organisation", "Status",
                 "Sent (Europe/Oslo)", "Answered (Europe/Oslo)"],
    "schedule": ["Starts (Europe/Oslo)", "Ends (Europe/Oslo)", "Table", "Participant A", "Organisation A",
                 "Participant B", "Organisation B", "Status", "Locked", "Source"],
    "matches": ["Demand", "Demand's owner", "Organisation", "Score", "Rank"],
}  # fmt: skip
WIDTHS = {
    "participants": [32, 24, 18, 40, 14, 20, 26, 32, 22],
    "requests": [26, 32, 26, 32, 14, 22, 22],
    "schedule": [22, 22, 16, 26, 32, 26, 32, 14, 10, 26],
    "matches": [40, 32, 32, 10, 8],
}
QINGDAO = "青岛港集团"


def at(day, hour, minute=0):
    """A moment on the Oslo wall clock in January 2027."""
    return datetime.datetime(2027, 1, day, hour, minute, tzinfo=OSLO)


def url(event, kind, fmt):
    return reverse("events:organise_exports", args=[event.pk, kind, fmt])


def body(response):
    return b"".join(response.streaming_content)


def workbook_rows(response):
    workbook = load_workbook(io.BytesIO(body(response)))
    assert len(workbook.worksheets) == 1
    sheet = workbook.worksheets[0]
    return sheet, [list(row) for row in sheet.iter_rows(values_only=True)]


def csv_rows(response):
    content = body(response)
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def add_request(event, requester, recipient, *, status, sent, answered=None):
    meeting_request = MeetingRequest.objects.create(
        event=event, requester=requester, recipient=recipient, status=status
    )
    MeetingRequest.objects.filter(pk=meeting_request.pk).update(created_at=sent, responded_at=answered)


def add_match(organisation, demand, score, rank, published=True):
    return Match.objects.create(organisation=organisation, demand=demand, score=score, rank=rank, published=published)


@pytest.fixture
def oslo_day(organiser):
    """Ana (Chinese side, 青岛港集团), Bo, Cy and a pending Di; requests, meetings and matches."""
    event, slots, tables, (ana, bo, cy, di, eir) = make_day(organiser)
    qingdao = ana.organisation
    qingdao.name, qingdao.name_zh, qingdao.country = QINGDAO, QINGDAO, "CN"
    qingdao.save()
    qingdao.sectors.set(Sector.objects.filter(slug__in=["water", "water.sludge", "water.wastewater"]))
    Registration.objects.filter(pk=di.pk).update(status=Registration.Status.PENDING)
    Registration.objects.filter(pk=eir.pk).delete()
    Registration.objects.filter(event=event).update(created_at=at(10, 9))

    add_request(event, ana, bo, status="accepted", sent=at(10, 9), answered=at(11, 16, 30))
    add_request(event, cy, ana, status="requested", sent=at(12, 8, 15))

    meeting_create(slot=slots[0], first=ana, second=bo, table=tables[0], source="request", locked=True)
    meeting_create(slot=slots[1], first=bo, second=cy, table=tables[1], status="cancelled")

    demand = DemandFactory(organisation=qingdao, title="Sludge drying", title_zh="污泥干化")
    add_match(bo.organisation, demand, 0.87345, 1)
    add_match(cy.organisation, demand, 0.5, 2, published=False)  # not published
    add_match(di.organisation, demand, 0.6, 3)  # Di is only pending
    add_match(OrganisationFactory(), demand, 0.9, 4)  # not at the event
    add_match(qingdao, DemandFactory(organisation=cy.organisation, title="Heat pumps"), 0.42, None)
    return {"event": event, "people": (ana, bo, cy, di)}


@pytest.fixture
def as_organiser(client, organiser):
    client.force_login(organiser)
    return client


# --- what each file holds -------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "rows"), [("participants", 4), ("requests", 2), ("schedule", 2), ("matches", 2)])
def test_each_xlsx_reopens_with_its_header_frozen_and_widened(as_organiser, oslo_day, kind, rows):
    response = as_organiser.get(url(oslo_day["event"], kind, "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f'attachment; filename="{kind}-event-{oslo_day["event"].pk}.xlsx"'
    sheet, values = workbook_rows(response)
    assert values[0] == HEADERS[kind]
    assert len(values) == 1 + rows
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    widths = [sheet.column_dimensions[get_column_letter(i)].width for i in range(1, len(values[0]) + 1)]
    assert widths == WIDTHS[kind]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "rows"), [("participants", 4), ("requests", 2), ("schedule", 2), ("matches", 2)])
def test_each_csv_parses_with_its_header(as_organiser, oslo_day, kind, rows):
    response = as_organiser.get(url(oslo_day["event"], kind, "csv"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{kind}-event-{oslo_day["event"].pk}.csv"'
    values = csv_rows(response)
    assert values[0] == HEADERS[kind]
    assert len(values) == 1 + rows


@pytest.mark.django_db
def test_the_participants_keep_chinese_names_sectors_side_and_the_oslo_wall_clock(as_organiser, oslo_day):
    ana, bo, cy, di = oslo_day["people"]

    _sheet, values = workbook_rows(as_organiser.get(url(oslo_day["event"], "participants", "xlsx")))
    by_name = {row[6]: row for row in values[1:]}

    assert by_name["Ana"] == [
        QINGDAO, QINGDAO, "China", "Wastewater treatment; Sludge and biosolids treatment", "Chinese side", "Approved",
        "Ana", "ana@example.org", datetime.datetime(2027, 1, 10, 9, 0),
    ]  # fmt: skip
    assert by_name["Bo"][:6] == [bo.organisation.name, None, "Norway", None, "Nordic side", "Approved"]
    assert by_name["Di"][5] == "Waiting for approval"
    assert [row[0] for row in values[1:]] == sorted(row[0] for row in values[1:])  # by organisation


@pytest.mark.django_db
def test_the_requests_say_when_they_were_sent_and_answered_in_the_events_zone(as_organiser, oslo_day):
    _sheet, values = workbook_rows(as_organiser.get(url(oslo_day["event"], "requests", "xlsx")))
    bo_org, cy_org = (p.organisation.name for p in oslo_day["people"][1:3])

    assert values[1:] == [
        ["Ana", QINGDAO, "Bo", bo_org, "Accepted", datetime.datetime(2027, 1, 10, 9, 0),
         datetime.datetime(2027, 1, 11, 16, 30)],
        ["Cy", cy_org, "Ana", QINGDAO, "Requested", datetime.datetime(2027, 1, 12, 8, 15), None],
    ]  # fmt: skip

    rows = csv_rows(as_organiser.get(url(oslo_day["event"], "requests", "csv")))
    assert rows[1] == ["Ana", QINGDAO, "Bo", bo_org, "Accepted", "2027-01-10 09:00", "2027-01-11 16:30"]
    assert rows[2][5:] == ["2027-01-12 08:15", ""]


@pytest.mark.django_db
def test_the_schedule_writes_09_00_in_oslo_as_09_00(as_organiser, oslo_day):
    ana, bo, cy, _di = oslo_day["people"]

    sheet, values = workbook_rows(as_organiser.get(url(oslo_day["event"], "schedule", "xlsx")))

    assert values[0][0] == "Starts (Europe/Oslo)"
    assert values[1:] == [
        [datetime.datetime(2027, 1, 14, 9, 0), datetime.datetime(2027, 1, 14, 9, 25), "Table 1", "Ana", QINGDAO,
         "Bo", bo.organisation.name, "Scheduled", "yes", "Accepted request"],
        [datetime.datetime(2027, 1, 14, 9, 30), datetime.datetime(2027, 1, 14, 9, 55), "Table 2", "Bo",
         bo.organisation.name, "Cy", cy.organisation.name, "Cancelled", "no", "Placed by an organiser"],
    ]  # fmt: skip
    assert sheet["A2"].number_format == "yyyy-mm-dd hh:mm"

    rows = csv_rows(as_organiser.get(url(oslo_day["event"], "schedule", "csv")))
    assert rows[1][:5] == ["2027-01-14 09:00", "2027-01-14 09:25", "Table 1", "Ana", QINGDAO]


@pytest.mark.django_db
def test_the_matches_are_the_published_ones_between_approved_participants(as_organiser, oslo_day):
    _ana, bo, cy, _di = oslo_day["people"]

    _sheet, values = workbook_rows(as_organiser.get(url(oslo_day["event"], "matches", "xlsx")))

    expected = sorted(
        [
            ["Sludge drying", QINGDAO, bo.organisation.name, 0.873, 1],
            ["Heat pumps", cy.organisation.name, QINGDAO, 0.42, None],
        ],
        key=lambda row: row[1],
    )  # by the demand's owner
    assert values[1:] == expected
    rows = csv_rows(as_organiser.get(url(oslo_day["event"], "matches", "csv")))
    assert [row[3:] for row in rows[1:]] == [[str(row[3]), "" if row[4] is None else str(row[4])] for row in expected]


@pytest.mark.django_db
def test_the_csv_holds_the_chinese_name_intact(as_organiser, oslo_day):
    rows = csv_rows(as_organiser.get(url(oslo_day["event"], "participants", "csv")))
    ana = next(row for row in rows if row[6] == "Ana")

    assert ana[:5] == [
        QINGDAO,
        QINGDAO,
        "China",
        "Wastewater treatment; Sludge and biosolids treatment",
        "Chinese side",
    ]
    assert ana[8] == "2027-01-10 09:00"


@pytest.mark.django_db
def test_a_name_that_looks_like_a_formula_stays_text(as_organiser, oslo_day):
    RegistrationFactory(event=oslo_day["event"], name='=HYPERLINK("http://evil.example","x")', email="e@example.org")

    sheet, values = workbook_rows(as_organiser.get(url(oslo_day["event"], "participants", "xlsx")))
    cell = next(c for c in sheet["G"] if c.value and str(c.value).startswith("=HYPERLINK"))
    assert cell.data_type == "s"

    rows = csv_rows(as_organiser.get(url(oslo_day["event"], "participants", "csv")))
    assert '\'=HYPERLINK("http://evil.example","x")' in [row[6] for row in rows]


@pytest.mark.django_db
def test_the_rows_stream_in_the_organisers_language(as_organiser, oslo_day):
    as_organiser.cookies["greenbridge_language"] = "zh-hans"

    response = as_organiser.get(url(oslo_day["event"], "participants", "csv"))
    with translation.override("en"):  # as when the server reads the stream in another thread (ASGI)
        rows = csv_rows(response)
    ana = next(row for row in rows if row[6] == "Ana")

    assert rows[0][0] == "机构"  # the titles are translated when the sheet is made
    assert ana[2] == "中国"  # the country's name, translated by django-countries
    assert ana[3] == "污水处理; 污泥处理与资源化"


# --- who may download -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_visitors_are_sent_to_log_in(client, oslo_day, kind, fmt):
    response = client.get(url(oslo_day["event"], kind, fmt))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_participants_and_other_users_get_403(client, oslo_day, kind, fmt):
    ana = oslo_day["people"][0]
    participant = UserFactory()
    MembershipFactory(user=participant, organisation=ana.organisation)
    Registration.objects.filter(pk=ana.pk).update(user=participant)

    for user in (participant, UserFactory()):
        client.force_login(user)
        assert client.get(url(oslo_day["event"], kind, fmt)).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_organisers_and_superusers_download(client, organiser, oslo_day, kind, fmt):
    for user in (organiser, UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(user)
        response = client.get(url(oslo_day["event"], kind, fmt))
        assert response.status_code == 200
        assert body(response)


@pytest.mark.django_db
def test_a_private_event_is_a_404_to_those_who_may_not_see_it(client, organiser, oslo_day):
    Event.objects.filter(pk=oslo_day["event"].pk).update(is_public=False)
    client.force_login(UserFactory())
    assert client.get(url(oslo_day["event"], "participants", "xlsx")).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "tail", ["delegates.xlsx", "participants.pdf", "participants.XLSX", "participants", "participants.xlsx.csv"]
)
def test_an_unknown_kind_or_format_is_a_404(as_organiser, oslo_day, tail):
    assert as_organiser.get(f"/events/{oslo_day['event'].pk}/organise/exports/{tail}").status_code == 404


@pytest.mark.django_db
def test_the_overview_links_every_export(as_organiser, oslo_day):
    page = as_organiser.get(reverse("events:organise", args=[oslo_day["event"].pk])).content.decode()

    for kind in KINDS:
        for fmt in ("xlsx", "csv"):
            assert f'href="{url(oslo_day["event"], kind, fmt)}"' in page


# --- queries ----------------------------------------------------------------------------------

# session, user, event, can_view_event (the user's organisations, then the event), is_organiser in
# the view and again in the sheet, then the rows: one query, two for the participants (their
# organisations' sectors are prefetched).
QUERIES = {"participants": 9, "requests": 8, "schedule": 8, "matches": 8}


def grow(organiser, count):
    """An event of ``organiser`` with ``count`` rows of every kind but participants (twice as many)."""
    event, slots, tables, people = make_day(organiser, slots=count, tables=1, people=2 * count)
    demand = DemandFactory(organisation=people[0].organisation)
    for index in range(count):
        first, second = people[2 * index], people[2 * index + 1]
        add_request(event, first, second, status="requested", sent=at(10, 9))
        meeting_create(slot=slots[index], first=first, second=second, table=tables[0])
        first.organisation.sectors.set(Sector.objects.filter(slug="water.sludge"))
        add_match(second.organisation, demand, 0.5, index + 1)
    return event


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_query_count_does_not_grow_with_the_rows(client, organiser, django_assert_num_queries, count, kind, fmt):
    event = grow(organiser, count)
    client.force_login(organiser)

    with django_assert_num_queries(QUERIES[kind]):
        response = client.get(url(event, kind, fmt))
        values = csv_rows(response) if fmt == "csv" else workbook_rows(response)[1]

    assert len(values) == 1 + (2 * count if kind == "participants" else count)
