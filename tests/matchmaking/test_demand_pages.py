"""The demand pages (matchmaking.views.demands): post, edit, close, the form, and who may do what."""

import datetime

import pytest
from django.urls import reverse

from companies.models import Membership, Organisation, Region
from matchmaking.models import Demand
from tests.factories import DemandFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.matchmaking.helpers import NEXT_YEAR, TODAY, titles_listed

SCRIPT = "<script>alert(1)</script>"

pytestmark = pytest.mark.django_db


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
