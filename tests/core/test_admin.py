"""Every admin changelist, add form and change form loads for a superuser."""

import pytest
from django.contrib import admin
from django.urls import reverse

from companies.models import Membership, Region, Sector
from delegations.models import Delegation, DelegationMember
from events.models import Availability, MeetingPreference, MeetingRequest
from matchmaking.models import Match
from tests.factories import (
    DemandFactory,
    MeetingSlotFactory,
    MembershipFactory,
    RegistrationFactory,
    TableFactory,
    UserFactory,
    meeting_create,
)

PROJECT_APPS = {"core", "companies", "matchmaking", "events", "delegations"}
PROJECT_MODELS = [model for model in admin.site._registry if model._meta.app_label in PROJECT_APPS]


@pytest.fixture
def superuser_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def one_of_everything():
    """At least one row of each model, so that change forms and list columns render real data."""
    event = MeetingSlotFactory().event
    slot = event.slots.get()
    TableFactory(event=event)
    ana, bo = RegistrationFactory.create_batch(2, event=event)
    meeting_create(slot=slot, first=ana, second=bo, table=event.tables.get())
    Availability.objects.create(registration=ana, slot=slot, available=False)
    MeetingRequest.objects.create(event=event, requester=ana, recipient=bo, message="Shore power?")
    MeetingPreference.objects.create(registration=ana, target=bo, level=MeetingPreference.Level.MUST)
    demand = DemandFactory()
    Match.objects.create(organisation=ana.organisation, demand=demand, score=0.7, rank=1)
    MembershipFactory(organisation=ana.organisation, role=Membership.Role.ADMIN)
    delegation = Delegation.objects.create(
        name="Copenhagen water delegation",
        origin_country="DK",
        destination_country="CN",
        destination_region=Region.objects.get(code="CN-BJ"),
        starts_on="2027-05-01",
        ends_on="2027-05-05",
    )
    delegation.sectors.add(Sector.objects.get(slug="water.supply"))
    DelegationMember.objects.create(delegation=delegation, organisation=bo.organisation, people="Sofie Jensen")
    from core.models import Heartbeat

    Heartbeat.objects.create(note="admin test", worker="test:1")
    from events.models import SchedulingRun

    SchedulingRun.objects.create(event=event, status=SchedulingRun.Status.DONE, progress=1.0, meetings=1, upper_bound=1)


def test_every_model_of_the_domain_is_in_the_admin():
    names = {model.__name__ for model in PROJECT_MODELS}
    assert names >= {
        "Organisation",
        "Membership",
        "Sector",
        "Region",
        "Demand",
        "Match",
        "Event",
        "Registration",
        "MeetingSlot",
        "Table",
        "Availability",
        "MeetingRequest",
        "Meeting",
        "Delegation",
        "DelegationMember",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("model", PROJECT_MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_search_and_forms_load(superuser_client, one_of_everything, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    response = superuser_client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1

    if admin.site._registry[model].search_fields:
        assert superuser_client.get(changelist, {"q": "a"}).status_code == 200
    assert superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200
    first = model.objects.first()
    assert (
        superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])).status_code
        == 200
    )


@pytest.mark.django_db
def test_admin_refuses_a_visitor(client):
    response = client.get(reverse("admin:companies_organisation_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
