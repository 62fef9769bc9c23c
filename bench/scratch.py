"""Set-up shared by the benchmarks: Django on a scratch database, migrated."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_on_scratch_database(keep=None):
    """Without DATABASE_URL, a fresh SQLite file in a temporary folder; with it, that database.

    ``keep`` names a folder for the SQLite file instead, kept between runs (so that a
    benchmark can skip an import it already did).
    """
    sys.path.insert(0, str(ROOT))
    if "DATABASE_URL" not in os.environ:
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
        os.environ["GREENBRIDGE_VAR_DIR"] = str(keep or tempfile.mkdtemp(prefix="greenbridge-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def reference_codes():
    """(sector slugs, region codes) as the data migration wrote them."""
    from companies.models import Region, Sector

    return list(Sector.objects.values_list("slug", flat=True)), list(Region.objects.values_list("code", flat=True))
