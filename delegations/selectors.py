"""Reads for the delegation pages: the list and one delegation as a viewer may see it.

Decisions:
- A public delegation is shown to everyone, a members-only one to signed-in users
  (``delegations.permissions``; others get 404); what a viewer sees inside one depends on
  them.  Members-only organisations are left out for visitors (as in the directory), and the
  people of the member organisations (personal data) are shown to signed-in users only.
- The itinerary lists only the events the viewer may see (``events.permissions.visible_events``).
- A delegation is upcoming until its last day has passed.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from companies import permissions as company_permissions
from companies.models import Organisation, Sector
from delegations import permissions
from delegations.models import Delegation, DelegationMember, ItineraryItem
from events import permissions as event_permissions
from events.models import Event


def _sectors_in_taxonomy_order():
    return Prefetch("sectors", queryset=Sector.objects.select_related("parent").order_by("position"))


def delegation_lists(*, user):
    """(upcoming, past) of the delegations ``user`` may see: upcoming soonest first, past latest
    first, each with ``member_count``.

    Two queries whatever the number of delegations: the delegations, and their sectors.
    """
    today = timezone.localdate()
    delegations = list(
        permissions.visible_delegations(user)
        .select_related("origin_region", "destination_region")
        .prefetch_related(_sectors_in_taxonomy_order())
        .annotate(member_count=Count("members"))
        .order_by("starts_on", "pk")
    )
    upcoming = [d for d in delegations if d.ends_on >= today]
    past = [d for d in reversed(delegations) if d.ends_on < today]
    return upcoming, past


@dataclass
class MemberRow:
    organisation: Organisation
    people: list = field(default_factory=list)


@dataclass
class DelegationPage:
    delegation: Delegation
    leader_organisation_visible: bool
    members: list
    hidden_member_count: int
    events: list
    show_people: bool
    can_edit: bool
    itinerary: list = field(default_factory=list)

    @property
    def is_past(self):
        return self.delegation.ends_on < timezone.localdate()


def delegation_page(*, user, pk):
    """One delegation (404 if unknown) with the members, people and itinerary ``user`` may see."""
    delegation = get_object_or_404(
        permissions.visible_delegations(user)
        .select_related("leader_organisation", "origin_region", "destination_region")
        .prefetch_related(_sectors_in_taxonomy_order())
        .annotate(member_count=Count("members")),
        pk=pk,
    )
    show_people = permissions.may_see_people(user)
    visible = company_permissions.visible_organisations(user).values("pk")
    members = (
        DelegationMember.objects.filter(delegation=delegation, organisation__in=visible)
        .select_related("organisation")
        .order_by(Lower("organisation__name"), "pk")
    )
    rows = [
        MemberRow(
            organisation=member.organisation,
            people=[line.strip() for line in member.people.splitlines() if line.strip()] if show_people else [],
        )
        for member in members
    ]
    events = list(
        event_permissions.visible_events(user, delegation.events.all())
        .select_related("organising_organisation")
        .order_by("starts_at", "pk")
    )
    leader = delegation.leader_organisation
    return DelegationPage(
        delegation=delegation,
        leader_organisation_visible=leader is not None and company_permissions.can_view_organisation(user, leader),
        members=rows,
        hidden_member_count=delegation.member_count - len(rows),
        events=events,
        show_people=show_people,
        can_edit=permissions.can_edit_delegation(user, delegation),
        itinerary=itinerary(delegation=delegation, events=events),
    )


def visible_delegation_queryset(*, user):
    """The delegations ``user`` may see, for a view that fetches one by id (404 otherwise)."""
    return permissions.visible_delegations(user)


# The zone a viewer on the origin side most likely lives in, for the second time column.
HOME_ZONES = {
    "CN": "Asia/Shanghai",
    "NO": "Europe/Oslo",
    "SE": "Europe/Stockholm",
    "DK": "Europe/Copenhagen",
    "FI": "Europe/Helsinki",
    "IS": "Atlantic/Reykjavik",
}


@dataclass
class ItineraryEntry:
    starts_at: datetime.datetime
    ends_at: datetime.datetime | None
    kind: str
    title: str
    place: str
    note: str = ""
    event: Event | None = None
    item: ItineraryItem | None = None


def itinerary(*, delegation, events):
    """The delegation's events (those given: the viewer's visible ones) and other items, by start."""
    entries = [
        ItineraryEntry(
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            kind=_("Event"),
            title=event.display_name,
            place=", ".join(part for part in (event.venue, event.city) if part),
            event=event,
        )
        for event in events
    ]
    entries += [
        ItineraryEntry(
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            kind=item.get_kind_display(),
            title=item.title,
            place=item.place,
            note=item.note,
            item=item,
        )
        for item in delegation.itinerary_items.all()
    ]
    return sorted(entries, key=lambda entry: entry.starts_at)


def viewer_zone(*, delegation, requested):
    """The zone of the second time column: the one asked for (``?tz=``) if valid, else the origin's."""
    if requested in zoneinfo.available_timezones():
        return requested
    return HOME_ZONES.get(delegation.origin_country.code, "UTC")


def addable_events(*, user, delegation):
    """Events not yet over that ``user`` may see and that are not on the itinerary yet."""
    return (
        event_permissions.visible_events(user, Event.objects.filter(ends_at__gte=timezone.now()))
        .exclude(pk__in=delegation.events.values("pk"))
        .order_by("starts_at", "pk")
    )
