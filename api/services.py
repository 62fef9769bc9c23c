"""Writes on API keys and webhooks: creating, revoking, and finding a key from the header.

A key reads ``gb_<prefix>_<secret>``: the prefix (8 characters) is stored in clear so that
people can tell their keys apart; the whole key is stored only as its SHA-256 digest.
"""

import hashlib
import secrets
import string
import time

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from api.models import ApiKey, Webhook, WebhookEvent
from api.webhooks import targets
from companies import permissions as company_permissions
from companies.models import Organisation
from core.permissions import is_administrator

KEY_PREFIX = "gb_"
ALPHABET = string.ascii_letters + string.digits
#: How long a looked-up key is remembered; revoking forgets it at once.
KEY_CACHE_SECONDS = 60
#: ``last_used_at`` is written at most this often per key, not on every request.
LAST_USED_EVERY_SECONDS = 60
_noted = {}  # key digest -> time.monotonic() of the last note in this process


def _random(length):
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def digest(raw_key):
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _cache_key(key_digest):
    return f"api-key:{key_digest}"


def create_api_key(*, name, organisation=None, write=False, created_by=None):
    """Create a key; returns (ApiKey, the key in clear), which is never available again."""
    if write and organisation is None:
        raise ValueError("A read-write key needs an organisation: it posts demands for it.")
    prefix = _random(8)
    raw = f"{KEY_PREFIX}{prefix}_{_random(32)}"
    key = ApiKey.objects.create(
        name=name,
        organisation=organisation,
        prefix=prefix,
        digest=digest(raw),
        scope=ApiKey.Scope.WRITE if write else ApiKey.Scope.READ,
        created_by=created_by,
    )
    return key, raw


def create_api_key_for(*, actor, organisation, name, write):
    """An organisation admin creates a key for their organisation (the page)."""
    if not company_permissions.is_organisation_admin(actor, organisation):
        raise PermissionDenied
    return create_api_key(name=name, organisation=organisation, write=write, created_by=actor)


def revoke_api_key(*, actor, key):
    if not is_administrator(actor) and (
        key.organisation is None or not company_permissions.is_organisation_admin(actor, key.organisation)
    ):
        raise PermissionDenied
    with transaction.atomic():
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
        transaction.on_commit(lambda: forget_key(key))
    return key


def forget_key(key):
    """Drop a key from the lookup cache at once (revoked or deleted keys must stop working now)."""
    cache.delete(_cache_key(key.digest))


def find_key(raw_key):
    """The ApiKey for a key in clear (revoked ones included, so that they can be told apart), or None."""
    if not raw_key.startswith(KEY_PREFIX) or len(raw_key) > 100:
        return None
    key_digest = digest(raw_key)
    key = cache.get(_cache_key(key_digest))
    if key is None:
        key = ApiKey.objects.select_related("organisation").filter(digest=key_digest).first()
        if key is None:
            return None
        cache.set(_cache_key(key_digest), key, KEY_CACHE_SECONDS)
    return key


def note_use(key):
    """Record that the key was used, at most once a minute (a write per request would cost more than the read).

    Each web process remembers when it last noted a key, so most requests skip even the cache.
    """
    now = time.monotonic()
    last = _noted.get(key.digest)
    if last is not None and now - last < LAST_USED_EVERY_SECONDS:
        return
    _noted[key.digest] = now
    if cache.add(f"api-key-used:{key.pk}", 1, LAST_USED_EVERY_SECONDS):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


# --- Webhooks --------------------------------------------------------------------------------

#: Active webhooks one organisation may have.
WEBHOOKS_PER_ORGANISATION = 10


class WebhookLimitReached(Exception):
    """The organisation already has ``WEBHOOKS_PER_ORGANISATION`` active webhooks."""


def _check_webhook_admin(actor, organisation):
    if not company_permissions.is_organisation_admin(actor, organisation):
        raise PermissionDenied


def new_webhook_secret():
    return f"whsec_{secrets.token_urlsafe(32)}"


def webhook_register(*, actor, organisation, url, events):
    """Register a webhook; returns (Webhook, its signing secret), shown to the admin once.

    The URL is checked against server-side request forgery (``targets.check_url``, which
    raises ``targets.WebhookURLError`` with a message for the form).
    """
    _check_webhook_admin(actor, organisation)
    known = set(WebhookEvent.values)
    events = [event for event in dict.fromkeys(events) if event in known]
    if not events:
        raise ValueError("A webhook needs at least one event.")
    targets.check_url(url)
    with transaction.atomic():
        # One organisation's registrations run one at a time, so the limit holds.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if Webhook.objects.filter(organisation=organisation, active=True).count() >= WEBHOOKS_PER_ORGANISATION:
            raise WebhookLimitReached
        secret = new_webhook_secret()
        webhook = Webhook.objects.create(
            organisation=organisation, url=url, events=events, secret=secret, created_by=actor
        )
    return webhook, secret


def webhook_set_active(*, actor, webhook, active):
    """Deactivate a webhook (nothing more is sent, pending deliveries fail) or activate it again."""
    _check_webhook_admin(actor, webhook.organisation)
    if active and not webhook.active:
        targets.check_url(webhook.url)
    Webhook.objects.filter(pk=webhook.pk).update(active=active)
    webhook.active = active
    return webhook


def webhook_delete(*, actor, webhook):
    """Delete a webhook and its delivery log."""
    _check_webhook_admin(actor, webhook.organisation)
    webhook.delete()
