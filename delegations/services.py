"""Writes for delegations: a delegation and its members, created or updated by a stable key.

Today delegations are created in the Django admin and by the demo data (``portal.demo``); the
organiser's pages of the next issue call these services too.
"""

from django.db import transaction

from delegations.models import Delegation, DelegationMember


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
