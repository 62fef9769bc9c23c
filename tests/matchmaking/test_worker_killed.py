"""A worker killed with SIGKILL in the middle of a full rescoring, then a fresh worker: the run
completes, the stored matches are exactly those of the same run done inline without a kill, and
no pair is stored twice.

Needs Redis (as in CI): the broker hands a task that a dead worker took but never acknowledged
(tasks are acknowledged late) to the next worker once its visibility timeout passes, here 3 s.
"""

import os
import random
import signal
import time
import uuid

import pytest
from django.db.models import Count

from companies.models import Sector
from config.celery import app
from matchmaking import rescoring, tasks
from matchmaking.models import Match, RescoringRun
from tests.conftest import database_url, start_worker, stop_worker
from tests.factories import DemandFactory, OrganisationFactory

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis as the broker (CI sets REDIS_URL and starts it)"
)


def stored():
    return sorted(Match.objects.values_list("organisation_id", "demand_id", "score", "rank", "published"))


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_mid_rescoring_leaves_complete_results_and_no_duplicates(reference_data, tmp_path):
    sludge, heat = Sector.objects.get(slug="water.sludge"), Sector.objects.get(slug="energy.district-heating")
    words = [
        "sludge",
        "drying",
        "biogas",
        "digestion",
        "hydrolysis",
        "incineration",
        "phosphorus",
        "recovery",
        "heat",
        "pump",
        "boiler",
        "network",
        "pipes",
        "metering",
        "leakage",
        "membrane",
        "filtration",
        "ozone",
        "aeration",
        "sensors",
        "dewatering",
    ]
    pick = random.Random(20261124).sample  # distinct texts, so that scores rarely tie
    buyer = OrganisationFactory(country="CN")
    for i in range(60):
        supplier = OrganisationFactory(country="NO", description=" ".join(pick(words, 3 + i % 5)))
        supplier.sectors.set([sludge, heat][: 1 + i % 2])
    for _ in range(40):
        demand = DemandFactory(organisation=buyer, description=" ".join(pick(words, 4)))
        demand.sectors.set([sludge])

    queue = f"greenbridge-kill-{uuid.uuid4().hex[:8]}"
    previous_queue, app.conf.task_default_queue = app.conf.task_default_queue, queue
    fast_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "3"}
    log = tmp_path / "workers.log"
    first = start_worker(database_url=database_url(), queue=queue, log=log, extra_env=fast_redelivery)
    second = None
    try:
        run = tasks.start_full_rescoring(chunk_size=1)  # 40 chunks, one demand each
        deadline = time.monotonic() + 60
        while RescoringRun.objects.get(pk=run.pk).done_chunks < 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        done_at_kill = RescoringRun.objects.get(pk=run.pk).done_chunks
        assert 1 <= done_at_kill < run.total_chunks, "the worker must die in the middle of the run"

        second = start_worker(database_url=database_url(), queue=queue, log=log, extra_env=fast_redelivery)
        deadline = time.monotonic() + 90
        while RescoringRun.objects.get(pk=run.pk).status != "done" and time.monotonic() < deadline:
            time.sleep(0.25)
        run.refresh_from_db()
        assert (run.status, run.done_chunks) == ("done", run.total_chunks), log.read_text()[-3000:]
    finally:
        app.conf.task_default_queue = previous_queue
        if first.poll() is None:
            stop_worker(first)
        if second is not None:
            stop_worker(second)

    pairs = Match.objects.values("organisation", "demand").annotate(n=Count("id")).filter(n__gt=1)
    assert not pairs.exists()
    after_the_kill = stored()
    assert len({demand for _org, demand, *_rest in after_the_kill}) == 40  # every demand was scored
    Match.objects.all().delete()
    rescore_in_chunks(size=1)  # the same run, inline and uninterrupted, from scratch
    assert stored() == after_the_kill


def rescore_in_chunks(*, size):
    run, chunks = rescoring.rescore_start(chunk_size=size)
    features = rescoring.load_features()
    for index, chunk in enumerate(chunks):
        rescoring.rescore_chunk(demand_ids=chunk, run_id=run.pk, chunk_index=index, features=features)
    rescoring.rescore_finish(run_id=run.pk)
