"""Who may call what in the API; what each may *see* is decided by the querysets (api.selectors).

| caller | reads | writes |
|---|---|---|
| visitor | sectors, public organisations, their demands, public events, delegations | nothing (401) |
| session user | also members-only profiles; their organisations' matches and meetings | their organisations' demands |
| read key | also members-only profiles; all published matches; meetings of its organisation | nothing (403) |
| read-write key | as a read key | demands for the key's organisation |
| revoked or unknown key | nothing (401) | nothing (401) |
| administrator (an active superuser; staff alone is a session user) | everything | demands for any organisation |
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from api.authentication import api_key_of


class ReadOnlyUnlessWriteKey(permissions.BasePermission):
    """Reads are open (the querysets hide what the caller may not see); writes need a signed-in
    user or a read-write key."""

    message = _("This API key is read-only.")

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        key = api_key_of(request.user)
        return key is None or key.can_write


class SignedIn(permissions.BasePermission):
    """For what only a known caller may read: matches and meetings."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)
