import logging

import pytest
from django.urls import reverse

from config.celery import app
from tests.factories import DemandFactory, EventFactory


@pytest.mark.django_db
def test_healthz_says_ok_per_part_and_nothing_more(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable_and_logs_why(client, caplog):
    # Nothing listens on port 1; the check opens a fresh connection each time.
    app.conf.broker_url, previous = "redis://127.0.0.1:1/0", app.conf.broker_url
    try:
        with caplog.at_level(logging.ERROR, logger="portal.health"):
            response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "unavailable"}
    # The public answer names no host or error; the log does.
    assert "127.0.0.1" not in response.content.decode()
    assert "broker (redis) is unavailable" in caplog.text


@pytest.mark.django_db
def test_the_home_page_shows_upcoming_events_and_latest_public_demands(client):
    EventFactory(name="Shandong–Norway B2B day")
    DemandFactory(title="Thermal hydrolysis for Beijing sludge")
    DemandFactory(title="Hidden demand", organisation__visibility="members")

    response = client.get(reverse("home"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Shandong–Norway B2B day" in content
    assert "Thermal hydrolysis for Beijing sludge" in content
    assert "Hidden demand" not in content


@pytest.mark.django_db
def test_the_home_page_speaks_chinese_after_switching_language(client):
    response = client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert response.status_code == 302

    response = client.get(reverse("home"))

    assert response.headers["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans"' in response.content.decode()
