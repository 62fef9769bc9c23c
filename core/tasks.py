import os
import socket

from celery import shared_task

from core.models import Heartbeat


@shared_task(name="core.heartbeat", acks_late=True, soft_time_limit=30, time_limit=60)
def heartbeat(*, note=""):
    """Record that a worker ran a task: the end-to-end proof of the Celery wiring."""
    row = Heartbeat.objects.create(note=note[:200], worker=f"{socket.gethostname()}:{os.getpid()}")
    return row.pk
