"""The Celery entry points (``matchmaking.tasks``), with a real worker."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from companies.services import organisation_update
from matchmaking import tasks
from matchmaking.models import Match, RescoringRun
from matchmaking.services import demand_close, demand_create
from tests.factories import DemandFactory, MembershipFactory, OrganisationFactory
from tests.matchmaking.rescoring.sectors import sectors


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_saving_a_demand_and_a_profile_queues_rescoring_that_a_real_worker_runs(celery_worker, reference_data):
    buyer = MembershipFactory(organisation__name="Beijing Drainage Group", organisation__country="CN", role="admin")
    supplier = MembershipFactory(organisation__name="Cambi", organisation__country="NO", role="admin")
    organisation_update(
        actor=supplier.user, organisation=supplier.organisation,
        fields={"description": "Thermal hydrolysis of sewage sludge.", "sectors": sectors("water.sludge")},
    )  # fmt: skip

    fields = {"title_zh": "污泥热水解项目", "description_zh": "寻求污泥热水解技术", "sectors": sectors("water.sludge")}
    demand = demand_create(actor=buyer.user, organisation=buyer.organisation, fields=fields)

    assert wait_for(lambda: Match.objects.filter(demand=demand, organisation=supplier.organisation).exists())
    demand_close(actor=buyer.user, demand=demand)
    assert wait_for(lambda: not Match.objects.filter(demand=demand).exists())


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_full_rescoring_is_split_into_chunks_that_the_worker_runs_to_the_end(celery_worker, reference_data):
    buyer = OrganisationFactory(country="CN")
    for i in range(5):
        supplier = OrganisationFactory(country="NO", description=f"Sludge treatment number {i}")
        supplier.sectors.set(sectors("water.sludge"))
        demand = DemandFactory(organisation=buyer, description="sludge treatment")
        demand.sectors.set(sectors("water.sludge"))

    run = tasks.start_full_rescoring(chunk_size=2)  # outside a transaction: queued at once

    assert run.total_chunks == 3
    assert wait_for(lambda: RescoringRun.objects.get(pk=run.pk).status == "done")
    run.refresh_from_db()
    assert run.done_chunks == 3
    assert Match.objects.filter(published=True).count() == 25


@pytest.mark.django_db
def test_a_full_rescoring_is_queued_as_one_group_after_the_commit(django_capture_on_commit_callbacks, monkeypatch):
    from celery.canvas import group

    sent = []
    monkeypatch.setattr(group, "apply_async", lambda self, *a, **k: sent.append([t.kwargs for t in self.tasks]))
    buyer = OrganisationFactory(country="CN")
    demands = [DemandFactory(organisation=buyer) for _ in range(3)]

    with django_capture_on_commit_callbacks(execute=True):
        run = tasks.start_full_rescoring(chunk_size=2)
        assert sent == []

    ids = [d.pk for d in demands]
    assert sent == [
        [
            {"run_id": run.pk, "chunk_index": 0, "demand_ids": ids[:2]},
            {"run_id": run.pk, "chunk_index": 1, "demand_ids": ids[2:]},
        ]
    ]


def test_importing_the_tasks_loads_no_scoring_library():
    code = (
        "import sys, django; django.setup()\n"
        "import matchmaking.tasks, matchmaking.glossary\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'sklearn', 'scipy', 'numpy'})\n"
        "assert not heavy, heavy[:5]\n"
        "assert 'matchmaking.engine' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    subprocess.run([sys.executable, "-c", code], cwd=root, env=env, check=True)
