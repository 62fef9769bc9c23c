"""Writes for delegations: a delegation and its members.

``delegation_create`` / ``delegation_update`` serve the organiser's pages (permission checked
here); ``delegation_upsert`` / ``member_upsert`` create or update by a stable key, for the demo
data (``portal.demo``) and imports.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from delegations import permissions
from delegations.models import Delegation, DelegationMember, ItineraryItem
from events import permissions as event_permissions


@transaction.atomic
def delegation_upsert(*, external_id, fields, sectors=None, events=None, organisers=()):
    """Create or update the delegation known as ``external_id``; return ``(delegation, created)``.

    ``sectors`` and ``events`` (iterables) replace the current ones when given; ``organisers``
    are added to those the delegation already has (co-organisers are never removed here).
    """
    delegation, created = Delegation.objects.update_or_create(external_id=external_id, defaults=fields)
    if sectors is not None:
        delegation.sectors.set(sectors)
    if events is not None:
        delegation.events.set(events)
    if organisers:
        delegation.organisers.add(*organisers)
    return delegation, created


def member_upsert(*, delegation, organisation, people=""):
    """Make ``organisation`` a member of ``delegation`` with ``people`` (one person per line).

    Returns ``(member, created)``; an organisation is a member at most once (a unique constraint).
    """
    return DelegationMember.objects.update_or_create(
        delegation=delegation, organisation=organisation, defaults={"people": people}
    )


def _check_and_save(delegation):
    delegation.full_clean(exclude=["sectors", "events", "organisers"])
    delegation.save()


@transaction.atomic
def delegation_create(*, actor, fields, sectors=(), co_organisers=()):
    """A new delegation organised by ``actor`` (and ``co_organisers``); ``PermissionDenied``
    unless ``actor`` may create delegations, ``ValidationError`` for an invalid field."""
    if not permissions.can_create_delegation(actor):
        raise PermissionDenied
    delegation = Delegation(**fields)
    _check_and_save(delegation)
    delegation.sectors.set(sectors)
    delegation.organisers.add(actor, *co_organisers)
    return delegation


@transaction.atomic
def delegation_update(*, actor, delegation, fields, sectors=None, co_organisers=()):
    """Save the delegation's fields and (when given) its sectors; ``co_organisers`` are added (an organiser is
    removed in the Django admin, so that nobody locks the others out by mistake)."""
    if not permissions.can_edit_delegation(actor, delegation):
        raise PermissionDenied
    for name, value in fields.items():
        setattr(delegation, name, value)
    _check_and_save(delegation)
    if sectors is not None:
        delegation.sectors.set(sectors)
    if co_organisers:
        delegation.organisers.add(*co_organisers)
    return delegation


# --- the itinerary -------------------------------------------------------------------


def _require_organiser(actor, delegation):
    if not permissions.can_edit_delegation(actor, delegation):
        raise PermissionDenied


def itinerary_item_add(*, actor, delegation, fields):
    """A site visit, dinner or transfer on the delegation's programme (times aware)."""
    _require_organiser(actor, delegation)
    item = ItineraryItem(delegation=delegation, **fields)
    item.full_clean()
    item.save()
    return item


def itinerary_item_remove(*, actor, item):
    _require_organiser(actor, item.delegation)
    item.delete()


def itinerary_event_add(*, actor, delegation, event):
    """Put an event of the portal on the itinerary; only one the actor may see."""
    _require_organiser(actor, delegation)
    if not event_permissions.can_view_event(actor, event):
        raise PermissionDenied
    delegation.events.add(event)


def itinerary_event_remove(*, actor, delegation, event):
    _require_organiser(actor, delegation)
    delegation.events.remove(event)
