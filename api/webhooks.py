"""Webhooks: GreenBridge POSTs signed events to partners' HTTPS URLs.

Events: ``match.published``, ``demand.created``, ``demand.updated``, ``meeting.scheduled``.

Who receives what (a decision):

- ``demand.created`` / ``demand.updated`` go to every active webhook subscribed to them,
  whatever its organisation: every API key can read every demand through the API anyway.
  Closing or reopening a demand is an update.
- ``match.published`` goes to the webhooks of the two organisations of a match (the
  demand's owner and the matched organisation), up to 100 matches per delivery.  A partner
  that follows every match polls ``/api/v1/matches/?updated_since=…`` instead.
- ``meeting.scheduled`` goes to the webhooks of the two participants' organisations.

The request is a POST with a JSON body::

    {"id": 42, "event": "demand.created", "created_at": "2026-11-24T09:30:00+00:00", "data": {…}}

``id`` is the delivery's id: it stays the same when a delivery is retried, so a receiver
that has seen it already can answer 2xx and ignore it (delivery is at least once).
``data`` is the record as the API shows it.  Headers:

- ``X-GreenBridge-Event``: the event; ``X-GreenBridge-Delivery``: the delivery id;
- ``X-GreenBridge-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``, the HMAC computed with
  the webhook's signing secret over ``"<t>.<raw body>"`` (as Stripe does).  A receiver
  recomputes it over the raw bytes it received, compares in constant time, and refuses a
  ``t`` older than a few minutes (replays).  ``verify_signature`` below does exactly that.

Any 2xx answer within ``WEBHOOK_TIMEOUT`` seconds counts as delivered.  Anything else
(another status, a redirect, which is never followed, a timeout, a refused connection) is
retried with exponential back-off (``WEBHOOK_RETRY_BACKOFF`` × 2^(attempt − 1) seconds) up
to ``WEBHOOK_MAX_ATTEMPTS`` attempts in all; then the delivery is marked failed.

Server-side request forgery: a URL must be ``https://`` and every address its host
resolves to must be a public one (no private, loopback, link-local, multicast, reserved or
unspecified address, nor an IPv4-mapped form of one).  This is checked when the webhook is
registered and again before every attempt, and the request then goes to the very address
that was checked (TLS still verifies the certificate against the host name), so a DNS
answer that changes in between cannot redirect it.  ``WEBHOOK_ALLOW_LOOPBACK`` (development
and tests only) also allows ``http://`` and the loopback addresses 127.0.0.0/8 and ::1.
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api.models import Webhook, WebhookDelivery, WebhookEvent

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-GreenBridge-Signature"
EVENT_HEADER = "X-GreenBridge-Event"
DELIVERY_HEADER = "X-GreenBridge-Delivery"
USER_AGENT = "GreenBridge-Webhooks/1.0"
#: Matches per ``match.published`` delivery.
MATCHES_PER_DELIVERY = 100
#: What is read of a receiver's answer (only to explain a failure).
RESPONSE_READ_LIMIT = 2048
ERROR_LENGTH = 500


# --- Which URLs may be called -------------------------------------------------------------


class WebhookURLError(ValueError):
    """A webhook URL that cannot be called; ``message`` says why, for the form or the log."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return str(self.message)


class RefusedURL(WebhookURLError):
    """Never callable: wrong scheme, credentials in it, or an address that is not public."""


class HostNotFound(WebhookURLError):
    """The host name does not resolve (now): refused at registration, retried at delivery."""


