"""The matches pages: both sides' matches with their reasons, feedback, and the full rescoring.

Match rows are written directly here (the engine has its own tests): these tests are about
who sees what, in which order and words, and who may change what.
"""

import datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from companies.models import Membership, Region
from delegations.models import Delegation
from matchmaking import match_selectors
from matchmaking.models import Demand, Match, RescoringRun
from tests.factories import DemandFactory, EventFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEXT_YEAR = datetime.date.today() + datetime.timedelta(days=365)
HTMX = {"HTTP_HX_REQUEST": "true"}
LIST_URL = "/matches/"


# ---- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_language_left_behind():
    """A request in Chinese leaves Chinese active in the thread; the next test starts without it."""
    yield
    translation.deactivate()


def member_of(organisation):
    return MembershipFactory(organisation=organisation, status=Membership.Status.ACTIVE).user


def match(organisation, demand, *, score, rank=None, published=True, reasons=(), **fields):
    return Match.objects.create(
        organisation=organisation,
        demand=demand,
        score=score,
        rank=rank,
        published=published,
        reasons=list(reasons),
        components=fields.pop("components", {"sector": 1.0, "text": 0.6, "region": 1.0}),
        **fields,
    )


@pytest.fixture
def event():
    return EventFactory(name="Stavanger B2B day", name_zh="斯塔万格对接日")


@pytest.fixture
def buyer_org():
    return OrganisationFactory(name="Beijing Drainage Group", name_zh="北京城市排水集团", country="CN")


@pytest.fixture
def cambi():
    return OrganisationFactory(name="Cambi", country="NO", city="Asker")


@pytest.fixture
def buyer(buyer_org):
    return member_of(buyer_org)


@pytest.fixture
def supplier(cambi):
    return member_of(cambi)


@pytest.fixture
def outsider():
    return member_of(OrganisationFactory(name="Someone Else"))


@pytest.fixture
def demand(buyer_org):
    return DemandFactory(
        organisation=buyer_org,
        title="Sludge treatment upgrade",
        title_zh="污泥处理升级",
        region=Region.objects.get(code="CN-BJ"),
        deadline=NEXT_YEAR,
    )


@pytest.fixture
def full_reasons(event):
    return [
        {"kind": "sector", "value": "water.sludge"},
        {"kind": "terms", "value": ["thermal hydrolysis", "biogas"]},
        {"kind": "region", "value": "CN-BJ"},
        {"kind": "partnership", "value": "pilot"},
        {"kind": "copresence", "value": [f"event:{event.pk}"]},
    ]


@pytest.fixture
def ranked(demand, cambi, full_reasons):
    """The demand's matches: Cambi first, Veolia second; one unpublished, one the buyer hid."""
    veolia = OrganisationFactory(name="Veolia Nordic", country="SE")
    hidden = OrganisationFactory(name="Unpublished Oy", country="FI")
    rejected = OrganisationFactory(name="Rejected AS", country="NO")
    return {
        "cambi": match(cambi, demand, score=0.82, rank=1, reasons=full_reasons),
        "veolia": match(veolia, demand, score=0.61, rank=2, reasons=[{"kind": "sector_group", "value": "water"}]),
        "unpublished": match(hidden, demand, score=0.12, published=False),
        "rejected": match(rejected, demand, score=0.55, published=True, rank=3, buyer_feedback="not_relevant"),
    }


def page(client, user, query=""):
    client.force_login(user)
    response = client.get(LIST_URL + query)
    assert response.status_code == 200
    return response


def feedback(client, user, target, value, **extra):
    client.force_login(user)
    return client.post(reverse("matches:feedback", args=[target.pk]), {"value": value}, **extra)


def organiser():
    user = UserFactory()
    EventFactory().organisers.add(user)
    return user


# ---- the list, buyer side --------------------------------------------------------------------


def test_the_buyer_sees_each_open_demand_with_its_published_matches_by_rank(client, buyer, demand, ranked):
    response = page(client, buyer)

    demands = response.context["found"].demands
    assert [d.pk for d in demands] == [demand.pk]
    assert demands[0].suggested == [ranked["cambi"], ranked["veolia"]]
    html = response.content.decode()
    assert html.index("Cambi") < html.index("Veolia Nordic")
    assert "Unpublished Oy" not in html
    assert "Rejected AS" not in html
    assert f'href="/organisations/{ranked["cambi"].organisation_id}/"' in html
    assert "82%" in html


