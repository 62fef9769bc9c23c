import time

from django.core.management.base import BaseCommand

from matchmaking import rescoring, tasks


class Command(BaseCommand):
    help = "Rescore every organisation against every open demand: in the workers, or inline with --sync."

    def add_arguments(self, parser):
        parser.add_argument("--sync", action="store_true", help="Run here and now instead of in the workers.")

    def handle(self, *args, sync, **options):
        started = time.monotonic()
        if sync:
            run = rescoring.rescore_all()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Rescored {run.total_chunks} chunk(s) of demands in {time.monotonic() - started:.1f} s; "
                    f"{run.matches} matches written."
                )
            )
            return
        run = tasks.start_full_rescoring()
        self.stdout.write(f"Queued rescoring run {run.pk}: {run.total_chunks} chunk(s) for the workers.")
