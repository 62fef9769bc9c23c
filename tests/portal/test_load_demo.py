"""``manage.py load_demo``: the demo directory, users, event and delegation, idempotently."""

import datetime as dt
import io
import json
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from companies.models import Membership, Organisation
from delegations.models import Delegation, DelegationMember
from events.models import Availability, Event, Meeting, MeetingRequest, MeetingSlot, Registration, Table
from matchmaking.models import Demand
from portal.demo import DEMO_PASSWORD, demo_load
from portal.demo.loader import DIRECTORY_FILE
from tests.factories import OrganisationFactory

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
DIRECTORY = json.loads(DIRECTORY_FILE.read_text(encoding="utf-8"))
EXPECTED_PROGRAMME = [
    ("09:00", "09:30", False),
    ("09:30", "10:00", False),
    ("10:00", "10:30", False),
    ("10:30", "11:00", True),
    ("11:00", "11:30", False),
    ("11:30", "12:00", False),
    ("12:00", "13:00", True),
    ("13:00", "13:30", False),
    ("13:30", "14:00", False),
    ("14:00", "14:30", False),
    ("14:30", "15:00", True),
    ("15:00", "15:30", False),
    ("15:30", "16:00", False),
]


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.DEBUG = True
    return tmp_path


def load_demo(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def row_counts():
    user_model = get_user_model()
    models = [
        Organisation,
        Demand,
        user_model,
        Membership,
        Event,
        MeetingSlot,
        Table,
        Registration,
        Availability,
        MeetingRequest,
        Meeting,
        Delegation,
        DelegationMember,
    ]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["delegation sectors"] = Delegation.sectors.through.objects.count()
    counts["delegation events"] = Delegation.events.through.objects.count()
    counts["event organisers"] = Event.organisers.through.objects.count()
    return counts


def test_directory_file_stays_within_the_agreed_size():
    assert (150 <= len(DIRECTORY["organisations"]) <= 175, 30 <= len(DIRECTORY["demands"]) <= 40) == (True, True)
    assert "qrels" not in DIRECTORY


def test_loads_organisations_and_demands_from_both_sides(db, var_dir):
    load_demo()

    chinese_ids = {o["external_id"] for o in DIRECTORY["organisations"] if o["country"] == "CN"}
    assert Organisation.objects.count() == len(DIRECTORY["organisations"])
    assert Organisation.objects.filter(country="CN").count() == len(chinese_ids)
    assert Organisation.objects.exclude(country="CN").count() == len(DIRECTORY["organisations"]) - len(chinese_ids)
    assert Demand.objects.count() == len(DIRECTORY["demands"])
    nordic_owned = sorted(d["external_id"] for d in DIRECTORY["demands"] if d["organisation"] not in chinese_ids)
    assert sorted(Demand.objects.exclude(organisation__country="CN").values_list("external_id", flat=True)) == (
        nordic_owned
    )
    assert len(nordic_owned) >= 2
    assert Organisation.objects.filter(country="CN", region__isnull=True).count() == 0
    chinese_only = Demand.objects.get(external_id="d-bdg-energy")
    assert (chinese_only.title, chinese_only.title_zh) == ("", "再生水厂节能降碳与能源自给改造")


def test_the_event_is_upcoming_with_slots_in_utc_matching_oslo_local_times(db, var_dir):
    before = timezone.now()
    load_demo()

    event = Event.objects.get(external_id="demo-event-stavanger")
    assert event.starts_at > before + dt.timedelta(weeks=4)
    assert (event.timezone, event.format, event.kind, event.matchmaking_mode) == (
        "Europe/Oslo",
        Event.Format.HYBRID,
        Event.Kind.B2B_DAY,
        Event.MatchmakingMode.REQUESTS,
    )
    assert event.registration_opens_at < before < event.registration_closes_at < event.starts_at
    assert event.organising_organisation.external_id == "no-innovation-norway"

    slots = list(event.slots.order_by("starts_at"))
    day = event.starts_at.astimezone(OSLO).date()
    local = [
        (s.starts_at.astimezone(OSLO).strftime("%H:%M"), s.ends_at.astimezone(OSLO).strftime("%H:%M"), s.is_break)
        for s in slots
    ]
    assert local == EXPECTED_PROGRAMME
    assert {s.starts_at.astimezone(OSLO).date() for s in slots} == {day}
    assert {s.starts_at.utcoffset() for s in slots} == {dt.timedelta(0)}
    first = dt.datetime.combine(day, dt.time(9), tzinfo=OSLO).astimezone(dt.UTC)
    assert slots[0].starts_at == first


@pytest.mark.parametrize(
    ("now", "first_slot_utc"),
    [
        # Winter time in Oslo (UTC+1): 09:00 local is 08:00 UTC.
        (dt.datetime(2027, 1, 4, 12, tzinfo=dt.UTC), dt.datetime(2027, 2, 9, 8, tzinfo=dt.UTC)),
        # Summer time (UTC+2, from 28 March 2027): 09:00 local is 07:00 UTC.
        (dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC), dt.datetime(2027, 4, 6, 7, tzinfo=dt.UTC)),
        # Five weeks ahead falls in the holidays: the second week of January instead.
        (dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC), dt.datetime(2027, 1, 12, 8, tzinfo=dt.UTC)),
    ],
)
def test_slots_follow_oslo_daylight_saving_time(db, var_dir, now, first_slot_utc):
    demo_load(now=now)

    first = MeetingSlot.objects.filter(event__external_id="demo-event-stavanger").order_by("starts_at").first()
    assert first.starts_at == first_slot_utc


