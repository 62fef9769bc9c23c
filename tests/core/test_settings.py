"""Production mode refuses unsafe settings; checked in fresh processes, as a deployment would start."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "x" * 50


def start(tmp_path, **env):
    # Only what a deployment would set: nothing of the test run (the browser tests' async switch included).
    unset = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings", GREENBRIDGE_VAR_DIR=str(tmp_path))
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DJANGO_DEBUG": "false", "ALLOWED_HOSTS": "greenbridge.example"}, "SECRET_KEY is unset"),
        ({"DJANGO_DEBUG": "false", "ALLOWED_HOSTS": "greenbridge.example", "SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DJANGO_DEBUG": "false", "SECRET_KEY": STRONG_KEY}, "ALLOWED_HOSTS is empty"),
        ({"MATCH_MIN_SCORE": "1.5"}, "MATCH_MIN_SCORE must be between 0 and 1"),
    ],
)
def test_unsafe_or_invalid_settings_stop_the_process(tmp_path, env, message):
    result = start(tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_mode_with_safe_settings_passes_the_deployment_checks(tmp_path):
    result = start(
        tmp_path, DJANGO_DEBUG="false", SECRET_KEY=STRONG_KEY + "-Zq9#kP2", ALLOWED_HOSTS="greenbridge.example"
    )
    assert result.returncode == 0, result.stderr
