"""Who may see and do what around delegations: named predicates, asked from selectors, views and the API.

- A public delegation's page is open to everyone; a members-only one to signed-in users (and
  API keys), like a members-only profile; others get 404.  Members-only member organisations
  are left out for those who may not see them (``companies.permissions``).
- The people travelling with a delegation (names and titles: personal data) are shown to
  signed-in users only, never to visitors or API keys.
- A delegation's organisers (``Delegation.organisers``) and administrators (an active
  superuser, ``core.permissions.is_administrator``) organise it.
- Its organisers edit it; whoever creates a delegation becomes its organiser and may add
  co-organisers (existing users, by e-mail).
- Creating a delegation needs the same permission as creating an event (``events.add_event``,
  ``events.permissions.can_create_event``): the organisers of B2B days run delegations too.
"""

from core.permissions import is_administrator
from delegations.models import Delegation
from events import permissions as event_permissions


def _is_api_key(user):
    """The principal of an API key (``api.authentication.KeyUser``) carries its key as ``api_key``."""
    return getattr(user, "api_key", None) is not None


def may_see_people(user):
    return user.is_authenticated and not _is_api_key(user)


def is_organiser(user, delegation):
    if not user.is_authenticated or _is_api_key(user):
        return False
    if is_administrator(user):
        return True
    return delegation.organisers.filter(pk=user.pk).exists()


def can_create_delegation(user):
    return event_permissions.can_create_event(user)


def visible_delegations(user, queryset=None):
    queryset = Delegation.objects.all() if queryset is None else queryset
    if user.is_authenticated:
        return queryset
    return queryset.filter(visibility=Delegation.Visibility.PUBLIC)


def can_view_delegation(user, delegation):
    return delegation.visibility == Delegation.Visibility.PUBLIC or user.is_authenticated


def can_edit_delegation(user, delegation):
    return is_organiser(user, delegation)
