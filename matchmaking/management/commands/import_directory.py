from django.core.management.base import BaseCommand, CommandError

from matchmaking.imports import DirectoryImportError, directory_file_read, directory_import


class Command(BaseCommand):
    help = (
        "Import organisations and demands from a JSON file (or organisations from a CSV file), "
        "upserting by external_id. Every record is validated first; if any is bad, each is "
        "reported with its position and nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A .json directory file or a .csv file of organisations.")

    def handle(self, *args, file, **options):
        try:
            report = directory_import(data=directory_file_read(file))
        except DirectoryImportError as exc:
            for line in exc.errors:
                self.stderr.write(f"  {line}")
            raise CommandError(f"{len(exc.errors)} problem(s) in {file}; nothing was imported.") from None
        for line in report.summary_lines():
            self.stdout.write(line)
