"""Webhooks: signed deliveries to a real receiver through a real worker, retries, routing, and the SSRF guard.

The receiver is a real HTTP server on 127.0.0.1 in a thread; the worker process is
started with WEBHOOK_ALLOW_LOOPBACK=true and a 0.1 s retry back-off (tests/conftest.py).
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction
from django.urls import reverse

from api import services, tasks, webhooks
from api.models import Webhook, WebhookDelivery
from matchmaking.models import Demand, Match
from matchmaking.services import demand_close, demand_create, demand_update
from tests.factories import (
    DemandFactory,
    MeetingSlotFactory,
    MembershipFactory,
    OrganisationFactory,
    RegistrationFactory,
    WebhookDeliveryFactory,
    WebhookFactory,
    meeting_create,
)

SECRET = "whsec_a_test_secret"


class Receiver:
    """A real HTTP server that records what it is sent and answers with the statuses it is given."""

    def __init__(self, statuses=(), default=200, headers=None):
        self.requests = []
        self.statuses = list(statuses)
        self.default = default
        self.extra_headers = headers or {}
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                answer = b'{"ok": true}' if status < 300 else b"receiver says no"
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/greenbridge/events"

    def count(self):
        with self.lock:
            return len(self.requests)

    def wait_for(self, n, timeout=45):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.count() >= n:
                return True
            time.sleep(0.05)
        return False

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers():
    made = []

    def make(**kwargs):
        receiver = Receiver(**kwargs)
        made.append(receiver)
        return receiver

    yield make
    for receiver in made:
        receiver.close()


@pytest.fixture
def loopback(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    return settings


def wait_for(condition, timeout=45):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def buyer_admin():
    return MembershipFactory(role="admin", organisation__name="Beijing Drainage Group", organisation__country="CN")


def demand_fields(title="Sludge treatment plant"):
    return {"title": title, "description": "Thermal hydrolysis and biogas", "kind": "procurement"}


# --- Signatures ------------------------------------------------------------------------------


def test_a_signature_verifies_for_its_body_and_secret_only():
    body = b'{"id":1,"event":"demand.created"}'
    header = webhooks.sign(SECRET, body, timestamp=1_800_000_000)

    assert header.startswith("t=1800000000,v1=")
    assert webhooks.verify_signature(SECRET, header, body, now=1_800_000_010)
    assert not webhooks.verify_signature(SECRET, header, body + b" ", now=1_800_000_010)
    assert not webhooks.verify_signature("whsec_another", header, body, now=1_800_000_010)
    assert not webhooks.verify_signature(SECRET, header, body, now=1_800_000_301)  # too old: a replay
    assert webhooks.verify_signature(SECRET, header, body, tolerance=600, now=1_800_000_301)
    assert not webhooks.verify_signature(SECRET, "t=1800000000", body, now=1_800_000_000)
    assert not webhooks.verify_signature(SECRET, "", body)


def test_any_of_several_v1_signatures_may_match():
    body = "一个中文的请求体"
    header = webhooks.sign(SECRET, body, timestamp=1_800_000_000)
    both = f"t=1800000000,v1={'0' * 64},{header.split(',')[1]}"

    assert webhooks.verify_signature(SECRET, both, body.encode(), now=1_800_000_000)
    assert not webhooks.verify_signature(SECRET, f"t=1800000000,v1={'0' * 64}", body, now=1_800_000_000)


# --- Through a real worker ----------------------------------------------------------------------------


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
    assert webhooks.verify_signature(secret, headers["X-GreenBridge-Signature"], body)
    assert not webhooks.verify_signature("whsec_wrong", headers["X-GreenBridge-Signature"], body)
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
    assert all(
        webhooks.verify_signature(secret, r["headers"]["X-GreenBridge-Signature"], r["body"]) for r in receiver.requests
    )
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


# --- Sending, in this process -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_redirect_is_not_followed(receivers, loopback):
    elsewhere = receivers()
    receiver = receivers(default=302, headers={"Location": elsewhere.url})
    delivery = WebhookDeliveryFactory(webhook__url=receiver.url)

    outcome = webhooks.deliver(delivery_id=delivery.pk)

    assert outcome == webhooks.Outcome("retry", 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 302)
    assert "redirects are not followed" in delivery.last_error
    assert (receiver.count(), elsewhere.count()) == (1, 0)


@pytest.mark.django_db
def test_the_request_goes_to_the_checked_address_with_the_host_name_in_the_host_header(receivers):
    receiver = receivers()
    target = webhooks.Target(
        scheme="http", host="partner.invalid", port=receiver.port, path="/in?x=1", addresses=("127.0.0.1",)
    )

    status, _text = webhooks.post(target, b"{}", {"Content-Type": "application/json"}, timeout=5)

    assert status == 200
    assert receiver.requests[0]["headers"]["Host"] == f"partner.invalid:{receiver.port}"
    assert receiver.requests[0]["path"] == "/in?x=1"


@pytest.mark.django_db
def test_a_deactivated_webhook_gets_nothing(receivers, loopback):
    receiver = receivers()
    delivery = WebhookDeliveryFactory(webhook__url=receiver.url, webhook__active=False)

    assert webhooks.deliver(delivery_id=delivery.pk).result == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.last_error == "Not sent: the webhook was deactivated."
    assert receiver.count() == 0


@pytest.mark.django_db
def test_a_delivered_delivery_is_not_sent_again(receivers, loopback):
    receiver = receivers()
    delivery = WebhookDeliveryFactory(webhook__url=receiver.url)

    assert webhooks.deliver(delivery_id=delivery.pk).result == "delivered"
    assert webhooks.deliver(delivery_id=delivery.pk).result == "skipped"  # a redelivered task
    assert receiver.count() == 1


# --- The SSRF guard ---------------------------------------------------------------------------------------

REFUSED = [
    ("https://10.1.2.3/hook", "private network"),
    ("https://192.168.0.10/hook", "private network"),
    ("https://172.16.5.4/hook", "private network"),
    ("https://169.254.169.254/latest/meta-data/", "link-local"),
    ("https://127.0.0.1/hook", "loopback"),
    ("https://localhost:8443/hook", "loopback"),  # a host name, resolved by getaddrinfo
    ("https://[::1]/hook", "loopback"),
    ("https://[::ffff:127.0.0.1]/hook", "loopback address (this server itself) in IPv6 form"),
    ("https://[::ffff:10.0.0.1]/hook", "private network in IPv6 form"),
    ("https://0.0.0.0/hook", "unspecified"),
    ("https://[::]/hook", "unspecified"),
    ("https://224.0.0.1/hook", "multicast"),
    ("https://[fe80::1]/hook", "link-local"),
    ("https://[fd00::1]/hook", "private network"),
    ("https://100.64.0.1/hook", "not a public address"),
    ("https://240.0.0.1/hook", "address"),
    ("http://example.com/hook", "Use an https:// address"),
    ("https://user:secret@example.com/hook", "user name and password"),
    ("ftp://example.com/hook", "Use an https:// address"),
]


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_urls_to_addresses_that_are_not_public_are_refused(url, reason, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False

    with pytest.raises(webhooks.RefusedURL) as refused:
        webhooks.check_url(url)

    assert reason in str(refused.value)


def test_a_public_address_is_accepted_and_resolved(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False

    target = webhooks.check_url("https://93.184.215.14:8443/hooks/gb?token=1")

    assert target == webhooks.Target("https", "93.184.215.14", 8443, "/hooks/gb?token=1", ("93.184.215.14",))


def test_a_host_that_does_not_resolve_is_refused_with_its_name():
    with pytest.raises(webhooks.HostNotFound) as refused:
        webhooks.check_url("https://no-such-host.invalid/hook")

    assert "no-such-host.invalid could not be found" in str(refused.value)


def test_the_loopback_setting_allows_loopback_and_http_only(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True

    assert webhooks.check_url("http://127.0.0.1:9000/x").addresses == ("127.0.0.1",)
    assert webhooks.check_url("https://127.8.9.10/x").addresses == ("127.8.9.10",)
    assert webhooks.check_url("http://[::1]:9000/x").addresses == ("::1",)
    for url in ("https://10.1.2.3/", "https://169.254.169.254/", "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/"):
        with pytest.raises(webhooks.RefusedURL):
            webhooks.check_url(url)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_a_delivery_to_a_refused_address_fails_without_a_request(url, reason, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    delivery = WebhookDeliveryFactory(webhook__url=url)  # stored before the rules, or bypassing the form

    outcome = webhooks.deliver(delivery_id=delivery.pk)

    assert outcome == webhooks.Outcome("failed", 1)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 1, None)
    assert delivery.last_error.startswith("Not sent: ")
    assert reason in delivery.last_error


@pytest.mark.django_db
def test_a_loopback_receiver_is_not_called_once_the_setting_is_off(receivers, settings):
    receiver = receivers()
    delivery = WebhookDeliveryFactory(webhook__url=receiver.url)
    control = WebhookDeliveryFactory(webhook__url=receiver.url)
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    assert webhooks.deliver(delivery_id=control.pk).result == "delivered"  # the receiver does answer

    settings.WEBHOOK_ALLOW_LOOPBACK = False
    outcome = webhooks.deliver(delivery_id=delivery.pk)

    assert outcome.result == "failed"
    assert receiver.count() == 1
    delivery.refresh_from_db()
    assert delivery.last_error == "Not sent: Use an https:// address: events are sent over encrypted connections only."


@pytest.mark.django_db
def test_registration_checks_the_url_too(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    admin = MembershipFactory(role="admin")

    with pytest.raises(webhooks.RefusedURL):
        services.webhook_register(
            actor=admin.user, organisation=admin.organisation, url="https://169.254.169.254/", events=["demand.created"]
        )
    assert not Webhook.objects.exists()


# --- Who is told what ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_demand_events_go_to_every_subscribed_active_webhook(django_capture_on_commit_callbacks):
    buyer = buyer_admin()
    subscribed = WebhookFactory(events=["demand.created", "demand.updated"])
    WebhookFactory(events=["match.published"])
    WebhookFactory(events=["demand.created"], active=False)
    own = WebhookFactory(organisation=buyer.organisation, events=["demand.updated"])

    with django_capture_on_commit_callbacks() as queued:
        demand = demand_create(actor=buyer.user, organisation=buyer.organisation, fields=demand_fields())
    created = list(WebhookDelivery.objects.values_list("webhook_id", "event"))
    demand_update(actor=buyer.user, demand=demand, fields={"title": "Sludge treatment, phase 2"})
    demand_close(actor=buyer.user, demand=demand)

    assert created == [(subscribed.pk, "demand.created")]
    assert len(queued) == 2  # the rescoring and the delivery, both after the commit
    updates = WebhookDelivery.objects.filter(event="demand.updated").order_by("pk")
    assert sorted(updates.values_list("webhook_id", flat=True)) == sorted([subscribed.pk, own.pk] * 2)
    assert [d.payload["status"] for d in updates if d.webhook_id == own.pk] == ["open", "closed"]
    assert updates.first().payload["title"] == "Sludge treatment, phase 2"


@pytest.mark.django_db
def test_notify_can_be_limited_to_organisations():
    first, second = WebhookFactory(), WebhookFactory()

    ids = webhooks.notify("demand.created", {"id": 1}, organisation_ids=[second.organisation_id])

    assert list(WebhookDelivery.objects.filter(pk__in=ids).values_list("webhook_id", flat=True)) == [second.pk]
    assert not first.deliveries.exists()


@pytest.mark.django_db
def test_a_published_match_goes_to_the_webhooks_of_its_two_organisations():
    demand = DemandFactory()
    supplier, bystander = OrganisationFactory(), OrganisationFactory()
    published = Match.objects.create(organisation=supplier, demand=demand, score=0.8, rank=1, published=True)
    hidden = Match.objects.create(organisation=bystander, demand=demand, score=0.1, rank=2, published=False)
    buyer_hook = WebhookFactory(organisation=demand.organisation)
    supplier_hook = WebhookFactory(organisation=supplier)
    WebhookFactory(organisation=bystander)

    webhooks.notify_matches_published([published.pk, hidden.pk])

    deliveries = WebhookDelivery.objects.order_by("webhook_id")
    assert [d.webhook_id for d in deliveries] == [buyer_hook.pk, supplier_hook.pk]
    for delivery in deliveries:
        assert delivery.event == "match.published"
        assert [m["id"] for m in delivery.payload["matches"]] == [published.pk]
        assert delivery.payload["matches"][0]["organisation"]["id"] == supplier.pk
        assert delivery.payload["matches"][0]["demand"]["id"] == demand.pk


@pytest.mark.django_db
def test_a_scheduled_meeting_goes_to_the_webhooks_of_both_participants():
    slot = MeetingSlotFactory()
    ana, bo = RegistrationFactory.create_batch(2, event=slot.event)
    meeting = meeting_create(slot=slot, first=ana, second=bo)
    hooks = [WebhookFactory(organisation=ana.organisation), WebhookFactory(organisation=bo.organisation)]
    WebhookFactory(events=["meeting.scheduled"])  # another organisation's

    webhooks.notify_meeting_scheduled(meeting)

    deliveries = WebhookDelivery.objects.order_by("webhook_id")
    assert [d.webhook_id for d in deliveries] == [hook.pk for hook in hooks]
    assert deliveries[0].payload["id"] == meeting.pk
    assert deliveries[0].payload["event"]["id"] == slot.event.pk
    assert {deliveries[0].payload["party_a"]["registration"], deliveries[0].payload["party_b"]["registration"]} == {
        ana.pk,
        bo.pk,
    }
