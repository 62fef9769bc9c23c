"""Who is calling: an API key (``Authorization: Bearer <key>``) or the browser's session.

A key authenticates as a ``KeyUser``: signed in (it sees members-only profiles, as any
signed-in user does), never staff, member of no organisation, and acting for its
key's organisation where it writes.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api import services

SessionAuthentication = authentication.SessionAuthentication


class KeyUser:
    """The principal of a request made with an API key."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key):
        self.api_key = api_key

    @property
    def organisation_id(self):
        return self.api_key.organisation_id

    def __str__(self):
        return f"API key {self.api_key.prefix}"


def api_key_of(user):
    """The ApiKey behind a request's user, or None for a session or a visitor."""
    return getattr(user, "api_key", None)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the key as 'Authorization: Bearer <key>'."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        key = services.find_key(raw)
        if key is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        if not key.is_active:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        services.note_use(key)
        return KeyUser(key), key

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