def test_the_event_has_tables_registrations_availabilities_and_requests(db, var_dir):
    load_demo()

    event = Event.objects.get(external_id="demo-event-stavanger")
    tables = list(event.tables.order_by("position"))
    assert [t.name for t in tables] == [f"Table {n}" for n in range(1, 10)] + ["Virtual room 1"]
    assert [t.video_link for t in tables if t.video_link] == ["https://meet.example.org/greenbridge-room-1"]

    registrations = event.registrations.all()
    assert registrations.count() == 25
    assert registrations.filter(status=Registration.Status.APPROVED).count() == 25
    assert registrations.filter(organisation__country="CN").count() == 9
    assert registrations.exclude(organisation__country="CN").count() == 16
    assert {r.email.split("@")[1].endswith(("example.org", "greenbridge.example")) for r in registrations} == {True}

    assert Availability.objects.filter(registration__event=event, available=False).count() == 7
    requests = MeetingRequest.objects.filter(event=event)
    assert sorted(requests.values_list("status", flat=True)) == ["accepted", "requested", "requested"]
    accepted = requests.get(status=MeetingRequest.Status.ACCEPTED)
    assert (accepted.requester.email, accepted.recipient.email) == (
        "buyer@greenbridge.example",
        "company@greenbridge.example",
    )
    assert Meeting.objects.count() == 0


def test_the_delegation_has_members_and_a_beijing_itinerary(db, var_dir):
    before = timezone.now()
    load_demo()

    delegation = Delegation.objects.get(external_id="demo-delegation-cph-beijing")
    assert (delegation.origin_country.code, delegation.origin_region, delegation.destination_country.code) == (
        "DK",
        None,
        "CN",
    )
    assert delegation.destination_region.code == "CN-BJ"
    assert delegation.starts_on > before.date()
    assert (delegation.ends_on - delegation.starts_on).days == 4
    assert sorted(delegation.sectors.values_list("slug", flat=True)) == [
        "energy.district-heating",
        "energy.efficiency",
        "water.sludge",
        "water.supply",
        "water.wastewater",
    ]
    assert delegation.members.count() == 12
    assert delegation.members.filter(organisation__external_id="dk-hofor").count() == 1
    assert delegation.members.filter(people="").count() == 0
    roundtable = Event.objects.get(external_id="demo-event-beijing-roundtable")
    assert list(delegation.events.all()) == [roundtable]
    assert roundtable.timezone == "Asia/Shanghai"
    assert roundtable.starts_at.astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).date() == (
        delegation.starts_on + dt.timedelta(days=1)
    )


