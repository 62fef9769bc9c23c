"""The demand list (matchmaking.views.demands, matchmaking.filters): filters, pages, HTMX, empty states."""

import pytest
from django.urls import reverse

from companies.models import Region
from matchmaking.models import Demand
from tests.factories import DemandFactory, OrganisationFactory
from tests.matchmaking.helpers import sector, titles_listed

pytestmark = pytest.mark.django_db


# ---- the list and its filters -----------------------------------------------------------------


@pytest.fixture
def catalogue():
    """Four demands across sectors, regions, kinds, sides and statuses."""
    shandong, beijing = Region.objects.get(code="CN-SD"), Region.objects.get(code="CN-BJ")
    sludge = DemandFactory(title="Sludge drying", title_zh="", region=beijing, kind="procurement")
    sludge.sectors.set([sector("water.sludge")])
    chinese = DemandFactory(
        title="", title_zh="北京污泥处理中心提标改造", description_zh="热水解", region=beijing, kind="pilot"
    )
    chinese.sectors.set([sector("water.wastewater")])
    port = DemandFactory(
        title="Shore power for Qingdao port", description="Electrified berths", region=shandong, kind="jv"
    )
    port.sectors.set([sector("energy.grid"), sector("maritime")])
    nordic = DemandFactory(
        title="Chinese investor for a battery plant",
        organisation=OrganisationFactory(name="Morrow", country="NO"),
        kind="investment",
    )
    nordic.sectors.set([sector("energy.storage")])
    DemandFactory(title="Old closed need", status=Demand.Status.CLOSED)
    return {"sludge": sludge, "chinese": chinese, "port": port, "nordic": nordic}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "",
            [
                "Chinese investor for a battery plant",
                "Shore power for Qingdao port",
                "Sludge drying",
                "北京污泥处理中心提标改造",
            ],
        ),
        ("?sector=water", ["Sludge drying", "北京污泥处理中心提标改造"]),  # a group selects its leaves
        ("?sector=water.sludge", ["Sludge drying"]),
        ("?sector=maritime", ["Shore power for Qingdao port"]),  # a demand tagged with the group itself
        ("?sector=energy", ["Chinese investor for a battery plant", "Shore power for Qingdao port"]),
        ("?region=CN-BJ", ["Sludge drying", "北京污泥处理中心提标改造"]),
        ("?region=CN-SD", ["Shore power for Qingdao port"]),
        ("?kind=pilot", ["北京污泥处理中心提标改造"]),
        ("?status=closed", ["Old closed need"]),
        ("?country=NO", ["Chinese investor for a battery plant"]),
        ("?q=污泥", ["北京污泥处理中心提标改造"]),
        ("?q=热水解", ["北京污泥处理中心提标改造"]),
        ("?q=shore+POWER", ["Shore power for Qingdao port"]),
        ("?q=shore+sludge", []),  # every word must appear
        ("?q=electrified", ["Shore power for Qingdao port"]),  # descriptions too
        ("?sector=water&region=CN-BJ&kind=procurement", ["Sludge drying"]),
    ],
)
def test_filters(client, catalogue, query, expected):
    assert titles_listed(client, query) == sorted(expected)


def test_the_organisation_filter(client, catalogue):
    organisation = catalogue["nordic"].organisation

    response = client.get(reverse("matchmaking:demand_list") + f"?organisation={organisation.pk}")

    assert [d.pk for d in response.context["demands"]] == [catalogue["nordic"].pk]
    assert "Posted by <strong>Morrow</strong>" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "?sector=no-such-sector",
        "?region=XX-99",
        "?kind=gift",
        "?status=deleted",
        "?country=ZZ",
        "?organisation=abc",
        "?organisation=99999999999999999999999",
        "?q=" + "x" * 201,
    ],
)
def test_an_invalid_filter_is_a_form_error_not_a_500(client, catalogue, query):
    response = client.get(reverse("matchmaking:demand_list") + query)

    assert response.status_code == 200
    assert response.context["filter"].form.errors
    assert list(response.context["demands"]) == []
    assert "These filters could not be applied" in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "999", "-1"])
def test_a_bad_page_number_shows_a_page(client, catalogue, page):
    assert client.get(reverse("matchmaking:demand_list") + f"?page={page}").status_code == 200


def test_the_list_is_paginated_by_20(client, buyer_org):
    DemandFactory.create_batch(21, organisation=buyer_org)

    first = client.get(reverse("matchmaking:demand_list"))
    second = client.get(reverse("matchmaking:demand_list") + "?page=2")

    assert len(first.context["demands"]) == 20
    assert len(second.context["demands"]) == 1
    assert 'rel="next" href="?page=2"' in first.content.decode()


def test_an_htmx_request_gets_only_the_results(client, catalogue):
    url = reverse("matchmaking:demand_list") + "?sector=water.sludge"

    fragment = client.get(url, headers={"HX-Request": "true"})
    full = client.get(url)
    restore = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})

    assert "<html" not in fragment.content.decode()
    assert "Sludge drying" in fragment.content.decode()
    assert "Shore power" not in fragment.content.decode()
    assert '<form class="panel demand-filters"' not in fragment.content.decode()
    for response in (full, restore):
        content = response.content.decode()
        assert "<html" in content
        assert 'hx-push-url="true"' in content
        assert 'id="demand-results"' in content
        assert "Sludge drying" in content
    assert "HX-Request" in fragment.headers["Vary"]
    assert "HX-Request" in full.headers["Vary"]


def test_empty_states_say_what_to_do_next(client, catalogue):
    assert "No demands match these filters." in client.get("/demands/?q=nothing-like-this").content.decode()
    Demand.objects.all().delete()
    assert "No open demands yet." in client.get("/demands/").content.decode()
