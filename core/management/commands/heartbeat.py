import time

from celery.exceptions import TimeoutError as CeleryTimeout
from django.core.management.base import BaseCommand, CommandError

from core.models import Heartbeat
from core.tasks import heartbeat


class Command(BaseCommand):
    help = "Queue a heartbeat task and wait until a worker has run it (checks the Celery wiring)."

    def add_arguments(self, parser):
        parser.add_argument("--wait", type=float, default=30.0, help="Seconds to wait for a worker (default 30).")
        parser.add_argument("--note", default="manage.py heartbeat")

    def handle(self, *args, wait, note, **options):
        started = time.monotonic()
        result = heartbeat.delay(note=note)
        try:
            row_id = result.get(timeout=wait, interval=0.2)
        except CeleryTimeout:
            raise CommandError(f"No worker ran the heartbeat task within {wait:g} s (task {result.id}).") from None
        row = Heartbeat.objects.get(pk=row_id)
        self.stdout.write(
            self.style.SUCCESS(
                f"Worker {row.worker} ran the heartbeat in {time.monotonic() - started:.1f} s (row {row.pk})."
            )
        )
