"""Demands in the browser: post, edit, close, list with filters, and who may do what."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from companies.models import Membership, Organisation, Region, Sector
from matchmaking import services
from matchmaking.models import Demand
from tests.factories import DemandFactory, MembershipFactory, OrganisationFactory, UserFactory

TODAY = datetime.date.today()
NEXT_YEAR = TODAY + datetime.timedelta(days=365)
SCRIPT = "<script>alert(1)</script>"

pytestmark = pytest.mark.django_db


# ---- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def buyer_org():
    return OrganisationFactory(name="Beijing Drainage Group", name_zh="北京城市排水集团", country="CN")


@pytest.fixture
def buyer(buyer_org):
    return MembershipFactory(organisation=buyer_org, status=Membership.Status.ACTIVE).user


@pytest.fixture
def outsider():
    """An active member of another organisation."""
    return MembershipFactory(organisation__name="Other Tech", status=Membership.Status.ACTIVE).user


@pytest.fixture
def demand(buyer_org):
    demand = DemandFactory(
        organisation=buyer_org,
        title="Sludge treatment upgrade",
        title_zh="污泥处理升级",
        description="Thermal hydrolysis for a municipal plant.",
        region=Region.objects.get(code="CN-BJ"),
        budget_eur=5_000_000,
        deadline=NEXT_YEAR,
    )
    demand.sectors.set([sector("water.sludge")])
    return demand


def sector(slug):
    return Sector.objects.get(slug=slug)


def form_data(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "title": "Sludge treatment upgrade for a municipal wastewater plant",
        "title_zh": "",
        "description": "Thermal hydrolysis and biogas for 1,000 tonnes of sludge a day.",
        "description_zh": "",
        "sectors": ["water.sludge", "circular.organic-waste"],
        "region": Region.objects.get(code="CN-BJ").pk,
        "kind": "procurement",
        "budget_eur": "5000000",
        "deadline": NEXT_YEAR.isoformat(),
    }
    data.update(overrides)
    return data


def titles_listed(client, query=""):
    response = client.get(reverse("matchmaking:demand_list") + query)
    assert response.status_code == 200
    return sorted(d.display_title for d in response.context["demands"])


def login_url_for(url):
    return f"{reverse('account_login')}?next={url}"


# ---- posting, editing, closing ---------------------------------------------------------------


def test_a_member_posts_a_demand_in_english_only(client, buyer, buyer_org):
    client.force_login(buyer)

    response = client.post(reverse("matchmaking:demand_create"), form_data(buyer_org))

    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("matchmaking:demand_detail", args=[demand.pk])
    assert demand.organisation == buyer_org
    assert demand.created_by == buyer
    assert demand.title == "Sludge treatment upgrade for a municipal wastewater plant"
    assert demand.title_zh == ""
    assert sorted(demand.sectors.values_list("slug", flat=True)) == ["circular.organic-waste", "water.sludge"]
    assert demand.region.code == "CN-BJ"
    assert demand.budget_eur == 5_000_000
    assert demand.deadline == NEXT_YEAR
    assert demand.status == Demand.Status.OPEN
    page = client.get(response.url).content.decode()
    assert "Your demand is published." in page
    assert "€5,000,000" in page


def test_a_demand_written_only_in_chinese_shows_its_chinese_title_in_the_english_interface(client, buyer, buyer_org):
    client.force_login(buyer)
    data = form_data(
        buyer_org,
        title="",
        title_zh="北京污泥处理中心提标改造",
        description="",
        description_zh="寻求热水解和厌氧消化技术。",
    )

    response = client.post(reverse("matchmaking:demand_create"), data)

    demand = Demand.objects.get()
    assert response.status_code == 302
    assert (demand.title, demand.title_zh) == ("", "北京污泥处理中心提标改造")
    detail = client.get(response.url).content.decode()
    assert (
        '<h1 id="demand-title" class="page__title demand__title" lang="zh-Hans">北京污泥处理中心提标改造</h1>' in detail
    )
    assert "<title>北京污泥处理中心提标改造 · GreenBridge</title>" in detail
    listing = client.get(reverse("matchmaking:demand_list")).content.decode()
    assert 'lang="zh-Hans">北京污泥处理中心提标改造</a>' in listing


def test_the_detail_page_shows_both_titles_the_owner_and_the_facts(client, demand):
    content = client.get(reverse("matchmaking:demand_detail", args=[demand.pk])).content.decode()

    assert '<h1 id="demand-title" class="page__title demand__title" lang="en">Sludge treatment upgrade</h1>' in content
    assert '<p class="demand__title-other" lang="zh-Hans">污泥处理升级</p>' in content
    assert f'href="/organisations/{demand.organisation.pk}/">Beijing Drainage Group</a>' in content
    assert "Sludge and biosolids treatment" in content
    assert "Beijing" in content
    assert "€5,000,000" in content
    assert f'datetime="{NEXT_YEAR.isoformat()}"' in content
    assert "Edit</a>" not in content  # a visitor may not edit


def test_the_detail_page_in_chinese_puts_the_chinese_title_first(client, demand):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    content = client.get(reverse("matchmaking:demand_detail", args=[demand.pk])).content.decode()

    assert 'lang="zh-Hans">污泥处理升级</h1>' in content
    assert '<p class="demand__title-other" lang="en">Sludge treatment upgrade</p>' in content


def test_a_member_edits_a_demand(client, buyer, demand):
    client.force_login(buyer)
    url = reverse("matchmaking:demand_edit", args=[demand.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        form_data(demand.organisation, title="Sludge upgrade, phase 2", sectors=["water.wastewater"], budget_eur=""),
    )

    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.title == "Sludge upgrade, phase 2"
    assert list(demand.sectors.values_list("slug", flat=True)) == ["water.wastewater"]
    assert demand.budget_eur is None
    assert "The demand was saved." in client.get(response.url).content.decode()


def test_editing_keeps_a_deadline_that_has_passed_since(client, buyer, demand):
    past = TODAY - datetime.timedelta(days=10)
    Demand.objects.filter(pk=demand.pk).update(deadline=past)
    client.force_login(buyer)

    response = client.post(
        reverse("matchmaking:demand_edit", args=[demand.pk]),
        form_data(demand.organisation, title="Typo fixed", deadline=past.isoformat()),
    )

    assert response.status_code == 302
    demand.refresh_from_db()
    assert (demand.title, demand.deadline) == ("Typo fixed", past)


def test_an_invalid_edit_changes_nothing_and_keeps_the_page_title(client, buyer, demand):
    client.force_login(buyer)

    response = client.post(
        reverse("matchmaking:demand_edit", args=[demand.pk]), form_data(demand.organisation, title="", title_zh="")
    )

    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert "<title>Edit: Sludge treatment upgrade · GreenBridge</title>" in response.content.decode()
    demand.refresh_from_db()
    assert demand.title == "Sludge treatment upgrade"


def test_a_member_closes_a_demand_which_stays_readable_but_leaves_the_open_list(client, buyer, demand):
    client.force_login(buyer)

    response = client.post(reverse("matchmaking:demand_close", args=[demand.pk]))

    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == Demand.Status.CLOSED
    detail = client.get(response.url)
    assert detail.status_code == 200
    assert "This demand is closed" in detail.content.decode()
    assert titles_listed(client) == []
    assert titles_listed(client, "?status=closed") == ["Sludge treatment upgrade"]
    assert titles_listed(client, "?status=all") == ["Sludge treatment upgrade"]


def test_closing_needs_a_post(client, buyer, demand):
    client.force_login(buyer)

    assert client.get(reverse("matchmaking:demand_close", args=[demand.pk])).status_code == 405
    demand.refresh_from_db()
    assert demand.status == Demand.Status.OPEN


def test_services_close_and_reopen(buyer, demand):
    services.demand_close(actor=buyer, demand=demand)
    services.demand_close(actor=buyer, demand=demand)  # twice: still closed, no error
    assert Demand.objects.get(pk=demand.pk).status == Demand.Status.CLOSED

    services.demand_reopen(actor=buyer, demand=demand)
    assert Demand.objects.get(pk=demand.pk).status == Demand.Status.OPEN


def test_services_refuse_outsiders_and_a_demand_without_a_title(buyer, buyer_org, outsider, demand):
    with pytest.raises(PermissionDenied):
        services.demand_create(actor=outsider, organisation=buyer_org, fields={"title": "Mine now"})
    with pytest.raises(PermissionDenied):
        services.demand_update(actor=outsider, demand=demand, fields={"title": "Mine now"})
    with pytest.raises(PermissionDenied):
        services.demand_close(actor=outsider, demand=demand)
    with pytest.raises(ValidationError):
        services.demand_create(actor=buyer, organisation=buyer_org, fields={"title": "", "title_zh": ""})
    assert Demand.objects.count() == 1


def test_a_superuser_may_edit_any_demand(client, demand):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert client.get(reverse("matchmaking:demand_edit", args=[demand.pk])).status_code == 200


# ---- the form ---------------------------------------------------------------------------------


def test_with_one_organisation_the_owner_is_fixed(client, buyer):
    client.force_login(buyer)

    response = client.get(reverse("matchmaking:demand_create"))

    content = response.content.decode()
    assert response.status_code == 200
    assert '<input type="hidden" name="organisation"' in content
    assert "Beijing Drainage Group" in content
    assert '<input type="text" name="title_zh" lang="zh-Hans"' in content
    assert '<textarea name="description_zh" cols="40" rows="8" lang="zh-Hans"' in content
    assert "<title>Post a demand · GreenBridge</title>" in content


def test_with_two_organisations_the_member_chooses(client, buyer):
    second = MembershipFactory(user=buyer, organisation__name="Qingdao Port").organisation
    MembershipFactory(user=buyer, organisation__name="Pending Org", status=Membership.Status.PENDING)
    OrganisationFactory(name="Somebody Else")
    client.force_login(buyer)

    field = client.get(reverse("matchmaking:demand_create")).context["form"].fields["organisation"]

    assert sorted(o.name for o in field.queryset) == ["Beijing Drainage Group", "Qingdao Port"]
    assert second in field.queryset


def test_a_post_naming_another_organisation_is_refused_and_writes_nothing(client, buyer):
    other = OrganisationFactory(name="Not Mine")
    client.force_login(buyer)

    response = client.post(reverse("matchmaking:demand_create"), form_data(other))

    assert response.status_code == 200
    assert "Select a valid choice" in response.context["form"].errors["organisation"][0]
    assert "Select a valid choice" in response.content.decode()
    assert Demand.objects.count() == 0


def test_a_user_without_an_organisation_is_told_to_create_or_join_one(client):
    user = MembershipFactory(organisation__name="Still Waiting", status=Membership.Status.PENDING).user
    client.force_login(user)

    response = client.get(reverse("matchmaking:demand_create"))
    assert client.post(reverse("matchmaking:demand_create"), form_data(OrganisationFactory())).status_code == 200

    content = response.content.decode()
    assert response.status_code == 200
    assert reverse("companies:organisation_create") in content
    assert reverse("companies:organisation_list") in content
    assert "Your request to join Still Waiting is waiting" in content
    assert Demand.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "", "title_zh": ""}, "title", "Give a title in English or in Chinese."),
        ({"title": "   ", "title_zh": " "}, "title", "Give a title in English or in Chinese."),
        ({"deadline": (TODAY - datetime.timedelta(days=1)).isoformat()}, "deadline", "cannot be in the past"),
        ({"deadline": "31/02/2027"}, "deadline", "Enter a valid date."),
        ({"sectors": ["water.sludge", "water.no-such-thing"]}, "sectors", "Select a valid choice"),
        ({"sectors": ["water"]}, "sectors", "Select a valid choice"),  # a group is not a leaf
        ({"description": "x" * 10_001}, "description", "at most 10000 characters"),
        ({"description_zh": "水" * 10_001}, "description_zh", "at most 10000 characters"),
        ({"title": "t" * 201}, "title", "at most 200 characters"),
        ({"budget_eur": "-1"}, "budget_eur", "greater than or equal to 0"),
        ({"budget_eur": "five million"}, "budget_eur", "Enter a whole number."),
        ({"budget_eur": "1" * 30}, "budget_eur", "less than or equal to"),
        ({"region": "999999"}, "region", "Select a valid choice"),
        ({"kind": "gift"}, "kind", "Select a valid choice"),
    ],
    ids=[
        "no-title",
        "blank-titles",
        "past-deadline",
        "bad-date",
        "unknown-sector",
        "group-sector",
        "long-description",
        "long-chinese-description",
        "long-title",
        "negative-budget",
        "budget-not-a-number",
        "huge-budget",
        "unknown-region",
        "unknown-kind",
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(client, buyer, buyer_org, overrides, field, message):
    client.force_login(buyer)

    response = client.post(reverse("matchmaking:demand_create"), form_data(buyer_org, **overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert Demand.objects.count() == 0


def test_a_script_in_title_and_description_is_shown_escaped(client, buyer, buyer_org):
    client.force_login(buyer)
    client.post(
        reverse("matchmaking:demand_create"),
        form_data(buyer_org, title=SCRIPT, title_zh=SCRIPT, description=SCRIPT, description_zh=SCRIPT),
    )
    demand = Demand.objects.get()
    assert demand.title == SCRIPT

    for url in (
        reverse("matchmaking:demand_list"),
        reverse("matchmaking:demand_detail", args=[demand.pk]),
        reverse("matchmaking:demand_edit", args=[demand.pk]),
    ):
        content = client.get(url).content.decode()
        assert SCRIPT not in content, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content, url


# ---- who may do what --------------------------------------------------------------------------


def test_a_visitor_is_sent_to_log_in_to_post_edit_or_close(client, demand):
    create = reverse("matchmaking:demand_create")
    edit = reverse("matchmaking:demand_edit", args=[demand.pk])
    close = reverse("matchmaking:demand_close", args=[demand.pk])

    assert client.get(create).url == login_url_for(create)
    assert client.get(edit).url == login_url_for(edit)
    assert client.post(edit, form_data(demand.organisation, title="Hacked")).url == login_url_for(edit)
    assert client.post(close).url == login_url_for(close)
    demand.refresh_from_db()
    assert (demand.title, demand.status) == ("Sludge treatment upgrade", Demand.Status.OPEN)


def test_a_member_of_another_organisation_gets_403_on_edit_and_close(client, outsider, demand):
    client.force_login(outsider)
    edit = reverse("matchmaking:demand_edit", args=[demand.pk])

    assert client.get(edit).status_code == 403
    assert client.post(edit, form_data(demand.organisation, title="Hacked")).status_code == 403
    assert client.post(reverse("matchmaking:demand_close", args=[demand.pk])).status_code == 403
    demand.refresh_from_db()
    assert (demand.title, demand.status) == ("Sludge treatment upgrade", Demand.Status.OPEN)
    content = client.get(reverse("matchmaking:demand_detail", args=[demand.pk])).content.decode()
    assert "Close demand" not in content


def test_a_pending_member_may_not_edit(client, buyer_org, demand):
    pending = MembershipFactory(organisation=buyer_org, status=Membership.Status.PENDING).user
    client.force_login(pending)

    assert client.get(reverse("matchmaking:demand_edit", args=[demand.pk])).status_code == 403


def test_a_member_sees_edit_and_close_buttons(client, buyer, demand):
    client.force_login(buyer)

    content = client.get(reverse("matchmaking:demand_detail", args=[demand.pk])).content.decode()

    assert f'href="{reverse("matchmaking:demand_edit", args=[demand.pk])}"' in content
    assert f'action="{reverse("matchmaking:demand_close", args=[demand.pk])}"' in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_demands_of_members_only_organisations_are_hidden_from_visitors(client, outsider):
    hidden = DemandFactory(title="Members-only need", organisation__visibility=Organisation.Visibility.MEMBERS)
    DemandFactory(title="Public need")
    detail = reverse("matchmaking:demand_detail", args=[hidden.pk])

    assert titles_listed(client) == ["Public need"]
    assert client.get(detail).status_code == 404
    assert titles_listed(client, f"?organisation={hidden.organisation.pk}") == []

    client.force_login(outsider)
    assert titles_listed(client) == ["Members-only need", "Public need"]
    assert client.get(detail).status_code == 200
    assert client.get(reverse("matchmaking:demand_edit", args=[hidden.pk])).status_code == 403


def test_unknown_demands_are_404(client, buyer):
    client.force_login(buyer)

    assert client.get(reverse("matchmaking:demand_detail", args=[999999])).status_code == 404
    assert client.get(reverse("matchmaking:demand_edit", args=[999999])).status_code == 404
    assert client.post(reverse("matchmaking:demand_close", args=[999999])).status_code == 404
    assert client.get("/demands/99999999999999999999999/").status_code == 404


def test_the_post_button_shows_for_members_only(client, buyer, outsider):
    post_button = f'href="{reverse("matchmaking:demand_create")}">Post a demand</a>'
    DemandFactory()

    assert post_button not in client.get(reverse("matchmaking:demand_list")).content.decode()
    client.force_login(UserFactory())
    assert post_button not in client.get(reverse("matchmaking:demand_list")).content.decode()
    client.force_login(buyer)
    assert post_button in client.get(reverse("matchmaking:demand_list")).content.decode()


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


def _list_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("matchmaking:demand_list"))
    assert response.status_code == 200
    return len(queries), len(response.context["demands"])


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "member"])
def test_the_list_runs_the_same_number_of_queries_for_1_and_3_demands(client, buyer, signed_in):
    if signed_in:
        client.force_login(buyer)

    def add_demand(n):
        owner = OrganisationFactory(name=f"Buyer {n}", country="CN")
        demand = DemandFactory(organisation=owner, region=Region.objects.get(code="CN-SD"))
        demand.sectors.set([sector("water.sludge"), sector("energy.grid")])

    add_demand(1)
    one, shown = _list_queries(client)
    assert shown == 1
    add_demand(2)
    add_demand(3)
    three, shown = _list_queries(client)
    assert shown == 3
    assert one == three
