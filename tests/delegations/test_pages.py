"""The delegation list and a delegation's page: what each viewer sees, queries, 404."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from companies.models import Organisation, Region, Sector
from tests.factories import (
    DelegationFactory,
    DelegationMemberFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)


def text(response):
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def delegation(db):
    """An upcoming Copenhagen delegation to Beijing: a public and a members-only member, two events."""
    leader = OrganisationFactory(name="City of Copenhagen", country="DK", kind=Organisation.Kind.PUBLIC_BODY)
    delegation = DelegationFactory(
        name="Copenhagen water delegation to Beijing",
        name_zh="哥本哈根水务代表团访问北京",
        leader="Lord Mayor of Copenhagen",
        leader_organisation=leader,
        destination_region=Region.objects.get(code="CN-BJ"),
        purpose="Danish utilities meet Beijing's water companies.",
    )
    delegation.sectors.set(Sector.objects.filter(slug__in=["water.sludge", "energy.district-heating"]))
    DelegationMemberFactory(
        delegation=delegation,
        organisation=OrganisationFactory(name="HOFOR", country="DK"),
        people="Søren Nielsen, Director\nAnne Kristensen, Planning Manager",
    )
    DelegationMemberFactory(
        delegation=delegation,
        organisation=OrganisationFactory(name="Quiet Pumps", country="DK", visibility=Organisation.Visibility.MEMBERS),
        people="Mads Poulsen, Sales Director",
    )
    delegation.events.add(
        EventFactory(name="Beijing water roundtable"),
        EventFactory(name="Closed utility visit", is_public=False),
    )
    return delegation


# --- The list -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_list_shows_upcoming_delegations_soonest_first_and_past_ones_below(client):
    today = timezone.localdate()
    later = DelegationFactory(name="Autumn mission", starts_on=today + datetime.timedelta(days=90))
    soon = DelegationFactory(name="Spring mission", starts_on=today + datetime.timedelta(days=10))
    ongoing = DelegationFactory(
        name="Mission under way",
        starts_on=today - datetime.timedelta(days=1),
        ends_on=today + datetime.timedelta(days=1),
    )
    past = DelegationFactory(
        name="Mission last year",
        starts_on=today - datetime.timedelta(days=300),
        ends_on=today - datetime.timedelta(days=296),
    )
    older = DelegationFactory(
        name="Mission long ago",
        starts_on=today - datetime.timedelta(days=700),
        ends_on=today - datetime.timedelta(days=696),
    )

    html = text(client.get("/delegations/"))

    order = [html.index(name) for name in (ongoing.name, soon.name, later.name, "Past delegations")]
    assert order == sorted(order)
    assert html.index("Past delegations") < html.index(past.name) < html.index(older.name)


@pytest.mark.django_db
def test_the_list_shows_route_dates_sectors_and_member_count(client, delegation):
    html = text(client.get("/delegations/"))

    assert f'href="/delegations/{delegation.pk}/"' in html
    assert "Copenhagen water delegation to Beijing" in html
    assert "Denmark</span>" in html
    assert "Beijing, China" in html
    assert Sector.objects.get(slug="water.sludge").name_en in html
    assert Sector.objects.get(slug="energy.district-heating").name_en in html
    assert delegation.starts_on.strftime("%Y-%m-%d") in html
    assert delegation.ends_on.strftime("%Y-%m-%d") in html
    assert "2 member organisations" in html
    assert '<a href="/delegations/" aria-current="page">' in html


@pytest.mark.django_db
def test_the_list_in_chinese_shows_chinese_names(client, delegation):
    client.cookies["greenbridge_language"] = "zh-hans"

    html = text(client.get("/delegations/"))

    assert "哥本哈根水务代表团访问北京" in html
    assert "Copenhagen water delegation to Beijing" not in html
    assert "中国北京" in html  # country before region in Chinese
    assert "代表团" in html
    assert Sector.objects.get(slug="water.sludge").name_zh in html


@pytest.mark.django_db
def test_the_list_runs_the_same_number_of_queries_for_one_and_five_delegations(client):
    sectors = list(Sector.objects.filter(parent__isnull=False)[:3])

    def add_delegation():
        delegation = DelegationFactory(destination_region=Region.objects.get(code="CN-SD"))
        delegation.sectors.set(sectors)
        DelegationMemberFactory(delegation=delegation)
        DelegationMemberFactory(delegation=delegation)

    def count():
        with CaptureQueriesContext(connection) as queries:
            html = text(client.get("/delegations/"))
        return len(queries), html.count("delegation-card__route")

    add_delegation()
    one = count()
    for _ in range(4):
        add_delegation()
    five = count()

    assert one == (2, 1)
    assert five == (2, 5)


# --- A delegation's page ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_shows_leader_route_purpose_sectors_and_itinerary(client, delegation):
    html = text(client.get(f"/delegations/{delegation.pk}/"))

    assert "Copenhagen water delegation to Beijing" in html
    assert "Lord Mayor of Copenhagen" in html
    leader = delegation.leader_organisation
    assert f'<a href="/organisations/{leader.pk}/">City of Copenhagen</a>' in html
    assert "Beijing, China" in html
    assert "Danish utilities meet Beijing&#x27;s water companies." in html
    assert Sector.objects.get(slug="energy.district-heating").name_en in html
    roundtable = delegation.events.get(name="Beijing water roundtable")
    assert f'href="/events/{roundtable.pk}/"' in html
    assert '<a href="/delegations/" aria-current="page">' in html


@pytest.mark.django_db
def test_a_visitor_sees_public_organisations_but_no_people_a_signed_in_user_sees_all(client, delegation):
    hofor = Organisation.objects.get(name="HOFOR")
    people = ["Søren Nielsen, Director", "Anne Kristensen, Planning Manager", "Mads Poulsen, Sales Director"]

    visitor = text(client.get(f"/delegations/{delegation.pk}/"))

    assert f'href="/organisations/{hofor.pk}/"' in visitor
    assert "Quiet Pumps" not in visitor
    assert [person for person in people if person in visitor] == []
    assert "1 more member organisation is listed for signed-in users only." in visitor

    client.force_login(UserFactory())
    member = text(client.get(f"/delegations/{delegation.pk}/"))

    quiet = Organisation.objects.get(name="Quiet Pumps")
    assert f'href="/organisations/{quiet.pk}/"' in member
    assert [person for person in people if person in member] == people
    assert "<li>Søren Nielsen, Director</li>" in member  # one person a line
    assert "signed-in users only" not in member


@pytest.mark.django_db
def test_a_members_only_leading_organisation_is_named_but_not_linked_for_a_visitor(client, delegation):
    leader = delegation.leader_organisation
    leader.visibility = Organisation.Visibility.MEMBERS
    leader.save()
    link = f'href="/organisations/{leader.pk}/"'

    visitor = text(client.get(f"/delegations/{delegation.pk}/"))
    assert "City of Copenhagen" in visitor
    assert link not in visitor

    client.force_login(UserFactory())
    assert link in text(client.get(f"/delegations/{delegation.pk}/"))


@pytest.mark.django_db
def test_a_private_event_on_the_itinerary_is_hidden_from_a_visitor(client, delegation):
    private = delegation.events.get(name="Closed utility visit")

    visitor = text(client.get(f"/delegations/{delegation.pk}/"))
    assert "Beijing water roundtable" in visitor
    assert "Closed utility visit" not in visitor
    assert f'href="/events/{private.pk}/"' not in visitor

    organiser = UserFactory()
    private.organisers.add(organiser)
    client.force_login(organiser)
    assert f'href="/events/{private.pk}/"' in text(client.get(f"/delegations/{delegation.pk}/"))


@pytest.mark.django_db
def test_the_page_in_chinese_shows_the_chinese_name_and_keeps_the_english_one(client, delegation):
    client.cookies["greenbridge_language"] = "zh-hans"

    html = text(client.get(f"/delegations/{delegation.pk}/"))

    assert '<h1 class="page__title" lang="zh-Hans">哥本哈根水务代表团访问北京</h1>' in html
    assert 'lang="en">Copenhagen water delegation to Beijing</p>' in html
    assert "成员机构" in html
    assert "行程" in html


@pytest.mark.django_db
def test_an_unknown_delegation_is_404(client, delegation):
    assert client.get(f"/delegations/{delegation.pk + 1000}/").status_code == 404
    assert client.get(f"/delegations/{delegation.pk}/").status_code == 200