def test_the_reasons_are_sentences(client, buyer, ranked):
    html = page(client, buyer).content.decode()

    for label in [
        "Shared sector: Sludge and biosolids treatment",
        "Key terms: thermal hydrolysis, biogas",
        "Targets Beijing",
        "Looking for: Pilot project",
        "Both at: Stavanger B2B day",
        "Related sectors in Water",
    ]:
        assert label in html


def test_the_reasons_in_chinese(client, buyer, ranked):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    html = page(client, buyer).content.decode()

    assert "污泥处理与资源化" in html  # the sector's Chinese name
    assert "北京市" in html  # the region's Chinese name
    assert "斯塔万格对接日" in html
    assert "污泥处理升级" in html  # the demand's Chinese title


def test_reason_labels_in_both_languages(full_reasons, event):
    delegation = Delegation.objects.create(
        name="Shandong delegation",
        name_zh="山东代表团",
        origin_country="CN",
        destination_country="NO",
        starts_on=NEXT_YEAR,
        ends_on=NEXT_YEAR,
    )
    reasons = [
        *full_reasons,
        {"kind": "copresence", "value": [f"delegation:{delegation.pk}", "event:999999"]},
        {"kind": "region", "value": "XX-NOWHERE"},
        {"kind": "future_kind", "value": 1, "label": "Something new"},
        {"kind": "future_kind", "value": 2},
    ]

    def labels(language):
        with translation.override(language):
            names = match_selectors.ReasonNames.for_reasons(reasons)
            return [r["label"] for r in match_selectors.reason_labels(reasons, names)]

    english, chinese = labels("en"), labels("zh-hans")

    assert english == [
        "Shared sector: Sludge and biosolids treatment",
        "Key terms: thermal hydrolysis, biogas",
        "Targets Beijing",
        "Looking for: Pilot project",
        "Both at: Stavanger B2B day",
        "Both in the delegation: Shandong delegation",
        "Something new",
    ]
    assert len(chinese) == len(english)
    assert "污泥处理与资源化" in chinese[0]
    assert "沼气" in chinese[1]  # a glossary concept is named in Chinese
    assert "北京市" in chinese[2]
    assert "斯塔万格对接日" in chinese[4]
    assert "山东代表团" in chinese[5]


def test_reason_names_come_from_one_lookup_per_kind(full_reasons, django_assert_num_queries):
    with django_assert_num_queries(3):  # sectors, regions, events; no delegation named, no query
        match_selectors.ReasonNames.for_reasons(full_reasons * 5)


def test_a_closed_demand_is_not_listed(client, buyer, demand, ranked):
    Demand.objects.filter(pk=demand.pk).update(status=Demand.Status.CLOSED)

    response = page(client, buyer)

    assert response.context["found"].demands == []
    assert "You have no open demands." in response.content.decode()


# ---- the list, supplier side -----------------------------------------------------------------


def test_the_supplier_sees_published_matches_best_first(client, supplier, cambi, buyer_org, demand, ranked):
    better = DemandFactory(organisation=buyer_org, title="Biogas plant for Qingdao")
    closed = DemandFactory(organisation=buyer_org, title="Old closed tender", status=Demand.Status.CLOSED)
    unpublished = DemandFactory(organisation=buyer_org, title="Below the threshold")
    rejected = DemandFactory(organisation=buyer_org, title="Not for us")
    match(cambi, better, score=0.9, rank=1)
    match(cambi, closed, score=0.95, rank=1)
    match(cambi, unpublished, score=0.1, published=False)
    match(cambi, rejected, score=0.7, rank=1, supplier_feedback="not_relevant")

    response = page(client, supplier)

    found = response.context["found"]
    assert [m.demand.title for m in found.supplier_matches] == ["Biogas plant for Qingdao", "Sludge treatment upgrade"]
    assert found.supplier_total == 2
    html = response.content.decode()
    assert html.index("Biogas plant for Qingdao") < html.index("Sludge treatment upgrade")
    assert f'href="/demands/{demand.pk}/"' in html
    assert "Beijing Drainage Group" in html
    assert "Targets Beijing" in html
    for hidden in ["Old closed tender", "Below the threshold", "Not for us"]:
        assert hidden not in html


