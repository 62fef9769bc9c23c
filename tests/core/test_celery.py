import os

import pytest

from core.models import Heartbeat
from core.tasks import heartbeat


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_process_runs_the_heartbeat_task(celery_worker):
    result = heartbeat.delay(note="from the test")

    row_id = result.get(timeout=60)

    row = Heartbeat.objects.get(pk=row_id)
    assert row.note == "from the test"
    hostname, pid = row.worker.rsplit(":", 1)
    assert int(pid) == celery_worker.pid != os.getpid()
    assert result.status == "SUCCESS"
