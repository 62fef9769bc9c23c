from django.core.management.base import BaseCommand, CommandError

from api import services
from companies.models import Organisation


class Command(BaseCommand):
    help = (
        "Create an API key for a partner system and print it once (only its digest is stored). "
        "A read-write key (--write) posts demands for its organisation, so it needs --organisation."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="What the key is for, e.g. the partner system's name.")
        parser.add_argument("--organisation", metavar="EXTERNAL_ID", help="The external ID of the key's organisation.")
        parser.add_argument("--write", action="store_true", help="Read and write (post demands), not only read.")

    def handle(self, *args, name, organisation, write, **options):
        owner = None
        if organisation:
            owner = Organisation.objects.filter(external_id=organisation).first()
            if owner is None:
                raise CommandError(f"No organisation has the external ID {organisation!r}.")
        if write and owner is None:
            raise CommandError("A read-write key posts demands for its organisation: give --organisation EXTERNAL_ID.")
        if not name.strip():
            raise CommandError("Give the key a name.")
        key, raw = services.create_api_key(name=name.strip()[:100], organisation=owner, write=write)
        scope = "read-write" if write else "read"
        for_whom = f" for {owner.name}" if owner else ""
        self.stderr.write(f"Created {scope} key {key.prefix}…{for_whom}. It is shown once; store it now:")
        self.stdout.write(raw)