def test_a_member_of_several_organisations_switches_between_them(client, supplier, buyer_org, cambi, ranked):
    Membership.objects.create(user=supplier, organisation=buyer_org, status=Membership.Status.ACTIVE)

    as_buyer = page(client, supplier, f"?organisation={buyer_org.pk}")
    as_supplier = page(client, supplier, f"?organisation={cambi.pk}")

    assert as_buyer.context["organisation"] == buyer_org
    assert len(as_buyer.context["found"].demands) == 1
    assert as_supplier.context["organisation"] == cambi
    assert as_supplier.context["found"].supplier_matches == [ranked["cambi"]]
    assert 'aria-current="page">Cambi</a>' in as_supplier.content.decode()


@pytest.mark.parametrize("query", ["?organisation=abc", "?organisation=999999", "?organisation={other}"])
def test_another_organisation_is_a_404(client, supplier, buyer_org, query):
    client.force_login(supplier)

    response = client.get(LIST_URL + query.format(other=buyer_org.pk))

    assert response.status_code == 404


def test_a_user_without_organisation_is_sent_to_my_greenbridge(client):
    client.force_login(UserFactory())

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert 'href="/me/"' in response.content.decode()
    assert "not an active member of any organisation" in response.content.decode()


def test_visitors_are_asked_to_log_in(client):
    response = client.get(LIST_URL)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# ---- feedback -------------------------------------------------------------------------------


def test_the_supplier_side_feedback_lands_in_its_column(client, supplier, ranked):
    target = ranked["cambi"]

    response = feedback(client, supplier, target, "interested")

    target.refresh_from_db()
    assert (target.supplier_feedback, target.buyer_feedback) == ("interested", "")
    assert target.published
    assert response.status_code == 302
    assert response.url == f"/matches/?organisation={target.organisation_id}#match-{target.pk}"
    assert "you are interested" in client.get(LIST_URL).content.decode()


def test_the_buyer_side_feedback_lands_in_its_column(client, buyer, ranked):
    target = ranked["cambi"]

    feedback(client, buyer, target, "interested")

    target.refresh_from_db()
    assert (target.supplier_feedback, target.buyer_feedback) == ("", "interested")


def test_interest_can_be_withdrawn(client, supplier, ranked):
    target = ranked["cambi"]
    feedback(client, supplier, target, "interested")

    feedback(client, supplier, target, "")

    target.refresh_from_db()
    assert target.supplier_feedback == ""


def test_not_relevant_hides_the_match_at_once_and_closes_the_ranks(client, buyer, ranked):
    target, second = ranked["cambi"], ranked["veolia"]

    response = feedback(client, buyer, target, "not_relevant")

    target.refresh_from_db()
    second.refresh_from_db()
    assert (target.buyer_feedback, target.published, target.rank) == ("not_relevant", False, None)
    assert second.rank == 1
    assert response.status_code == 302
    assert "#" not in response.url
    listed = client.get(LIST_URL)
    assert listed.context["found"].demands[0].suggested == [second]
    assert "hidden and will not be suggested again" in listed.content.decode()


def test_not_relevant_from_the_supplier_hides_it_from_both_sides(client, supplier, buyer, ranked):
    feedback(client, supplier, ranked["cambi"], "not_relevant")

    assert page(client, supplier).context["found"].supplier_matches == []
    assert page(client, buyer).context["found"].demands[0].suggested == [ranked["veolia"]]


def test_a_user_of_neither_side_gets_403_and_nothing_changes(client, outsider, ranked):
    target = ranked["cambi"]

    response = feedback(client, outsider, target, "not_relevant")

    assert response.status_code == 403
    target.refresh_from_db()
    assert (target.supplier_feedback, target.buyer_feedback, target.published, target.rank) == ("", "", True, 1)


