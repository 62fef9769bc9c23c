#!/usr/bin/env python
"""Time from saving a demand to its matches being visible in the API, with a real worker.

    .venv/bin/python bench/save_to_match.py [--repeat 5]

Loads the demo directory into a fresh SQLite file (or uses DATABASE_URL), starts gunicorn and
a real ``celery worker`` process on the configured broker (Redis when REDIS_URL is set,
otherwise the embedded file broker), warms the worker with one save, then several times:
POSTs a demand to ``/api/v1/demands/`` with a read-write key and polls
``GET /api/v1/matches/?demand=<id>`` until its matches are listed.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from scratch import ROOT, django_on_scratch_database


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url, key, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Authorization": f"Bearer {key}"})  # noqa: S310
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own local server)
        return json.load(response)


def wait_until_up(url, timeout=60):
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    django_on_scratch_database()
    from django.conf import settings
    from django.core.management import call_command

    from api.services import create_api_key
    from companies.models import Membership

    call_command("load_demo", verbosity=0)
    buyer = Membership.objects.select_related("organisation").get(user__email="buyer@greenbridge.example").organisation
    _, key = create_api_key(name="bench", organisation=buyer, write=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1", "--loglevel", "WARNING"],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(  # noqa: S603 (our own command line)
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        ),
    ]
    broker = "Redis" if settings.REDIS_URL else "embedded file broker"
    timings = []
    try:
        wait_until_up(f"{base}/healthz")
        for attempt in range(args.repeat + 1):  # the first one warms the worker (features into memory)
            started = time.perf_counter()
            demand = call(
                f"{base}/api/v1/demands/",
                key,
                {"title": f"Shore power for berth {attempt}", "description": "Shore power and battery ferries",
                 "sectors": ["maritime.ports", "maritime.shipping"]},
            )  # fmt: skip
            while not call(f"{base}/api/v1/matches/?demand={demand['id']}", key)["results"]:
                if time.perf_counter() - started > 120:
                    raise SystemExit("no matches after 120 s: is the worker running?")
                time.sleep(0.02)
            if attempt:
                timings.append(time.perf_counter() - started)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
    print(
        f"POST /api/v1/demands/ → its matches in GET /api/v1/matches/, {broker}, {args.repeat} saves: "
        f"median {statistics.median(timings):.2f} s, max {max(timings):.2f} s"
    )


if __name__ == "__main__":
    main()