def test_the_four_users_log_in_with_the_demo_password_and_have_their_roles(db, var_dir):
    load_demo()

    user_model = get_user_model()
    emails = ["admin@greenbridge.example", "company@greenbridge.example", "buyer@greenbridge.example"]
    emails.append("organiser@greenbridge.example")
    users = {u.email: u for u in user_model.objects.filter(email__in=emails)}
    assert sorted(users) == sorted(emails)
    assert {email: u.check_password(DEMO_PASSWORD) for email, u in users.items()} == dict.fromkeys(emails, True)
    assert {email: u.username for email, u in users.items()} == {email: email for email in emails}

    admin = users["admin@greenbridge.example"]
    assert (admin.is_superuser, admin.is_staff, admin.memberships.count()) == (True, True, 0)

    company = Membership.objects.get(user=users["company@greenbridge.example"])
    assert (company.role, company.status, company.organisation.country.code) == ("admin", "active", "NO")
    assert company.organisation.external_id == "no-corvus"

    buyer = Membership.objects.get(user=users["buyer@greenbridge.example"])
    assert (buyer.role, buyer.status, buyer.organisation.country.code) == ("admin", "active", "CN")
    assert buyer.organisation.demands.count() == 2

    organiser = users["organiser@greenbridge.example"]
    membership = Membership.objects.get(user=organiser)
    assert (membership.role, membership.status, membership.organisation.external_id) == (
        "member",
        "active",
        "no-innovation-norway",
    )
    assert (organiser.is_superuser, organiser.is_staff) == (False, False)
    event = Event.objects.get(external_id="demo-event-stavanger")
    assert list(event.organisers.all()) == [organiser]
    assert list(Delegation.objects.get(external_id="demo-delegation-cph-beijing").organisers.all()) == [organiser]
    # The organiser may create events and delegations; the company user may not.
    assert organiser.has_perm("events.add_event")
    assert not users["company@greenbridge.example"].has_perm("events.add_event")

    registrations = Registration.objects.filter(event=event, user__isnull=False)
    assert sorted(registrations.values_list("user__email", flat=True)) == [
        "buyer@greenbridge.example",
        "company@greenbridge.example",
    ]


def test_writes_the_logins_file(db, var_dir):
    load_demo()

    lines = (var_dir / "demo-logins.txt").read_text(encoding="utf-8").splitlines()
    assert [line.split()[:3] for line in lines] == [
        ["administrator", "admin@greenbridge.example", DEMO_PASSWORD],
        ["company", "company@greenbridge.example", DEMO_PASSWORD],
        ["buyer", "buyer@greenbridge.example", DEMO_PASSWORD],
        ["organiser", "organiser@greenbridge.example", DEMO_PASSWORD],
    ]


def test_a_second_run_duplicates_nothing(db, var_dir):
    load_demo()
    first = row_counts()

    output = load_demo()

    assert row_counts() == first
    assert "organisations: 170 (0 new)" in output


def test_a_rerun_after_the_event_moves_it_into_the_future_without_duplicates(db, var_dir):
    start = dt.datetime(2027, 1, 4, 12, tzinfo=dt.UTC)
    demo_load(now=start)
    first = row_counts()
    later = start + dt.timedelta(days=90)  # the event and the delegation are over by then

    demo_load(now=later)

    assert row_counts() == first
    event = Event.objects.get(external_id="demo-event-stavanger")
    assert event.starts_at > later
    assert MeetingSlot.objects.filter(event=event, starts_at__lt=later).count() == 0
    assert Delegation.objects.get(external_id="demo-delegation-cph-beijing").starts_on > later.date()


def test_a_rerun_keeps_an_event_that_is_still_ahead(db, var_dir):
    start = dt.datetime(2027, 1, 4, 12, tzinfo=dt.UTC)
    demo_load(now=start)
    starts_at = Event.objects.get(external_id="demo-event-stavanger").starts_at

    demo_load(now=start + dt.timedelta(days=10))

    assert Event.objects.get(external_id="demo-event-stavanger").starts_at == starts_at


def test_if_empty_does_nothing_when_organisations_exist(db, var_dir):
    OrganisationFactory()

    output = load_demo("--if-empty")

    assert Organisation.objects.count() == 1
    assert (get_user_model().objects.count(), Event.objects.count(), Delegation.objects.count()) == (0, 0, 0)
    assert output.startswith("Demo data skipped")
    assert (var_dir / "demo-logins.txt").exists() is False


def test_if_empty_loads_an_empty_database(db, var_dir):
    load_demo("--if-empty")

    assert Organisation.objects.count() == len(DIRECTORY["organisations"])


def test_refuses_with_debug_off(db, var_dir, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        load_demo()

    assert (Organisation.objects.count(), get_user_model().objects.count()) == (0, 0)


def test_force_loads_with_debug_off(db, var_dir, settings):
    settings.DEBUG = False

    load_demo("--force")

    assert Organisation.objects.count() == len(DIRECTORY["organisations"])
    assert get_user_model().objects.count() == 4