def test_a_pending_member_is_not_a_side(client, cambi, ranked):
    pending = MembershipFactory(organisation=cambi, status=Membership.Status.PENDING).user

    assert feedback(client, pending, ranked["cambi"], "interested").status_code == 403


@pytest.mark.parametrize("value", ["maybe", "NOT_RELEVANT", "x" * 500])
def test_a_bad_value_is_a_400_with_a_message(client, supplier, ranked, value):
    target = ranked["cambi"]

    response = feedback(client, supplier, target, value)

    assert response.status_code == 400
    assert "not one GreenBridge knows" in response.content.decode()
    target.refresh_from_db()
    assert target.supplier_feedback == ""


def test_a_missing_value_is_a_400(client, supplier, ranked):
    client.force_login(supplier)

    response = client.post(reverse("matches:feedback", args=[ranked["cambi"].pk]))

    assert response.status_code == 400


def test_an_unknown_match_is_a_404(client, supplier):
    client.force_login(supplier)

    assert client.post("/matches/999999/feedback/", {"value": "interested"}).status_code == 404


def test_feedback_is_post_only(client, supplier, ranked):
    client.force_login(supplier)

    assert client.get(reverse("matches:feedback", args=[ranked["cambi"].pk])).status_code == 405


def test_htmx_feedback_returns_the_card(client, supplier, ranked):
    target = ranked["cambi"]

    response = feedback(client, supplier, target, "interested", **HTMX)

    assert response.status_code == 200
    html = response.content.decode().strip()
    assert html.startswith(f'<li class="match-card match-card--interested" id="match-{target.pk}">')
    assert "<html" not in html
    assert 'aria-pressed="true"' in html
    assert "Sludge treatment upgrade" in html  # the supplier's card shows the demand
    assert "Targets Beijing" in html


def test_htmx_not_relevant_removes_the_card(client, buyer, ranked):
    response = feedback(client, buyer, ranked["cambi"], "not_relevant", **HTMX)

    assert response.status_code == 200
    assert response.content == b""
    assert response["HX-Reswap"] == "delete"


def test_the_other_sides_interest_shows(client, supplier, buyer, ranked):
    feedback(client, supplier, ranked["cambi"], "interested")

    assert "They are interested" in page(client, buyer).content.decode()


def test_the_redirect_goes_back_only_to_a_local_page(client, supplier, ranked):
    client.force_login(supplier)
    url = reverse("matches:feedback", args=[ranked["cambi"].pk])

    local = client.post(url, {"value": "interested", "next": "/matches/?organisation=1"})
    foreign = client.post(url, {"value": "interested", "next": "https://evil.example/"})

    assert local.url == f"/matches/?organisation=1#match-{ranked['cambi'].pk}"
    assert foreign.url.startswith("/matches/?organisation=")


# ---- rescoring ------------------------------------------------------------------------------


def test_a_plain_member_may_not_rescore(client, supplier, demand):
    client.force_login(supplier)

    assert client.post(reverse("matches:rescore")).status_code == 403
    assert client.get(reverse("matches:rescore")).status_code == 403
    assert not RescoringRun.objects.exists()


def test_an_event_organiser_starts_a_rescoring(client, demand):
    user = organiser()
    client.force_login(user)

    response = client.post(reverse("matches:rescore"))

    run = RescoringRun.objects.get()
    assert (run.started_by, run.status, run.total_chunks) == (user, RescoringRun.Status.RUNNING, 1)
    assert response.status_code == 302
    assert response.url == f"/matches/rescore/{run.pk}/"


def test_a_delegation_organiser_and_staff_may_rescore(client):
    delegation = Delegation.objects.create(
        name="Shandong delegation",
        origin_country="CN",
        destination_country="NO",
        starts_on=NEXT_YEAR,
        ends_on=NEXT_YEAR,
    )
    travel_organiser = UserFactory()
    delegation.organisers.add(travel_organiser)
    staff = UserFactory(is_staff=True)

    for user in (travel_organiser, staff):
        client.force_login(user)
        assert client.get(reverse("matches:rescore")).status_code == 200