@dataclass(frozen=True)
class Target:
    """A checked URL: the request goes to one of ``addresses``, all of them public."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple


def _allow_loopback():
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOOPBACK", False))


def _reason(ip, *, allow_loopback):
    """Why ``ip`` may not be called (a translatable phrase), or None when it may."""
    if ip.is_unspecified:
        return _("the unspecified address")
    if ip.is_loopback:
        return None if allow_loopback else _("a loopback address (this server itself)")
    if ip.is_link_local:
        return _("a link-local address (such as a cloud metadata service)")
    if ip.is_multicast:
        return _("a multicast address")
    if ip.version == 6 and ip.is_site_local:
        return _("a site-local address")
    if ip.is_private:
        return _("an address of a private network")
    if ip.is_reserved:
        return _("a reserved address")
    if not ip.is_global:
        return _("not a public address")
    return None


def address_refusal(address, *, allow_loopback=None):
    """Why the IP address (a string, as getaddrinfo gives it) may not be called, or None."""
    allow_loopback = _allow_loopback() if allow_loopback is None else allow_loopback
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 scope ("fe80::1%eth0") is no part of it
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            # ::ffff:127.0.0.1 is 127.0.0.1 in disguise; only the plain forms count as loopback.
            reason = _reason(embedded, allow_loopback=False)
            return _("%(reason)s in IPv6 form") % {"reason": reason} if reason else None
    return _reason(ip, allow_loopback=allow_loopback)


def check_url(url):
    """The ``Target`` of a webhook URL, or ``RefusedURL`` / ``HostNotFound`` with a message for people."""
    allow_loopback = _allow_loopback()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedURL(_("This is not a valid web address.")) from None
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and allow_loopback):
        raise RefusedURL(_("Use an https:// address: events are sent over encrypted connections only."))
    if parts.username is not None or parts.password is not None:
        raise RefusedURL(
            _("Leave the user name and password out of the address; check the signature of each event instead.")
        )
    host = parts.hostname
    if not host:
        raise RefusedURL(_("This address has no host name."))
    port = port or (443 if scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise HostNotFound(
            _("%(host)s could not be found (no DNS record). Check the address.") % {"host": host}
        ) from None
    addresses = tuple(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise HostNotFound(_("%(host)s could not be found (no DNS record). Check the address.") % {"host": host})
    for address in addresses:
        reason = address_refusal(address, allow_loopback=allow_loopback)
        if reason is not None:
            shown = host if host == address else f"{host} ({address})"
            raise RefusedURL(
                _("%(host)s is %(reason)s. Webhooks can only be sent to public addresses on the internet.")
                % {"host": shown, "reason": reason}
            )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=scheme, host=host, port=port, path=path, addresses=addresses)


# --- Signatures -----------------------------------------------------------------------------


def _as_bytes(body):
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def sign(secret, body, timestamp=None):
    """The ``X-GreenBridge-Signature`` header value for ``body`` (bytes) at ``timestamp`` (unix seconds)."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    signed = f"{timestamp}.".encode() + _as_bytes(body)
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify_signature(secret, header, body, tolerance=300, now=None):
    """True if ``header`` (``X-GreenBridge-Signature``) signs the raw ``body`` with ``secret``.

    ``body`` is the request body exactly as received (bytes; a str is taken as UTF-8).
    The timestamp must be at most ``tolerance`` seconds away from ``now`` (default: the
    current time), which stops an old, captured request from being replayed.  Several
    ``v1=`` values are accepted (any one matching is enough).
    """
    if not header or not secret:
        return False
    timestamp, signatures = None, []
    for item in header.split(","):
        key, _sep, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).rpartition("v1=")[2]
    return any(hmac.compare_digest(expected, signature) for signature in signatures)


# --- Queueing events -----------------------------------------------------------------------------


