"""The matches pages (matchmaking.views.matches): both sides' matches with their reasons, and the full rescoring.

Match rows are written directly here (the engine has its own tests): these tests are about
who sees what, in which order and words, and who may start a rescoring.
"""

import pytest
from django.conf import settings
from django.urls import reverse

from companies.models import Membership
from delegations.models import Delegation
from matchmaking.models import Demand, RescoringRun
from tests.factories import DemandFactory, EventFactory, UserFactory
from tests.matchmaking.helpers import NEXT_YEAR, event_organiser, match

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LIST_URL = "/matches/"


def page(client, user, query=""):
    client.force_login(user)
    response = client.get(LIST_URL + query)
    assert response.status_code == 200
    return response


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


# ---- rescoring ------------------------------------------------------------------------------


def test_a_plain_member_may_not_rescore(client, supplier, demand):
    client.force_login(supplier)

    assert client.post(reverse("matches:rescore")).status_code == 403
    assert client.get(reverse("matches:rescore")).status_code == 403
    assert not RescoringRun.objects.exists()


def test_an_event_organiser_starts_a_rescoring(client, demand):
    user = event_organiser()
    client.force_login(user)

    response = client.post(reverse("matches:rescore"))

    run = RescoringRun.objects.get()
    assert (run.started_by, run.status, run.total_chunks) == (user, RescoringRun.Status.RUNNING, 1)
    assert response.status_code == 302
    assert response.url == f"/matches/rescore/{run.pk}/"


def test_a_delegation_organiser_and_an_administrator_may_rescore(client):
    delegation = Delegation.objects.create(
        name="Shandong delegation",
        origin_country="CN",
        destination_country="NO",
        starts_on=NEXT_YEAR,
        ends_on=NEXT_YEAR,
    )
    travel_organiser = UserFactory()
    delegation.organisers.add(travel_organiser)
    administrator = UserFactory(is_superuser=True)

    for user in (travel_organiser, administrator):
        client.force_login(user)
        assert client.get(reverse("matches:rescore")).status_code == 200


def test_staff_status_alone_may_not_rescore(client):
    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("matches:rescore")).status_code == 403
    assert client.post(reverse("matches:rescore")).status_code == 403
    assert not RescoringRun.objects.exists()


def test_the_rescore_page_lists_the_latest_runs(client):
    RescoringRun.objects.create(total_chunks=4, done_chunks=4, matches=1234, status=RescoringRun.Status.DONE)
    client.force_login(event_organiser())

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
    client.force_login(event_organiser())

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
    client.force_login(event_organiser())

    fragment = client.get(reverse("matches:rescore_progress", args=[run.pk]), **HTMX).content.decode()
    full = client.get(reverse("matches:rescore_progress", args=[run.pk])).content.decode()

    assert "100%" in fragment
    assert "321 matches kept" in fragment
    assert "hx-trigger" not in fragment
    assert "hx-trigger" not in full
    assert '<meta http-equiv="refresh"' not in full


def test_a_failed_run_stops_polling_too(client):
    run = RescoringRun.objects.create(total_chunks=4, done_chunks=2, status=RescoringRun.Status.FAILED)
    client.force_login(event_organiser())

    fragment = client.get(reverse("matches:rescore_progress", args=[run.pk]), **HTMX).content.decode()

    assert "hx-trigger" not in fragment
    assert "This rescoring failed" in fragment


def test_the_progress_of_an_unknown_run_is_a_404_and_members_get_403(client, supplier):
    run = RescoringRun.objects.create(total_chunks=1)
    client.force_login(event_organiser())
    assert client.get("/matches/rescore/999999/").status_code == 404

    client.force_login(supplier)
    assert client.get(reverse("matches:rescore_progress", args=[run.pk])).status_code == 403
