"""What each API caller may see: the querysets of the endpoints, with their prefetching.

A record the caller may not see is simply not in its queryset, so asking for it answers
404, as if it did not exist.
"""

from django.db.models import Prefetch, Q

from api.authentication import api_key_of
from companies import permissions as company_permissions
from companies.models import Organisation, Sector
from core.permissions import is_administrator
from delegations import permissions as delegation_permissions
from events import permissions as event_permissions
from events.models import Event, Meeting
from matchmaking import permissions as demand_permissions
from matchmaking.models import Match


def _slugs():
    return Prefetch("sectors", queryset=Sector.objects.only("pk", "slug"))


def organisations(user):
    return (
        company_permissions.visible_organisations(user)
        .select_related("region")
        .prefetch_related(_slugs(), "looking_for", "target_regions")
        .order_by("name", "pk")
    )


def demands(user):
    return (
        demand_permissions.visible_demands(user)
        .select_related("organisation", "region")
        .prefetch_related(_slugs())
        .order_by("-created_at", "-pk")
    )


def matches(user):
    """Published matches: all of them for keys and administrators; a user's own organisations' from both sides."""
    queryset = Match.objects.filter(published=True)
    if not user.is_authenticated:
        return queryset.none()
    if api_key_of(user) is None and not is_administrator(user):
        own = company_permissions.acting_organisation_ids(user)
        queryset = queryset.filter(Q(organisation_id__in=own) | Q(demand__organisation_id__in=own))
    return queryset.select_related("demand", "organisation").order_by("-score", "pk")


def events(user):
    return event_permissions.visible_events(user).select_related("region").order_by("starts_at", "pk")


def meetings(user, event):
    """Scheduled meetings of the event: all of them for its organisers; otherwise the caller's own."""
    queryset = Meeting.objects.filter(event=event, status=Meeting.Status.SCHEDULED).select_related(
        "slot", "table", "party_a__organisation", "party_b__organisation"
    )
    if not (event_permissions.is_organiser(user, event) or is_administrator(user)):
        own = company_permissions.acting_organisation_ids(user)
        queryset = queryset.filter(Q(party_a__organisation_id__in=own) | Q(party_b__organisation_id__in=own))
    return queryset.order_by("slot__starts_at", "table__position", "pk")


def delegations(user):
    """The delegations the caller may see: members-only ones for keys and signed-in users."""
    return (
        delegation_permissions.visible_delegations(user)
        .select_related("leader_organisation", "origin_region", "destination_region")
        .prefetch_related(_slugs(), Prefetch("events", queryset=Event.objects.filter(is_public=True).only("pk")))
        .order_by("-starts_on", "pk")
    )


def organisation_for_new_demand(user, organisation_id):
    """The organisation a POSTed demand is for: a key's own; for a user, the one named (or their only one)."""
    key = api_key_of(user)
    if key is not None:
        return key.organisation
    if organisation_id is not None:
        return Organisation.objects.filter(pk=organisation_id).first()
    own = company_permissions.acting_organisation_ids(user)
    return Organisation.objects.get(pk=own[0]) if len(own) == 1 else None
