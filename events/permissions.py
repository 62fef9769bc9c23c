"""Who may see and do what around events: named predicates, asked from views, templates and the API.

- A public event is visible to everyone; a private one to its organisers, to the members of
  its participants' organisations and of its organising organisation, and to administrators
  (others get 404).  An API key sees as its organisation.
- An administrator is an active superuser (``core.permissions.is_administrator``); ``is_staff``
  alone grants nothing here.
- Creating an event needs the Django permission ``events.add_event`` (administrators have
  every permission; others are granted it in the Django admin); whoever creates an event
  becomes its organiser.  Administrators add co-organisers (``Event.organisers``) in the
  Django admin.
- An event's organisers (and administrators) organise it: its registrations, slots, tables,
  the scheduler and the schedule grid.  An API key organises nothing and creates nothing.
- A participant acts through their own registration (``Registration.user``); an active
  member of the registration's organisation may see that organisation's meetings.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from companies.permissions import acting_organisation_ids
from core.permissions import is_administrator
from events.models import Event, Registration


def _is_api_key(user):
    """The principal of an API key (``api.authentication.KeyUser``) carries its key as ``api_key``."""
    return getattr(user, "api_key", None) is not None


def is_organiser(user, event):
    if not user.is_authenticated or _is_api_key(user):
        return False
    if is_administrator(user):
        return True
    return event.organisers.filter(pk=user.pk).exists()


def require_organiser(user, event):
    """``PermissionDenied`` unless ``user`` organises ``event``: the first line of every organiser service."""
    if not is_organiser(user, event):
        raise PermissionDenied


def can_create_event(user):
    if not user.is_authenticated or _is_api_key(user):
        return False
    return is_administrator(user) or user.has_perm("events.add_event")


def visible_events(user, queryset=None):
    """Public events; private ones to their organisers, to the members of their participants' (or
    organising) organisations, and to administrators.  An API key sees as its organisation."""
    queryset = Event.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.filter(is_public=True)
    if is_administrator(user):
        return queryset
    own = acting_organisation_ids(user)
    visible = Q(is_public=True) if _is_api_key(user) else Q(is_public=True) | Q(organisers=user)
    visible |= Q(registrations__organisation_id__in=own) | Q(organising_organisation_id__in=own)
    return queryset.filter(pk__in=Event.objects.filter(visible).values("pk"))


def can_view_event(user, event):
    return visible_events(user, Event.objects.filter(pk=event.pk)).exists()


def registration_of(user, event):
    """The user's own active registration for the event (approved or waiting), or None."""
    if not user.is_authenticated or _is_api_key(user):
        return None
    return (
        Registration.objects.filter(event=event, user=user)
        .exclude(status__in=[Registration.Status.DECLINED, Registration.Status.CANCELLED])
        .select_related("organisation")
        .first()
    )