def _plain(data):
    """JSON-safe copy (dates and decimals as strings), as it will be stored and sent."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def subscribed_webhooks(event, organisation_ids=None):
    """Active webhooks subscribed to ``event`` (of the given organisations, if any)."""
    webhooks = Webhook.objects.filter(active=True)
    if organisation_ids is not None:
        webhooks = webhooks.filter(organisation_id__in=list(organisation_ids))
    # ``events`` is a JSON list; filtered here because SQLite has no JSON "contains".
    return [webhook for webhook in webhooks.order_by("pk") if event in (webhook.events or ())]


def _create_deliveries(items):
    """``items``: (webhook, event, data).  Writes the rows; sends them once the transaction commits."""
    rows = [WebhookDelivery(webhook=webhook, event=event, payload=_plain(data)) for webhook, event, data in items]
    ids = [delivery.pk for delivery in WebhookDelivery.objects.bulk_create(rows)]  # ids: PostgreSQL, SQLite ≥ 3.35
    if ids:
        transaction.on_commit(lambda: _queue(ids))
    return ids


def _queue(delivery_ids):
    from api import tasks  # tasks imports this module

    for delivery_id in delivery_ids:
        try:
            tasks.deliver_webhook.delay(delivery_id=delivery_id)
        except Exception:  # a broker that is down must not fail the request that caused the event
            logger.exception("Could not queue webhook delivery %s; it stays pending", delivery_id)


def notify(event, data, organisation_ids=None):
    """Send ``event`` with ``data`` to every active webhook subscribed to it (of ``organisation_ids``, if given).

    Writes one WebhookDelivery per webhook now, in the caller's transaction, and queues
    their sending for after the commit: a rolled-back transaction sends nothing, and the
    request never waits for a receiver.  Returns the delivery ids.
    """
    event = WebhookEvent(event)
    return _create_deliveries((webhook, event, data) for webhook in subscribed_webhooks(event, organisation_ids))


def demand_data(demand_id):
    """A demand as the API shows it."""
    from api.serializers import DemandSerializer
    from matchmaking.models import Demand

    demand = Demand.objects.select_related("organisation", "region").prefetch_related("sectors").get(pk=demand_id)
    return DemandSerializer(demand).data


def notify_demand(demand, *, created):
    """``demand.created`` or ``demand.updated`` for a demand saved in the current transaction."""
    event = WebhookEvent.DEMAND_CREATED if created else WebhookEvent.DEMAND_UPDATED
    subscribed = subscribed_webhooks(event)
    if not subscribed:
        return []  # no query for the payload either
    data = demand_data(demand.pk)
    return _create_deliveries((webhook, event, data) for webhook in subscribed)


def notify_matches_published(match_ids):
    """``match.published`` to the webhooks of both organisations of each published match among ``match_ids``.

    Each webhook gets the matches that concern its organisation, up to ``MATCHES_PER_DELIVERY``
    per delivery.  Call it from the code that publishes matches (after writing them, in the
    same transaction, or outside any).
    """
    from api.serializers import MatchSerializer
    from matchmaking.match_selectors import ReasonNames
    from matchmaking.models import Match

    match_ids = list(match_ids)
    if not match_ids:
        return []
    matches = list(
        Match.objects.filter(pk__in=match_ids, published=True)
        .select_related("demand", "organisation")
        .order_by("demand_id", "rank", "pk")
    )
    organisation_ids = {m.organisation_id for m in matches} | {m.demand.organisation_id for m in matches}
    webhooks = subscribed_webhooks(WebhookEvent.MATCH_PUBLISHED, organisation_ids)
    if not webhooks:
        return []
    names = ReasonNames.for_reasons(reason for match in matches for reason in match.reasons or ())
    serialized = MatchSerializer(matches, many=True, context={"reason_names": names}).data
    items = []
    for webhook in webhooks:
        own = [
            data
            for match, data in zip(matches, serialized, strict=True)
            if webhook.organisation_id in (match.organisation_id, match.demand.organisation_id)
        ]
        for start in range(0, len(own), MATCHES_PER_DELIVERY):
            items.append(
                (webhook, WebhookEvent.MATCH_PUBLISHED, {"matches": own[start : start + MATCHES_PER_DELIVERY]})
            )
    return _create_deliveries(items)


def notify_meetings_scheduled(meetings):
    """``meeting.scheduled`` for each meeting, to the webhooks of its two participants' organisations.

    Three queries whatever the number of meetings (a scheduler run places thousands): the
    subscribed webhooks, the meetings with what the payload shows, and one insert of the deliveries.
    """
    from api.serializers import MeetingSerializer
    from events.models import Meeting

    subscribed = subscribed_webhooks(WebhookEvent.MEETING_SCHEDULED)
    if not subscribed or not meetings:
        return []
    by_organisation = {}
    for webhook in subscribed:
        by_organisation.setdefault(webhook.organisation_id, []).append(webhook)
    loaded = Meeting.objects.select_related(
        "event", "slot", "table", "party_a__organisation", "party_b__organisation"
    ).filter(pk__in=[meeting.pk for meeting in meetings])
    items = []
    for meeting in loaded.order_by("pk"):
        organisation_ids = sorted({meeting.party_a.organisation_id, meeting.party_b.organisation_id})
        webhooks = [webhook for org in organisation_ids for webhook in by_organisation.get(org, ())]
        if not webhooks:
            continue
        event = meeting.event
        data = {
            **MeetingSerializer(meeting).data,
            "event": {"id": event.pk, "external_id": event.external_id, "name": event.name},
        }
        items.extend(
            (webhook, WebhookEvent.MEETING_SCHEDULED, data) for webhook in sorted(webhooks, key=lambda w: w.pk)
        )
    return _create_deliveries(items)


def notify_meeting_scheduled(meeting):
    """``meeting.scheduled`` for one meeting (see ``notify_meetings_scheduled``)."""
    return notify_meetings_scheduled([meeting])


# --- Sending ---------------------------------------------------------------------------------------


def body_of(delivery):
    """The exact bytes POSTed for a delivery (the same on every attempt)."""
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to an address checked beforehand, whatever the host name resolves to now."""

    def __init__(self, host, port, *, addresses, timeout):
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def _connect_checked(self):
        error = None
        for address in self._addresses:
            try:
                return socket.create_connection((address, self.port), self.timeout)
            except OSError as exc:
                error = exc
        raise error

    def connect(self):
        self.sock = self._connect_checked()


class _PinnedHTTPSConnection(_PinnedHTTPConnection, http.client.HTTPSConnection):
    def __init__(self, host, port, *, addresses, timeout):
        http.client.HTTPSConnection.__init__(self, host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    def connect(self):
        # The certificate is checked against the host name (SNI too), not against the address.
        self.sock = self._context.wrap_socket(self._connect_checked(), server_hostname=self.host)


def post(target, body, headers, *, timeout):
    """POST ``body`` to a checked target; returns (status, first bytes of the answer).  Never follows redirects."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target.host, target.port, addresses=target.addresses, timeout=timeout)
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
