"""The signature of a webhook request, and how a receiver verifies it.

``X-GreenBridge-Signature: t=<unix time>,v1=<hex HMAC-SHA256>``, the HMAC computed with the
webhook's signing secret over ``"<t>.<raw body>"`` (as Stripe does).  A receiver recomputes
it over the raw bytes it received, compares in constant time, and refuses a ``t`` older
than a few minutes (replays).  ``verify_signature`` does exactly that.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-GreenBridge-Signature"


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
