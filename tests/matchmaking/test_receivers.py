"""matchmaking.receivers: a profile saved in companies is rescored, after the commit, by a worker."""

import time

import pytest
from django.db import transaction

from companies.models import Sector
from companies.services import organisation_create, organisation_update
from core import hooks
from matchmaking.models import Match
from tests.factories import DemandFactory, MembershipFactory, UserFactory


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.django_db
def test_creating_and_editing_a_profile_each_queue_one_rescoring_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as created:
        organisation = organisation_create(creator=UserFactory(), fields={"name": "Cambi", "country": "NO"})
    admin = organisation.memberships.get().user
    with django_capture_on_commit_callbacks() as edited:
        organisation_update(actor=admin, organisation=organisation, fields={"city": "Asker"})

    assert (len(created), len(edited)) == (1, 1)


@pytest.mark.django_db
def test_the_receiver_is_connected_when_the_app_is_ready(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        hooks.emit(hooks.ORGANISATION_SAVED, organisation_id=1)

    assert len(queued) == 1


@pytest.mark.django_db
def test_a_rolled_back_edit_queues_nothing_and_a_kept_one_its_rescoring(django_capture_on_commit_callbacks):
    admin = MembershipFactory(role="admin")
    with django_capture_on_commit_callbacks() as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            organisation_update(actor=admin.user, organisation=admin.organisation, fields={"city": "Asker"})
            raise RuntimeError
        assert queued == []
        with transaction.atomic():
            organisation_update(actor=admin.user, organisation=admin.organisation, fields={"city": "Bergen"})

    assert len(queued) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edited_profile_is_matched_to_an_existing_demand_by_a_real_worker(celery_worker, reference_data):
    sludge = list(Sector.objects.filter(slug="water.sludge"))
    demand = DemandFactory(title="Sludge treatment", description="Thermal hydrolysis of sewage sludge")
    demand.sectors.set(sludge)
    supplier = MembershipFactory(organisation__name="Cambi", organisation__country="NO", role="admin")
    assert not Match.objects.filter(organisation=supplier.organisation).exists()

    organisation_update(
        actor=supplier.user,
        organisation=supplier.organisation,
        fields={"description": "Thermal hydrolysis of sewage sludge.", "sectors": sludge},
    )

    assert wait_for(lambda: Match.objects.filter(demand=demand, organisation=supplier.organisation).exists())
