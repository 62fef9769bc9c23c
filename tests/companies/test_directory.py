"""The directory /organisations/: filters, pagination, HTMX, the result cards, visibility, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from companies.models import Organisation, Region, Sector
from companies.views import directory
from tests.factories import OrganisationFactory, UserFactory

LIST_URL = reverse("companies:organisation_list")


def listed(response):
    """The names on the page, in order."""
    return [card["organisation"].name for card in response.context["cards"]]


def detail_url(org):
    return reverse("companies:organisation_detail", args=[org.pk])


@pytest.fixture
def directory_orgs(tagged_organisation):
    return {
        "cambi": tagged_organisation(
            name="Cambi",
            country="NO",
            city="Asker",
            description="Thermal hydrolysis for sewage sludge and biogas.",
            sectors=["water.sludge"],
            regions=["CN-BJ"],
            looking_for=["pilot", "procurement"],
        ),
        "grundfos": tagged_organisation(
            name="Grundfos",
            country="DK",
            city="Bjerringbro",
            description="Pumps for water supply and wastewater.",
            sectors=["water.supply", "energy.efficiency"],
            regions=["CN-SD"],
            looking_for=["distributor"],
        ),
        "vestas": tagged_organisation(
            name="Vestas",
            country="DK",
            city="Aarhus",
            description="Wind turbines.",
            sectors=["energy.wind"],
            regions=["CN-JS"],
            looking_for=["jv"],
        ),
        "sintef": tagged_organisation(
            name="SINTEF",
            country="NO",
            kind=Organisation.Kind.RESEARCH,
            city="Trondheim",
            description="Research on hydrogen and carbon capture.",
            sectors=["energy.hydrogen"],
            looking_for=["rnd"],
        ),
        "bdg": tagged_organisation(
            name="Beijing Drainage Group",
            name_zh="北京城市排水集团有限责任公司",
            country="CN",
            region=Region.objects.get(code="CN-BJ"),
            city="Beijing",
            description_zh="负责北京城市污水收集与处理和污泥处理处置。",
            sectors=["water"],
            looking_for=["procurement"],
        ),
    }


# --- Filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Beijing Drainage Group", "Cambi", "Grundfos", "SINTEF", "Vestas"]),
        ({"country": "NO"}, ["Cambi", "SINTEF"]),
        ({"kind": "research"}, ["SINTEF"]),
        ({"sector": "water.sludge"}, ["Cambi"]),
        ({"sector": "water"}, ["Beijing Drainage Group", "Cambi", "Grundfos"]),
        ({"sector": "energy"}, ["Grundfos", "SINTEF", "Vestas"]),
        ({"region": "CN-SD"}, ["Grundfos"]),
        ({"looking_for": "procurement"}, ["Beijing Drainage Group", "Cambi"]),
        ({"q": "hydrolysis"}, ["Cambi"]),
        ({"q": "trondheim"}, ["SINTEF"]),
        ({"q": "sludge BIOGAS"}, ["Cambi"]),
        ({"q": "sludge wind"}, []),
        ({"q": "污泥"}, ["Beijing Drainage Group"]),
        ({"q": "排水集团"}, ["Beijing Drainage Group"]),
        ({"country": "DK", "sector": "water"}, ["Grundfos"]),
        ({"sector": "energy", "looking_for": "jv"}, ["Vestas"]),
        ({"sector": "water", "region": "CN-BJ", "q": "thermal"}, ["Cambi"]),
        ({"country": "CN", "kind": "research"}, []),
    ],
)
def test_each_filter_and_their_combinations_narrow_the_list(client, directory_orgs, params, expected):
    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert listed(response) == expected
    assert response.context["page"].paginator.count == len(expected)


def test_country_choices_are_the_countries_that_occur_named_in_the_active_language(client, directory_orgs):
    response = client.get(LIST_URL)
    choices = list(response.context["filterset"].form.fields["country"].choices)
    assert [code for code, _ in choices] == ["", "CN", "DK", "NO"]
    assert dict(choices)["DK"] == "Denmark"

    response = client.get(LIST_URL, headers={"accept-language": "zh-hans"})
    choices = dict(response.context["filterset"].form.fields["country"].choices)
    assert choices["DK"] == "丹麦"


def test_sector_choices_are_grouped_group_first_then_its_leaves(client, db):
    response = client.get(LIST_URL)
    choices = list(response.context["filterset"].form.fields["sector"].choices)

    water = dict(choices[1:])["Water"]
    assert water[0] == ("water", "All of Water")
    assert ("water.sludge", "Sludge and biosolids treatment") in water
    assert all(slug.startswith("water") for slug, _ in water)


def test_the_filters_stay_in_the_url_and_fill_the_form(client, directory_orgs):
    response = client.get(LIST_URL, {"sector": "water", "country": "NO", "page": "1"})
    content = response.content.decode()

    assert '<form class="filters__form" method="get"' in content
    assert '<option value="water" selected>' in content
    assert '<option value="NO" selected>' in content


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sector": "no-such-sector"}, "sector"),
        ({"sector": "water", "country": "ZZ"}, "country"),
        ({"kind": "pirate"}, "kind"),
        ({"region": "CN-XX"}, "region"),
        ({"looking_for": "anything"}, "looking_for"),
        ({"q": "x" * 201}, "q"),
        ({"q": "sludge\x00"}, "q"),
    ],
)
def test_an_invalid_filter_value_gives_a_form_error_and_no_results_never_a_500(client, directory_orgs, params, field):
    response = client.get(LIST_URL, params)

    assert response.status_code == 200
    assert field in response.context["filterset"].errors
    assert listed(response) == []
    content = response.content.decode()
    assert 'class="message message--error results-errors" role="alert"' in content
    assert "Clear filters" in content


@pytest.mark.parametrize("page", ["0", "-1", "abc", "999", "1.5", ""])
def test_odd_page_numbers_give_a_page_not_an_error(client, directory_orgs, page):
    response = client.get(LIST_URL, {"page": page})
    assert response.status_code == 200


# --- Pagination and HTMX ---------------------------------------------------------------


def test_the_list_is_paginated_twenty_a_page(client, db):
    for number in range(25):
        OrganisationFactory(name=f"Org {number:02d}")

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert listed(first) == [f"Org {n:02d}" for n in range(20)]
    assert listed(second) == [f"Org {n:02d}" for n in range(20, 25)]
    assert "25 organisations" in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()
    assert 'href="?page=2"' in first.content.decode()


def test_page_links_keep_the_filters(client, tagged_organisation):
    for number in range(21):
        tagged_organisation(name=f"Water {number:02d}", sectors=["water.supply"])

    response = client.get(LIST_URL, {"sector": "water", "page": 1})

    assert 'href="?sector=water&amp;page=2"' in response.content.decode()


def test_an_htmx_request_gets_only_the_results_and_a_normal_one_the_full_page(client, directory_orgs):
    full = client.get(LIST_URL, {"sector": "water"})
    fragment = client.get(LIST_URL, {"sector": "water"}, headers={"hx-request": "true"})

    assert [t.name for t in full.templates][:2] == ["companies/organisation_list.html", "base.html"]
    assert "<html" in full.content.decode()
    assert 'hx-get="/organisations/"' in full.content.decode()

    assert fragment.templates[0].name == "companies/_organisation_results.html"
    assert "base.html" not in [t.name for t in fragment.templates]
    content = fragment.content.decode()
    assert "<html" not in content
    assert "<form" not in content
    assert "3 organisations" in content
    assert listed(fragment) == ["Beijing Drainage Group", "Cambi", "Grundfos"]
    assert 'id="filters-count" class="filters__count" hx-swap-oob="true">1 active<' in content
    assert "HX-Request" in full.headers["Vary"]
    assert "HX-Request" in fragment.headers["Vary"]


def test_an_htmx_history_restore_gets_the_full_page(client, directory_orgs):
    response = client.get(LIST_URL, headers={"hx-request": "true", "hx-history-restore-request": "true"})
    assert "<html" in response.content.decode()


def test_the_empty_state_says_what_to_do_next(client, directory_orgs):
    filtered = client.get(LIST_URL, {"q": "nothing matches this"}).content.decode()
    assert "No organisation matches these filters." in filtered
    assert f'href="{LIST_URL}">Clear filters' in filtered
    assert reverse("account_signup") in filtered

    client.force_login(UserFactory())
    filtered = client.get(LIST_URL, {"q": "nothing matches this"}).content.decode()
    assert reverse("companies:organisation_create") in filtered


def test_an_empty_directory_invites_to_add_an_organisation(client, db):
    content = client.get(LIST_URL).content.decode()
    assert "0 organisations" in content
    assert "No organisations are listed yet." in content


# --- Results ----------------------------------------------------------------------------


def test_a_result_shows_initials_kind_place_sectors_and_a_line_of_description(client, directory_orgs):
    content = client.get(LIST_URL, {"q": "Cambi"}).content.decode()

    assert '<span class="avatar">C</span>' in content
    assert f'<a href="{detail_url(directory_orgs["cambi"])}">Cambi</a>' in content
    assert '<span class="badge badge--kind">Company</span>' in content
    assert "Asker, Norway" in content
    assert '<span class="badge">Sludge and biosolids treatment</span>' in content
    assert '<span class="badge badge--region">Beijing</span>' in content
    assert '<p class="org-card__summary" lang="en">Thermal hydrolysis for sewage sludge and biogas.</p>' in content


def test_the_description_line_falls_back_to_the_other_language(client, directory_orgs):
    english = client.get(LIST_URL, {"country": "CN"}).content.decode()
    assert '<p class="org-card__summary" lang="zh-Hans">负责北京城市污水收集与处理和污泥处理处置。</p>' in english

    chinese = client.get(LIST_URL, {"country": "NO"}, headers={"accept-language": "zh-hans"}).content.decode()
    assert '<p class="org-card__summary" lang="en">Thermal hydrolysis' in chinese


def test_chinese_names_lead_in_the_chinese_interface(client, directory_orgs):
    content = client.get(LIST_URL, {"country": "CN"}, headers={"accept-language": "zh-hans"}).content.decode()
    assert ">北京城市排水集团有限责任公司</a>" in content
    assert '<span class="avatar">北</span>' in content
    assert "北京市, 中国" in content


def test_a_result_lists_at_most_three_sectors_and_counts_the_rest(client, tagged_organisation):
    tagged_organisation(name="Broad", sectors=["energy.wind", "energy.solar", "energy.storage", "energy.grid", "water"])
    content = client.get(LIST_URL).content.decode()
    assert content.count('<li><span class="badge">') == 3
    assert "+1 more" in content


# --- Visibility and escaping ----------------------------------------------------------------


@pytest.fixture
def members_only(db):
    return OrganisationFactory(name="Quiet Ventures", visibility=Organisation.Visibility.MEMBERS)


def test_members_only_organisations_are_hidden_from_visitors(client, members_only):
    assert "Quiet Ventures" not in listed(client.get(LIST_URL))
    assert client.get(LIST_URL, {"q": "Quiet"}).context["page"].paginator.count == 0
    assert client.get(detail_url(members_only)).status_code == 404


def test_members_only_organisations_are_shown_to_signed_in_users(client, members_only):
    client.force_login(UserFactory())
    assert listed(client.get(LIST_URL)) == ["Quiet Ventures"]
    assert client.get(detail_url(members_only)).status_code == 200


def test_script_in_user_text_is_rendered_escaped(client, db):
    attack = "<script>alert('x')</script>"
    org = OrganisationFactory(
        name=f"Evil {attack}", name_zh=f"坏 {attack}", city=attack, description=attack, description_zh=attack
    )

    for response in (client.get(LIST_URL), client.get(detail_url(org))):
        content = response.content.decode()
        assert "<script>alert" not in content
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in content


def test_the_directory_and_profile_answer_get_only(client, directory_orgs):
    assert client.post(LIST_URL).status_code == 405
    assert client.post(detail_url(directory_orgs["cambi"])).status_code == 405


# --- Query counts ---------------------------------------------------------------------------


def _bulk_directory(count):
    """``count`` organisations with two sectors and a target region each, in a few INSERTs."""
    Organisation.objects.bulk_create(
        [
            Organisation(name=f"Organisation {n:05d}", country=("NO", "SE", "DK", "FI", "CN")[n % 5], city="City")
            for n in range(count)
        ],
        batch_size=2000,
    )
    ids = list(Organisation.objects.values_list("pk", flat=True))
    leaves = list(Sector.objects.filter(parent__isnull=False).values_list("pk", flat=True))
    regions = list(Region.objects.values_list("pk", flat=True))
    sector_links = Organisation.sectors.through
    region_links = Organisation.target_regions.through
    sector_links.objects.bulk_create(
        [sector_links(organisation_id=pk, sector_id=leaves[(pk + k) % len(leaves)]) for pk in ids for k in (0, 7)],
        batch_size=5000,
    )
    region_links.objects.bulk_create(
        [region_links(organisation_id=pk, region_id=regions[pk % len(regions)]) for pk in ids], batch_size=5000
    )


# Countries that occur, sectors, regions (the filter choices); the count; the page;
# the page's sectors; the page's target regions.
DIRECTORY_QUERIES = 7


@pytest.mark.parametrize("params", [{}, {"sector": "water", "country": "NO", "q": "organisation"}])
def test_the_directory_runs_as_many_queries_for_one_result_a_page_as_for_twenty(client, db, monkeypatch, params):
    _bulk_directory(10_000)
    assert Organisation.objects.count() == 10_000

    counts = {}
    for page_size in (1, 20):
        monkeypatch.setattr(directory, "PAGE_SIZE", page_size)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(LIST_URL, params)
        assert response.status_code == 200
        assert len(response.context["cards"]) == page_size
        assert all(card["sectors"] for card in response.context["cards"])
        counts[page_size] = len(queries)

    assert counts == {1: DIRECTORY_QUERIES, 20: DIRECTORY_QUERIES}


def test_the_directory_costs_two_more_queries_for_a_signed_in_user(client, db, monkeypatch, django_assert_num_queries):
    _bulk_directory(100)
    client.force_login(UserFactory())
    for page_size in (1, 20):
        monkeypatch.setattr(directory, "PAGE_SIZE", page_size)
        with django_assert_num_queries(DIRECTORY_QUERIES + 2):  # the session and the user
            client.get(LIST_URL)
