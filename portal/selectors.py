from django.utils import timezone

from companies.models import Organisation
from events.models import Event
from matchmaking.models import Demand


def home_context():
    """What the landing page shows: upcoming public events, the latest open demands, a few figures."""
    now = timezone.now()
    upcoming = Event.objects.filter(is_public=True, ends_at__gte=now)
    return {
        "upcoming_events": upcoming.order_by("starts_at")[:3],
        "upcoming_event_count": upcoming.count(),
        "latest_demands": (
            Demand.objects.filter(status=Demand.Status.OPEN, organisation__visibility=Organisation.Visibility.PUBLIC)
            .select_related("organisation", "region")
            .order_by("-created_at")[:6]
        ),
        "organisation_count": Organisation.objects.count(),
        "demand_count": Demand.objects.filter(status=Demand.Status.OPEN).count(),
    }
