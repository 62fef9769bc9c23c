"""Writes on demands and matches.  The browser forms and the API call these.

Each service checks the actor's permission (PermissionDenied, ``matchmaking.permissions``),
validates with the model's own rules (ValidationError: field lengths, choices, a title in at
least one language, a known feedback) and writes inside one transaction.

A saved demand is rescored after the commit (``matchmaking.tasks``) and reported with the
hook ``demand.saved`` (``core.hooks``), whose receivers, the partners' webhooks, send after
the commit too.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from companies import permissions as company_permissions
from core import hooks
from matchmaking import permissions, tasks
from matchmaking.models import Demand, Match

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


# ---- demands -----------------------------------------------------------------------------


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


def _saved(demand, *, created):
    tasks.queue_demand(demand.pk)
    hooks.emit(hooks.DEMAND_SAVED, demand=demand, created=created)


def demand_create(*, actor, organisation, fields):
    """Post a demand for ``organisation``; the actor must be an active member of it."""
    if not company_permissions.can_post_demand_for(actor, organisation):
        raise PermissionDenied
    with transaction.atomic():
        created_by = actor if actor.pk else None  # an API key (api.authentication.KeyUser) is no user
        demand = _apply(Demand(organisation=organisation, created_by=created_by), fields)
        _saved(demand, created=True)
    return demand


def demand_update(*, actor, demand, fields):
    if not permissions.can_edit_demand(actor, demand):
        raise PermissionDenied
    with transaction.atomic():
        demand = _apply(demand, fields)
        _saved(demand, created=False)
    return demand


def demand_close(*, actor, demand):
    """Close a demand: it leaves the list of open demands but keeps its page, marked closed."""
    if not permissions.can_close_demand(actor, demand):
        raise PermissionDenied
    with transaction.atomic():
        current = Demand.objects.select_for_update().only("status").get(pk=demand.pk)
        demand.status = Demand.Status.CLOSED
        if current.status != Demand.Status.CLOSED:  # closing twice changes nothing, not even updated_at
            demand.save(update_fields=["status", "updated_at"])
            _saved(demand, created=False)  # a closed demand's matches are withdrawn
    return demand


# ---- feedback on matches -----------------------------------------------------------------


def match_feedback(*, actor, match, value):
    """Record the feedback of ``actor``'s side of ``match``; returns the updated match.

    The supplier side sets ``supplier_feedback``, the buyer side ``buyer_feedback``
    (``permissions.feedback_side``).  "Not relevant" hides the match at once (unpublished, no
    rank, the ranks below it move up one); the engine excludes such pairs from every later
    rescoring, so it is never raised again.  "Interested", or no feedback, is only recorded.

    Raises PermissionDenied for a user of neither side, ValidationError for a value that
    is not one of ``Match.Feedback``.
    """
    side = permissions.feedback_side(actor, match)
    if side is None:
        raise PermissionDenied
    if value not in Match.Feedback.values:
        raise ValidationError(
            _("“%(value)s” is not a feedback GreenBridge knows."), code="invalid_feedback", params={"value": value}
        )
    field = "supplier_feedback" if side == permissions.SUPPLIER else "buyer_feedback"
    with transaction.atomic():
        match = Match.objects.select_for_update(of=("self",)).get(pk=match.pk)
        setattr(match, field, value)
        fields = [field, "updated_at"]
        if value == Match.Feedback.NOT_RELEVANT and match.published:
            hidden_rank = match.rank
            match.published, match.rank = False, None
            fields += ["published", "rank"]
            if hidden_rank is not None:
                # The ranks behind the hidden match move up, so that 1, 2, 3 … stays without gaps.
                Match.objects.filter(demand_id=match.demand_id, published=True, rank__gt=hidden_rank).update(
                    rank=F("rank") - 1
                )
        match.save(update_fields=fields)
    return match
