"""Sending a delivery: one attempt per call, its outcome recorded on the delivery row.

Headers: ``X-GreenBridge-Event`` (the event), ``X-GreenBridge-Delivery`` (the delivery id)
and ``X-GreenBridge-Signature`` (``api.webhooks.signing``).

Any 2xx answer within ``WEBHOOK_TIMEOUT`` seconds counts as delivered.  Anything else
(another status, a redirect, which is never followed, a timeout, a refused connection) is
retried with exponential back-off (``WEBHOOK_RETRY_BACKOFF`` × 2^(attempt − 1) seconds) up
to ``WEBHOOK_MAX_ATTEMPTS`` attempts in all; then the delivery is marked failed.  The URL is
checked again before every attempt (``api.webhooks.targets``).
"""

import http.client
import json
import logging
import ssl
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from api.models import WebhookDelivery
from api.webhooks.signing import SIGNATURE_HEADER, sign
from api.webhooks.targets import HostNotFound, RefusedURL, check_url, pinned_connection

logger = logging.getLogger(__name__)

EVENT_HEADER = "X-GreenBridge-Event"
DELIVERY_HEADER = "X-GreenBridge-Delivery"
USER_AGENT = "GreenBridge-Webhooks/1.0"
#: What is read of a receiver's answer (only to explain a failure).
RESPONSE_READ_LIMIT = 2048
ERROR_LENGTH = 500


def body_of(delivery):
    """The exact bytes POSTed for a delivery (the same on every attempt)."""
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def post(target, body, headers, *, timeout):
    """POST ``body`` to a checked target; returns (status, first bytes of the answer).  Never follows redirects."""
    connection = pinned_connection(target, timeout=timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read(RESPONSE_READ_LIMIT)
        return response.status, text.decode("utf-8", "replace")
    finally:
        connection.close()


@dataclass(frozen=True)
class Outcome:
    """What one attempt came to: ``delivered``, ``retry`` (after ``attempts``), ``failed``, or ``skipped``."""

    result: str
    attempts: int = 0


def _error(text):
    text = " ".join(str(text).split())
    return text[: ERROR_LENGTH - 1] + "…" if len(text) > ERROR_LENGTH else text


def _describe(exc):
    if isinstance(exc, TimeoutError | SoftTimeLimitExceeded):
        return "Timed out: no answer within the time limit."
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not valid: {exc.verify_message or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "Connection refused."
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def deliver(*, delivery_id):
    """Make one attempt at sending a delivery, and record it.  The Celery task calls this.

    Each attempt first claims itself by raising ``attempts`` from the value it read, so two
    workers handed the same delivery (a redelivered task) never both send it.
    """
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None:
        logger.info("Webhook delivery %s is gone; nothing to send", delivery_id)
        return Outcome("skipped")
    if delivery.status != WebhookDelivery.Status.PENDING:
        return Outcome("skipped", delivery.attempts)
    webhook = delivery.webhook
    attempt = delivery.attempts + 1
    pending = WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING)
    if not pending.filter(attempts=delivery.attempts).update(attempts=attempt):
        return Outcome("skipped", delivery.attempts)  # another worker took this attempt

    def finish(status, error="", response_status=None):
        fields = {"status": status, "last_error": _error(error), "response_status": response_status}
        if status == WebhookDelivery.Status.DELIVERED:
            fields["delivered_at"] = timezone.now()
        pending.update(**fields)

    if not webhook.active:
        finish(WebhookDelivery.Status.FAILED, "Not sent: the webhook was deactivated.")
        return Outcome("failed", attempt)
    last_try = attempt >= max(1, settings.WEBHOOK_MAX_ATTEMPTS)
    try:
        target = check_url(webhook.url)
    except RefusedURL as exc:
        finish(WebhookDelivery.Status.FAILED, f"Not sent: {exc}")
        return Outcome("failed", attempt)
    except HostNotFound as exc:
        status = WebhookDelivery.Status.FAILED if last_try else WebhookDelivery.Status.PENDING
        finish(status, str(exc))
        return Outcome("failed" if last_try else "retry", attempt)

    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
        SIGNATURE_HEADER: sign(webhook.secret, body),
    }
    response_status, error = None, ""
    try:
        response_status, text = post(target, body, headers, timeout=settings.WEBHOOK_TIMEOUT)
    except (OSError, http.client.HTTPException, SoftTimeLimitExceeded) as exc:
        error = _describe(exc)
    else:
        if 200 <= response_status < 300:
            finish(WebhookDelivery.Status.DELIVERED, response_status=response_status)
            return Outcome("delivered", attempt)
        error = f"HTTP {response_status}"
        if 300 <= response_status < 400:
            error += " (redirects are not followed: register the final address)"
        elif text.strip():
            error += f": {text}"
    finish(WebhookDelivery.Status.FAILED if last_try else WebhookDelivery.Status.PENDING, error, response_status)
    return Outcome("failed" if last_try else "retry", attempt)


def retry_delay(attempts):
    """Seconds to wait after the ``attempts``-th failed attempt: base × 2^(attempts − 1), at most an hour."""
    base = float(getattr(settings, "WEBHOOK_RETRY_BACKOFF", 30))
    return min(base * 2 ** max(0, attempts - 1), 3600.0)