def test_the_rescore_page_lists_the_latest_runs(client):
    RescoringRun.objects.create(total_chunks=4, done_chunks=4, matches=1234, status=RescoringRun.Status.DONE)
    client.force_login(organiser())

    html = client.get(reverse("matches:rescore")).content.decode()

    assert "Rescore all matches" in html
    assert "1234" in html
    assert "A rescoring is already running" not in html


def test_the_member_page_links_to_the_rescore_page_for_organisers_only(client, supplier):
    assert "/matches/rescore/" not in page(client, supplier).content.decode()
    EventFactory().organisers.add(supplier)
    assert "/matches/rescore/" in page(client, supplier).content.decode()


def test_the_progress_page_polls_while_running(client):
    run = RescoringRun.objects.create(total_chunks=4, done_chunks=1)
    client.force_login(organiser())

    full = client.get(reverse("matches:rescore_progress", args=[run.pk]))
    fragment = client.get(reverse("matches:rescore_progress", args=[run.pk]), **HTMX)

    assert full.status_code == fragment.status_code == 200
    for response in (full, fragment):
        html = response.content.decode()
        assert 'hx-trigger="every 1s"' in html
        assert '<progress id="rescore-progress-bar" max="100" value="25">' in html
        assert "25%" in html
    assert '<meta http-equiv="refresh"' in full.content.decode()
    assert "<html" not in fragment.content.decode()
    assert "no-cache" in fragment["Cache-Control"]


def test_the_progress_fragment_stops_polling_when_done(client):
    run = RescoringRun.objects.create(total_chunks=4, done_chunks=4, matches=321, status=RescoringRun.Status.DONE)
    client.force_login(organiser())

    fragment = client.get(reverse("matches:rescore_progress", args=[run.pk]), **HTMX).content.decode()
    full = client.get(reverse("matches:rescore_progress", args=[run.pk])).content.decode()

    assert "100%" in fragment
    assert "321 matches kept" in fragment
    assert "hx-trigger" not in fragment
    assert "hx-trigger" not in full
    assert '<meta http-equiv="refresh"' not in full


def test_a_failed_run_stops_polling_too(client):
    run = RescoringRun.objects.create(total_chunks=4, done_chunks=2, status=RescoringRun.Status.FAILED)
    client.force_login(organiser())

    fragment = client.get(reverse("matches:rescore_progress", args=[run.pk]), **HTMX).content.decode()

    assert "hx-trigger" not in fragment
    assert "This rescoring failed" in fragment


def test_the_progress_of_an_unknown_run_is_a_404_and_members_get_403(client, supplier):
    run = RescoringRun.objects.create(total_chunks=1)
    client.force_login(organiser())
    assert client.get("/matches/rescore/999999/").status_code == 404

    client.force_login(supplier)
    assert client.get(reverse("matches:rescore_progress", args=[run.pk])).status_code == 403


# ---- queries --------------------------------------------------------------------------------


def _queries(client, user):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    found = response.context["found"]
    return len(queries), found.buyer_total, len(found.supplier_matches)


def test_the_buyer_page_runs_the_same_number_of_queries_for_1_and_3_matches(client, buyer, demand, full_reasons):
    client.force_login(buyer)

    def add(n):
        match(OrganisationFactory(name=f"Supplier {n}"), demand, score=0.5 + n / 10, rank=n, reasons=full_reasons)

    add(1)
    _queries(client, buyer)  # the first page also reads the sector and region names, kept for later pages
    one = _queries(client, buyer)
    add(2)
    add(3)
    three = _queries(client, buyer)

    assert (one[1], three[1]) == (1, 3)
    assert one[0] == three[0]


def test_the_supplier_page_runs_the_same_number_of_queries_for_1_and_3_matches(
    client, supplier, cambi, buyer_org, full_reasons
):
    client.force_login(supplier)

    def add(n):
        demand = DemandFactory(organisation=buyer_org, region=Region.objects.get(code="CN-SD"))
        match(cambi, demand, score=0.5 + n / 10, rank=1, reasons=full_reasons)

    add(1)
    _queries(client, supplier)  # the first page also reads the sector and region names, kept for later pages
    one = _queries(client, supplier)
    add(2)
    add(3)
    three = _queries(client, supplier)

    assert (one[2], three[2]) == (1, 3)
    assert one[0] == three[0]
