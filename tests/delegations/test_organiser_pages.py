"""Creating and editing a delegation in the browser's forms, and who may; members-only delegations."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from delegations.models import Delegation
from tests.factories import DelegationFactory, OrganisationFactory, UserFactory

VALID = {
    "name": "Shandong green port delegation to Norway",
    "name_zh": "山东绿色港口代表团访问挪威",
    "origin_country": "CN",
    "origin_region": "CN-SD",
    "destination_country": "NO",
    "destination_region": "",
    "leader": "Vice Governor of Shandong",
    "leader_organisation": "",
    "starts_on": "2027-04-12",
    "ends_on": "2027-04-16",
    "purpose": "Shore power, port electrification and green shipping.",
    "sectors": ["water.sludge"],
    "timezone": "Europe/Oslo",
    "visibility": "public",
    "co_organisers": "",
}


@pytest.fixture
def organiser(db):
    user = UserFactory(email="ingrid@innovationnorway.example")
    user.user_permissions.add(Permission.objects.get(codename="add_event", content_type__app_label="events"))
    return user


@pytest.mark.django_db
def test_an_organiser_creates_a_delegation_and_becomes_its_organiser(client, organiser):
    colleague = UserFactory(email="Lars@InnovationNorway.example")
    leader = OrganisationFactory(name="Shandong Port Group", country="CN")
    client.force_login(organiser)

    response = client.post(
        reverse("delegations:create"),
        {**VALID, "leader_organisation": leader.pk, "co_organisers": "lars@innovationnorway.example"},
    )

    delegation = Delegation.objects.get(name=VALID["name"])
    assert response.status_code == 302 and response.url == reverse("delegations:detail", args=[delegation.pk])
    assert set(delegation.organisers.all()) == {organiser, colleague}
    assert delegation.origin_region.code == "CN-SD" and delegation.leader_organisation == leader
    assert list(delegation.sectors.values_list("slug", flat=True)) == ["water.sludge"]
    page = client.get(response.url).content.decode()
    assert "山东绿色港口代表团访问挪威" in page and reverse("delegations:edit", args=[delegation.pk]) in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"co_organisers": "nobody@example.org, ingrid@innovationnorway.example"},
            "co_organisers",
            "nobody@example.org",
        ),
        ({"destination_region": "CN-BJ"}, "destination_region", "only be chosen for China"),
        ({"ends_on": "2027-04-01"}, "ends_on", "must not be before the first day"),
        ({"name": ""}, "name", "This field is required"),
        ({"starts_on": "12 April"}, "starts_on", "Enter a valid date"),
    ],
)
def test_a_bad_field_is_shown_with_its_error_and_nothing_is_written(client, organiser, change, field, message):
    client.force_login(organiser)

    response = client.post(reverse("delegations:create"), {**VALID, **change})

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Delegation.objects.exists()


@pytest.mark.django_db
def test_creating_needs_the_organisers_permission(client):
    assert client.get(reverse("delegations:create")).status_code == 302  # to the login page
    client.force_login(UserFactory())
    assert client.get(reverse("delegations:create")).status_code == 403
    assert client.post(reverse("delegations:create"), VALID).status_code == 403
    assert not Delegation.objects.exists()
    assert "New delegation" not in client.get(reverse("delegations:list")).content.decode()


@pytest.mark.django_db
def test_only_its_organisers_and_administrators_edit_a_delegation(client, organiser):
    delegation = DelegationFactory(name="Old name")
    delegation.organisers.add(organiser)
    url = reverse("delegations:edit", args=[delegation.pk])

    client.force_login(UserFactory(is_staff=True))
    assert client.post(url, VALID).status_code == 403
    client.force_login(organiser)
    assert client.get(url).status_code == 200
    assert client.post(url, {**VALID, "sectors": []}).status_code == 302
    delegation.refresh_from_db()
    assert delegation.name == VALID["name"] and not delegation.sectors.exists()
    client.force_login(UserFactory(is_superuser=True))
    assert client.post(url, {**VALID, "name": "By the administrator"}).status_code == 302


@pytest.mark.django_db
def test_a_members_only_delegation_is_hidden_from_visitors_in_pages_and_the_api(client):
    hidden = DelegationFactory(name="Quiet delegation", visibility=Delegation.Visibility.MEMBERS)
    DelegationFactory(name="Open delegation")

    assert client.get(reverse("delegations:detail", args=[hidden.pk])).status_code == 404
    assert "Quiet delegation" not in client.get(reverse("delegations:list")).content.decode()
    assert [d["name"] for d in client.get("/api/v1/delegations/").json()["results"]] == ["Open delegation"]

    client.force_login(UserFactory())
    assert client.get(reverse("delegations:detail", args=[hidden.pk])).status_code == 200
    assert "Quiet delegation" in client.get(reverse("delegations:list")).content.decode()
    assert {d["name"] for d in client.get("/api/v1/delegations/").json()["results"]} == {
        "Quiet delegation",
        "Open delegation",
    }
