import pytest
from django.urls import reverse

from config.celery import app
from tests.factories import DemandFactory, EventFactory


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_as_json(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "transport": app.conf.broker_url.split(":")[0]}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable(client):
    # Nothing listens on port 1; the check opens a fresh connection each time.
    app.conf.broker_url, previous = "redis://127.0.0.1:1/0", app.conf.broker_url
    try:
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = previous

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["broker"]["ok"] is False


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
