"""An organisation's profile page /organisations/<id>/: what it shows, to whom, at what cost."""

import pytest
from django.urls import reverse

from companies.models import Membership
from matchmaking.models import Demand
from tests.factories import DemandFactory, MembershipFactory, UserFactory


def detail_url(org):
    return reverse("companies:organisation_detail", args=[org.pk])


def test_an_unknown_profile_is_a_404(client, db):
    assert client.get(reverse("companies:organisation_detail", args=[999999])).status_code == 404


# --- Profile ----------------------------------------------------------------------------------


@pytest.fixture
def cambi(tagged_organisation):
    return tagged_organisation(
        name="Cambi",
        name_zh="康碧",
        country="NO",
        city="Asker",
        website="https://www.cambi.com",
        description="Thermal hydrolysis.",
        description_zh="热水解技术。",
        sectors=["water.sludge", "water.wastewater", "circular.organic-waste"],
        regions=["CN-BJ", "CN-SH"],
        looking_for=["pilot"],
        employees=250,
        founded=1989,
        verified=True,
    )


def test_the_profile_shows_the_whole_organisation(client, cambi):
    MembershipFactory(organisation=cambi, status=Membership.Status.ACTIVE)
    MembershipFactory(organisation=cambi, status=Membership.Status.PENDING)

    response = client.get(detail_url(cambi))
    content = response.content.decode()

    assert response.status_code == 200
    assert "<title>Cambi · GreenBridge</title>" in content
    assert '<p class="profile-head__alt-name" lang="zh-Hans">康碧</p>' in content
    assert '<span class="badge badge--verified">Verified</span>' in content
    assert "Asker, Norway" in content
    assert '<a class="profile-head__website" href="https://www.cambi.com" rel="noopener nofollow"' in content
    assert '<div class="description__text" lang="en"><p>Thermal hydrolysis.</p></div>' in content
    assert '<div class="description__text" lang="zh-Hans"><p>热水解技术。</p></div>' in content
    assert content.index("In English") < content.index("In Chinese")
    assert "Beijing" in content and "Shanghai" in content
    assert "Pilot project" in content
    assert "<dd>250</dd>" in content
    assert "<dd>1989</dd>" in content

    profile = response.context["profile"]
    assert [(g.group.slug, [s.slug for s in g.leaves]) for g in profile.sector_groups] == [
        ("water", ["water.wastewater", "water.sludge"]),
        ("circular", ["circular.organic-waste"]),
    ]
    assert profile.members_count == 1


def test_the_profile_in_chinese_leads_with_the_chinese_name_and_description(client, cambi):
    content = client.get(detail_url(cambi), headers={"accept-language": "zh-hans"}).content.decode()
    assert '<span lang="zh-Hans">康碧</span>' in content
    assert '<p class="profile-head__alt-name">Cambi</p>' in content
    assert content.index('lang="zh-Hans"><p>热水解技术。') < content.index('lang="en"><p>Thermal hydrolysis.')


def test_the_profile_lists_only_the_open_demands(client, cambi):
    open_demand = DemandFactory(organisation=cambi, title="Sludge pilot in Beijing")
    DemandFactory(organisation=cambi, title="Closed need", status=Demand.Status.CLOSED)

    content = client.get(detail_url(cambi)).content.decode()

    assert f'href="/demands/{open_demand.pk}/"' in content
    assert "Sludge pilot in Beijing" in content
    assert "Closed need" not in content


def test_a_visitor_is_asked_to_log_in_to_join(client, cambi):
    content = client.get(detail_url(cambi)).content.decode()
    assert "Log in to join" in content
    assert reverse("companies:membership_request", args=[cambi.pk]) not in content
    assert reverse("companies:organisation_edit", args=[cambi.pk]) not in content


def test_a_signed_in_outsider_can_ask_to_join(client, cambi):
    client.force_login(UserFactory())
    content = client.get(detail_url(cambi)).content.decode()

    assert f'<form method="post" action="{reverse("companies:membership_request", args=[cambi.pk])}">' in content
    assert 'name="csrfmiddlewaretoken"' in content
    assert "Ask to join" in content
    assert reverse("companies:organisation_edit", args=[cambi.pk]) not in content


def test_a_pending_requester_is_told_to_wait(client, cambi):
    membership = MembershipFactory(organisation=cambi, status=Membership.Status.PENDING)
    client.force_login(membership.user)
    content = client.get(detail_url(cambi)).content.decode()
    assert "waiting for the admins" in content
    assert "Ask to join" not in content


def test_a_plain_member_sees_neither_join_nor_edit(client, cambi):
    membership = MembershipFactory(organisation=cambi, role=Membership.Role.MEMBER)
    client.force_login(membership.user)
    content = client.get(detail_url(cambi)).content.decode()
    assert "You are a member of this organisation." in content
    assert "Ask to join" not in content
    assert reverse("companies:organisation_edit", args=[cambi.pk]) not in content


def test_an_admin_sees_edit_and_members(client, cambi):
    membership = MembershipFactory(organisation=cambi, role=Membership.Role.ADMIN)
    client.force_login(membership.user)
    content = client.get(detail_url(cambi)).content.decode()
    assert f'href="{reverse("companies:organisation_edit", args=[cambi.pk])}">Edit profile<' in content
    assert f'href="{reverse("companies:member_list", args=[cambi.pk])}">Members<' in content
    assert "Ask to join" not in content


# --- Query counts ---------------------------------------------------------------------------


PROFILE_SECTORS = ["water.sludge", "water.wastewater", "energy.district-heating"]


@pytest.mark.parametrize("sector_count", [1, 3])
def test_the_profile_runs_a_fixed_number_of_queries(
    client, tagged_organisation, django_assert_num_queries, sector_count
):
    org = tagged_organisation(
        name="Cambi", sectors=PROFILE_SECTORS[:sector_count], regions=["CN-BJ"], looking_for=["pilot"]
    )
    for _ in range(sector_count):
        DemandFactory(organisation=org)
        MembershipFactory(organisation=org)

    # The organisation with its members count; sectors; target regions; looking for; open demands.
    with django_assert_num_queries(5):
        response = client.get(detail_url(org))
    assert len(response.context["profile"].open_demands) == sector_count

    # Signed in: the session and the user, the viewer's membership, the admin check.
    client.force_login(UserFactory())
    with django_assert_num_queries(9):
        client.get(detail_url(org))
