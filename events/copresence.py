"""What the events app answers when the matching engine asks about gatherings (``core.hooks``).

Co-presence is a matching signal: two organisations that will both be at the same upcoming
event have a reason to meet.  ``matchmaking`` may not import ``events``, so it asks through
the hooks connected in ``EventsConfig.ready``.  Keys are ``"event:<id>"``.
"""

from events.models import Event, Registration

PREFIX = "event:"


def attended(*, now):
    """(organisation id, key) for every approved or pending registration at an event not yet over."""
    rows = Registration.objects.filter(
        event__ends_at__gte=now, status__in=[Registration.Status.APPROVED, Registration.Status.PENDING]
    ).values_list("organisation_id", "event_id")
    return [(organisation_id, f"{PREFIX}{event_id}") for organisation_id, event_id in rows]


def names(*, keys):
    ids = {int(key[len(PREFIX) :]) for key in keys if key.startswith(PREFIX) and key[len(PREFIX) :].isdigit()}
    if not ids:
        return {}
    return {f"{PREFIX}{event.pk}": event.display_name for event in Event.objects.filter(pk__in=ids)}


def organises_any(*, user):
    return Event.objects.filter(organisers=user).exists()
