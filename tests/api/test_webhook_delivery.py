"""Sending a delivery in this process: the request, its outcome, what is never sent again."""

import pytest

from api.webhooks.delivery import Outcome, deliver, post
from api.webhooks.targets import Target
from tests.factories import WebhookDeliveryFactory


@pytest.mark.django_db
def test_a_redirect_is_not_followed(receivers, loopback):
    elsewhere = receivers()
    receiver = receivers(default=302, headers={"Location": elsewhere.url})
    delivery = WebhookDeliveryFactory(webhook__url=receiver.url)

    outcome = deliver(delivery_id=delivery.pk)

    assert outcome == Outcome("retry", 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 302)
    assert "redirects are not followed" in delivery.last_error
    assert (receiver.count(), elsewhere.count()) == (1, 0)


@pytest.mark.django_db
def test_the_request_goes_to_the_checked_address_with_the_host_name_in_the_host_header(receivers):
    receiver = receivers()
    target = Target(scheme="http", host="partner.invalid", port=receiver.port, path="/in?x=1", addresses=("127.0.0.1",))

    status, _text = post(target, b"{}", {"Content-Type": "application/json"}, timeout=5)

    assert status == 200
    assert receiver.requests[0]["headers"]["Host"] == f"partner.invalid:{receiver.port}"
    assert receiver.requests[0]["path"] == "/in?x=1"


@pytest.mark.django_db
def test_a_deactivated_webhook_gets_nothing(receivers, loopback):
    receiver = receivers()
    delivery = WebhookDeliveryFactory(webhook__url=receiver.url, webhook__active=False)

    assert deliver(delivery_id=delivery.pk).result == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.last_error == "Not sent: the webhook was deactivated."
    assert receiver.count() == 0


@pytest.mark.django_db
def test_a_delivered_delivery_is_not_sent_again(receivers, loopback):
    receiver = receivers()
    delivery = WebhookDeliveryFactory(webhook__url=receiver.url)

    assert deliver(delivery_id=delivery.pk).result == "delivered"
    assert deliver(delivery_id=delivery.pk).result == "skipped"  # a redelivered task
    assert receiver.count() == 1
