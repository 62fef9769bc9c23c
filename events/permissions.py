"""Who may see and do what around events: named predicates, asked from views, templates and the API.

Decisions:
- A public event is visible to everyone; a private one to its organisers, the members of
  its participants' organisations, and administrators (others get 404).
- Creating an event needs the Django permission ``events.add_event``, which administrators
  grant (staff and superusers have it); whoever creates an event becomes its organiser.
  Administrators add co-organisers (``Event.organisers``) in the Django admin.
- An event's organisers (and superusers) organise it: its registrations, slots, tables,
  the scheduler and the schedule grid.
- A participant acts through their own registration (``Registration.user``); an active
  member of the registration's organisation may see that organisation's meetings.
"""

from django.db.models import Q

from companies.models import Membership
from events.models import Event, Registration


def is_organiser(user, event):
    """Organisers and superusers; an API key (``api.authentication.KeyUser``) organises nothing."""
    if not user.is_authenticated or getattr(user, "api_key", None) is not None:
        return False
    if user.is_superuser:
        return True
    return event.organisers.filter(pk=user.pk).exists()


def can_create_event(user):
    return user.is_authenticated and (user.is_superuser or user.has_perm("events.add_event"))


def visible_events(user, queryset=None):
    """Public events; private ones to their organisers, to the members of their participants' (or
    organising) organisations, and to administrators.  An API key sees as its organisation."""
    queryset = Event.objects.all() if queryset is None else queryset
    if not user.is_authenticated:
        return queryset.filter(is_public=True)
    if user.is_superuser or user.is_staff:
        return queryset
    api_key = getattr(user, "api_key", None)
    if api_key is not None:
        own = [api_key.organisation_id] if api_key.organisation_id else []
        visible = Q(is_public=True)
    else:
        own = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("organisation_id")
        visible = Q(is_public=True) | Q(organisers=user)
    visible |= Q(registrations__organisation_id__in=own) | Q(organising_organisation_id__in=own)
    return queryset.filter(pk__in=Event.objects.filter(visible).values("pk"))


def can_view_event(user, event):
    return visible_events(user, Event.objects.filter(pk=event.pk)).exists()


def registration_of(user, event):
    """The user's own active registration for the event (approved or waiting), or None."""
    if not user.is_authenticated:
        return None
    return (
        Registration.objects.filter(event=event, user=user)
        .exclude(status__in=[Registration.Status.DECLINED, Registration.Status.CANCELLED])
        .select_related("organisation")
        .first()
    )
