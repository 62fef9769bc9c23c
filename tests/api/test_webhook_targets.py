"""Which webhook URLs may be called (the SSRF guard), at registration and again at every attempt."""

import pytest

from api import services
from api.models import Webhook
from api.webhooks.delivery import Outcome, deliver
from api.webhooks.targets import HostNotFound, RefusedURL, Target, check_url
from tests.factories import MembershipFactory, WebhookDeliveryFactory

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

    with pytest.raises(RefusedURL) as refused:
        check_url(url)

    assert reason in str(refused.value)


def test_a_public_address_is_accepted_and_resolved(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False

    target = check_url("https://93.184.215.14:8443/hooks/gb?token=1")

    assert target == Target("https", "93.184.215.14", 8443, "/hooks/gb?token=1", ("93.184.215.14",))


def test_a_host_that_does_not_resolve_is_refused_with_its_name():
    with pytest.raises(HostNotFound) as refused:
        check_url("https://no-such-host.invalid/hook")

    assert "no-such-host.invalid could not be found" in str(refused.value)


def test_the_loopback_setting_allows_loopback_and_http_only(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True

    assert check_url("http://127.0.0.1:9000/x").addresses == ("127.0.0.1",)
    assert check_url("https://127.8.9.10/x").addresses == ("127.8.9.10",)
    assert check_url("http://[::1]:9000/x").addresses == ("::1",)
    for url in ("https://10.1.2.3/", "https://169.254.169.254/", "https://[::ffff:127.0.0.1]/", "https://0.0.0.0/"):
        with pytest.raises(RefusedURL):
            check_url(url)


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_a_delivery_to_a_refused_address_fails_without_a_request(url, reason, settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    delivery = WebhookDeliveryFactory(webhook__url=url)  # stored before the rules, or bypassing the form

    outcome = deliver(delivery_id=delivery.pk)

    assert outcome == Outcome("failed", 1)
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
    assert deliver(delivery_id=control.pk).result == "delivered"  # the receiver does answer

    settings.WEBHOOK_ALLOW_LOOPBACK = False
    outcome = deliver(delivery_id=delivery.pk)

    assert outcome.result == "failed"
    assert receiver.count() == 1
    delivery.refresh_from_db()
    assert delivery.last_error == "Not sent: Use an https:// address: events are sent over encrypted connections only."


@pytest.mark.django_db
def test_registration_checks_the_url_too(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = False
    admin = MembershipFactory(role="admin")

    with pytest.raises(RefusedURL):
        services.webhook_register(
            actor=admin.user, organisation=admin.organisation, url="https://169.254.169.254/", events=["demand.created"]
        )
    assert not Webhook.objects.exists()
