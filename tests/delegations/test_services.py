"""``delegations.services``: a delegation and its members, created or updated by a stable key."""

import pytest

from companies.models import Sector
from delegations import services
from delegations.models import Delegation, DelegationMember
from tests.factories import DelegationFactory, EventFactory, OrganisationFactory, UserFactory

FIELDS = {
    "name": "Shandong port delegation to Norway",
    "origin_country": "CN",
    "destination_country": "NO",
    "starts_on": "2027-03-01",
    "ends_on": "2027-03-05",
}


@pytest.mark.django_db
def test_upsert_creates_once_then_updates_and_replaces_sectors_and_events():
    first, second = UserFactory(), UserFactory()
    event = EventFactory()
    delegation, created = services.delegation_upsert(
        external_id="shandong-2027",
        fields=FIELDS,
        sectors=Sector.objects.filter(slug="water.sludge"),
        events=[event],
        organisers=[first],
    )
    assert created

    again, created = services.delegation_upsert(
        external_id="shandong-2027",
        fields={**FIELDS, "name": "Shandong green port delegation"},
        sectors=Sector.objects.filter(slug="energy.district-heating"),
        events=[],
        organisers=[second],
    )

    assert not created and again.pk == delegation.pk
    assert Delegation.objects.get(pk=delegation.pk).name == "Shandong green port delegation"
    assert list(again.sectors.values_list("slug", flat=True)) == ["energy.district-heating"]
    assert not again.events.exists()
    # Organisers are added, never removed here.
    assert set(again.organisers.all()) == {first, second}


@pytest.mark.django_db
def test_upsert_leaves_sectors_and_events_alone_when_not_given():
    delegation = DelegationFactory(external_id="kept")
    delegation.sectors.set(Sector.objects.filter(slug="water.sludge"))
    delegation.events.add(EventFactory())

    services.delegation_upsert(external_id="kept", fields={"name": "Renamed"})

    assert delegation.sectors.count() == 1 and delegation.events.count() == 1


@pytest.mark.django_db
def test_a_member_is_added_once_and_its_people_updated():
    delegation, organisation = DelegationFactory(), OrganisationFactory()

    _member, created = services.member_upsert(delegation=delegation, organisation=organisation, people="A. Hansen")
    member, created_again = services.member_upsert(
        delegation=delegation, organisation=organisation, people="A. Hansen\nB. Olsen"
    )

    assert created and not created_again
    assert DelegationMember.objects.filter(delegation=delegation).count() == 1
    assert member.people == "A. Hansen\nB. Olsen"
