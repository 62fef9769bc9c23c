"""Shared fixtures.  No mocks for the database, the broker or the worker.

``celery_worker`` starts a real ``celery worker`` process on the configured
broker (Redis when REDIS_URL is set, as in CI; otherwise the embedded filesystem
broker) against the test database, listening on a queue private to this test
session so that no other worker on the machine can take its tasks.
"""

import importlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parent.parent


def _database_url(settings_dict):
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{settings_dict['NAME']}"
    return "postgres://{USER}:{PASSWORD}@{HOST}:{PORT}/{NAME}".format(
        **{k: settings_dict.get(k) or "" for k in ("USER", "PASSWORD", "HOST", "PORT", "NAME")}
    )


@pytest.fixture(scope="session")
def celery_queue():
    queue = f"greenbridge-test-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = queue
    yield queue
    app.conf.task_default_queue = previous


def start_worker(*, database_url, queue, log, extra_env=None):
    """Start a real ``celery worker`` process on ``queue``; returns it once it answers a ping."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "CELERY_QUEUE": queue,  # tasks the worker itself queues stay on the private queue
        # The webhook tests' receivers listen on 127.0.0.1; their retries need not wait long.
        "WEBHOOK_ALLOW_LOOPBACK": "true",
        "WEBHOOK_RETRY_BACKOFF": "0.1",
        **(extra_env or {}),
    }
    hostname = f"{queue}-{uuid.uuid4().hex[:6]}@%h"
    with log.open("a") as log_file:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "solo",
                "--loglevel",
                "INFO",
                "--queues",
                queue,
                "--hostname",
                hostname,
                "--without-gossip",
                "--without-mingle",
            ],  # fmt: skip
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not app.control.ping(destination=[hostname.replace("%h", os.uname().nodename)], timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            stop_worker(process)
            pytest.fail(f"The Celery worker did not start. Its log:\n{log.read_text()}")
    return process


def stop_worker(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def database_url():
    return _database_url(connection.settings_dict)


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, celery_queue, tmp_path_factory):
    """A real worker process, started once per test session."""
    with django_db_blocker.unblock():
        url = database_url()
    process = start_worker(database_url=url, queue=celery_queue, log=tmp_path_factory.mktemp("celery") / "worker.log")
    try:
        yield process
    finally:
        stop_worker(process)


@pytest.fixture
def reference_data(django_db_blocker):
    """Sectors, regions and partnership kinds, as the data migration writes them.

    A transactional test ends with a flush that empties every table, the data
    migration's rows included; tests that need them after such a test ask for this.
    """
    from django.apps import apps

    from companies.models import Sector

    with django_db_blocker.unblock():
        if not Sector.objects.exists():
            importlib.import_module("companies.migrations.0002_reference_data").load(apps, None)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in English: a request in Chinese leaves its language active in the thread."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: allauth keeps its rate-limit counters there; the
    reference names of match reasons are kept in the process."""
    from django.core.cache import cache

    from matchmaking.reasons import forget_reference_names

    cache.clear()
    forget_reference_names()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _forget_engine_features():
    """The engine keeps features in process memory between rescorings; tests start without."""
    from matchmaking import rescoring

    rescoring.forget_features()
    yield
    rescoring.forget_features()
