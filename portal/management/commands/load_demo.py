from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from matchmaking.imports import DirectoryImportError
from portal.demo import DEMO_PASSWORD, demo_load


class Command(BaseCommand):
    help = (
        "Load the demo directory (real Nordic and Chinese organisations and demands), demo users, "
        "an upcoming B2B day and a delegation. Safe to rerun: nothing is duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when the database already holds organisations."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (the demo users share a published password).",
        )

    def handle(self, *args, if_empty, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                f"Refusing to load demo data with DEBUG off: it creates users whose password is "
                f"“{DEMO_PASSWORD}”. Add --force if this really is a demo installation."
            )
        try:
            result = demo_load(if_empty=if_empty)
        except DirectoryImportError as exc:
            raise CommandError("The demo directory is invalid; nothing was loaded:\n" + "\n".join(exc.errors)) from exc
        if result["skipped"]:
            self.stdout.write(
                f"Demo data skipped: {result['reason']} ({result['totals']['organisations']} organisations)."
            )
            return
        for kind, total in result["totals"].items():
            self.stdout.write(f"{kind}: {total} ({result['created'].get(kind, 0)} new)")
        self.stdout.write(f"The B2B day starts {result['event_starts_at']:%Y-%m-%d %H:%M} UTC.")
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded. Demo logins are in {result['logins_file']}."))
