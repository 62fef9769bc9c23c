"""A lean start-up: the web server and ``manage.py`` load no numerical library until work needs it.

scikit-learn, SciPy and NumPy are needed to score matches (the worker's rescoring), OR-Tools
to schedule meetings; a process that only serves pages must not pay their import time.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sklearn", "scipy", "numpy", "ortools")


def imported_modules(*args):
    """The modules ``python -X importtime`` reports for ``args`` (run in a fresh process)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


def heavy(modules):
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_manage_py_check_imports_no_numerical_library():
    modules = imported_modules("manage.py", "check")

    assert "companies.views.onboarding" in modules  # the project and its URLs were really loaded
    assert heavy(modules) == []


def test_loading_every_url_and_view_imports_no_numerical_library():
    code = "import django; django.setup(); from django.urls import get_resolver; get_resolver().url_patterns"
    modules = imported_modules("-c", code)

    assert "matchmaking.views" in modules or any(m.startswith("matchmaking.views.") for m in modules)
    assert heavy(modules) == []
