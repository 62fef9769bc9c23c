"""Writes on demands.  The browser forms, the API and imports call these.

Each service checks the actor's permission (PermissionDenied), validates the demand
with the model's own rules (ValidationError: field lengths, choices, a title in at
least one language) and writes inside one transaction.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from api import webhooks
from companies import permissions as company_permissions
from matchmaking import permissions, tasks
from matchmaking.models import Demand

DEMAND_FIELDS = (
    "external_id",
    "title",
    "title_zh",
    "description",
    "description_zh",
    "region",
    "kind",
    "budget_eur",
    "deadline",
)
DEMAND_M2M = ("sectors",)


def _apply(demand, fields):
    unknown = set(fields) - set(DEMAND_FIELDS) - set(DEMAND_M2M)
    if unknown:
        raise TypeError(f"Not a demand field: {', '.join(sorted(unknown))}")
    for name in DEMAND_FIELDS:
        if name in fields:
            setattr(demand, name, fields[name])
    demand.full_clean(exclude=["created_by"])
    demand.save()
    for name in DEMAND_M2M:
        if name in fields:
            getattr(demand, name).set(fields[name])
    return demand


def demand_create(*, actor, organisation, fields):
    """Post a demand for ``organisation``; the actor must be an active member of it."""
    if not company_permissions.can_post_demand_for(actor, organisation):
        raise PermissionDenied
    with transaction.atomic():
        created_by = actor if actor.pk else None  # an API key (api.authentication.KeyUser) is no user
        demand = _apply(Demand(organisation=organisation, created_by=created_by), fields)
        tasks.queue_demand(demand.pk)
        webhooks.notify_demand(demand, created=True)  # sent after the commit
    return demand


def demand_update(*, actor, demand, fields):
    if not permissions.can_edit_demand(actor, demand):
        raise PermissionDenied
    with transaction.atomic():
        demand = _apply(demand, fields)
        tasks.queue_demand(demand.pk)
        webhooks.notify_demand(demand, created=False)
    return demand


def _set_status(demand, status):
    with transaction.atomic():
        current = Demand.objects.select_for_update().only("status").get(pk=demand.pk)
        if current.status != status:  # closing twice changes nothing, not even updated_at
            demand.status = status
            demand.save(update_fields=["status", "updated_at"])
            tasks.queue_demand(demand.pk)  # a closed demand's matches are withdrawn
            webhooks.notify_demand(demand, created=False)
        else:
            demand.status = status
    return demand


def demand_close(*, actor, demand):
    """Close a demand: it leaves the list of open demands but keeps its page, marked closed."""
    if not permissions.can_close_demand(actor, demand):
        raise PermissionDenied
    return _set_status(demand, Demand.Status.CLOSED)


def demand_reopen(*, actor, demand):
    if not permissions.can_close_demand(actor, demand):
        raise PermissionDenied
    return _set_status(demand, Demand.Status.OPEN)
