"""Which webhook URLs may be called, and connections to the very address that was checked.

Server-side request forgery: a URL must be ``https://`` and every address its host
resolves to must be a public one (no private, loopback, link-local, multicast, reserved or
unspecified address, nor an IPv4-mapped form of one).  This is checked when the webhook is
registered and again before every attempt, and the request then goes to the very address
that was checked (TLS still verifies the certificate against the host name), so a DNS
answer that changes in between cannot redirect it.  ``WEBHOOK_ALLOW_LOOPBACK`` (development
and tests only) also allows ``http://`` and the loopback addresses 127.0.0.0/8 and ::1.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _


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


def pinned_connection(target, *, timeout):
    """An ``http.client`` connection to ``target`` that only ever connects to its checked addresses."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    return connection_class(target.host, target.port, addresses=target.addresses, timeout=timeout)
