"""Webhooks end to end: a demand saved, its delivery sent by a real worker to a real receiver, retries.

The receiver is a real HTTP server on 127.0.0.1 in a thread; the worker process is
started with WEBHOOK_ALLOW_LOOPBACK=true and a 0.1 s retry back-off (tests/conftest.py).
"""

import json
import time

import pytest
from django.db import transaction
from django.urls import reverse

from api import services, tasks
from api.models import WebhookDelivery
from api.webhooks.signing import verify_signature
from matchmaking.models import Demand
from matchmaking.services import demand_create
from tests.api.webhook_support import buyer_admin, demand_fields, wait_for
from tests.factories import WebhookDeliveryFactory


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_new_demand_reaches_the_receiver_signed(celery_worker, reference_data, receivers, loopback):
    receiver = receivers()
    buyer = buyer_admin()
    webhook, secret = services.webhook_register(
        actor=buyer.user, organisation=buyer.organisation, url=receiver.url, events=["demand.created"]
    )

    demand = demand_create(actor=buyer.user, organisation=buyer.organisation, fields=demand_fields())

    assert receiver.wait_for(1)
    request = receiver.requests[0]
    headers, body = request["headers"], request["body"]
    assert verify_signature(secret, headers["X-GreenBridge-Signature"], body)
    assert not verify_signature("whsec_wrong", headers["X-GreenBridge-Signature"], body)
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert headers["X-GreenBridge-Event"] == "demand.created"
    assert headers["X-GreenBridge-Delivery"] == str(delivery.pk)
    assert headers["Content-Type"] == "application/json"
    assert request["path"] == "/greenbridge/events"
    payload = json.loads(body)
    assert sorted(payload) == ["created_at", "data", "event", "id"]
    assert (payload["id"], payload["event"]) == (delivery.pk, "demand.created")
    assert payload["data"]["id"] == demand.pk
    assert payload["data"]["title"] == "Sludge treatment plant"
    assert payload["data"]["organisation"] == {
        "id": buyer.organisation.pk,
        "external_id": buyer.organisation.external_id,
        "name": "Beijing Drainage Group",
        "country": "CN",
    }
    assert wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "delivered")
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_status, delivery.last_error) == (1, 200, "")
    assert delivery.delivered_at is not None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_receiver_failing_twice_gets_the_event_on_the_third_try(
    celery_worker, reference_data, receivers, loopback, client
):
    receiver = receivers(statuses=[500, 500])
    buyer = buyer_admin()
    webhook, secret = services.webhook_register(
        actor=buyer.user, organisation=buyer.organisation, url=receiver.url, events=["demand.created"]
    )

    demand_create(actor=buyer.user, organisation=buyer.organisation, fields=demand_fields())

    assert receiver.wait_for(3)
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert wait_for(lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == "delivered")
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_status) == (3, 200)
    bodies = [request["body"] for request in receiver.requests]
    assert bodies[0] == bodies[1] == bodies[2]  # the same delivery, id and all, each time
    assert all(verify_signature(secret, r["headers"]["X-GreenBridge-Signature"], r["body"]) for r in receiver.requests)
    time.sleep(0.5)
    assert receiver.count() == 3  # nothing more once delivered

    client.force_login(buyer.user)
    page = client.get(reverse("api_pages:webhook_detail", args=[buyer.organisation.pk, webhook.pk]))
    log = page.content.decode()
    assert "Delivered" in log
    assert '<td data-label="Attempts">3</td>' in log


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(
    celery_worker, reference_data, receivers, loopback, settings
):
    receiver = receivers(default=503)
    buyer = buyer_admin()
    webhook, _secret = services.webhook_register(
        actor=buyer.user, organisation=buyer.organisation, url=receiver.url, events=["demand.created"]
    )

    demand_create(actor=buyer.user, organisation=buyer.organisation, fields=demand_fields())

    attempts = settings.WEBHOOK_MAX_ATTEMPTS
    assert wait_for(lambda: WebhookDelivery.objects.filter(webhook=webhook, status="failed").exists())
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert (delivery.attempts, delivery.response_status) == (attempts, 503)
    assert delivery.last_error == "HTTP 503: receiver says no"
    time.sleep(1)
    assert receiver.count() == attempts


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nothing_is_sent_for_a_rolled_back_transaction(celery_worker, reference_data, receivers, loopback):
    receiver = receivers()
    buyer = buyer_admin()
    services.webhook_register(
        actor=buyer.user, organisation=buyer.organisation, url=receiver.url, events=["demand.created"]
    )

    with pytest.raises(RuntimeError), transaction.atomic():
        demand_create(actor=buyer.user, organisation=buyer.organisation, fields=demand_fields("Rolled back"))
        raise RuntimeError("something later in the same request failed")
    kept = demand_create(actor=buyer.user, organisation=buyer.organisation, fields=demand_fields("Kept"))

    assert receiver.wait_for(1)
    time.sleep(1)  # time enough for a second delivery, if one had been queued
    assert [json.loads(r["body"])["data"]["title"] for r in receiver.requests] == ["Kept"]
    assert list(Demand.objects.values_list("pk", flat=True)) == [kept.pk]
    assert WebhookDelivery.objects.count() == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delivery_deleted_before_the_worker_runs_ends_quietly(celery_worker):
    delivery = WebhookDeliveryFactory()
    delivery_id = delivery.pk
    delivery.webhook.delete()

    assert tasks.deliver_webhook.delay(delivery_id=delivery_id).get(timeout=60) == "skipped"
