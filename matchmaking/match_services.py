"""Writes on matches from the browser: feedback from either side, and who may start a rescoring.

Each side of a match speaks for itself: the active members of the matched organisation
(the supplier side) set ``supplier_feedback``, those of the demand's owner (the buyer
side) set ``buyer_feedback``.  "Not relevant" hides the match at once (unpublished, no
rank, the ranks below it move up one); the engine excludes such pairs from every later
rescoring, so it is never raised again.  "Interested", or no feedback, is only recorded.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from companies import permissions as company_permissions
from delegations.models import Delegation
from events.models import Event
from matchmaking.match_selectors import BUYER, SUPPLIER
from matchmaking.models import Match


def feedback_side(*, user, match):
    """``"supplier"``, ``"buyer"`` or None: the side ``user`` speaks for (both sides: the supplier's)."""
    if company_permissions.is_active_member(user, match.organisation):
        return SUPPLIER
    if company_permissions.is_active_member(user, match.demand.organisation):
        return BUYER
    return None


def match_feedback(*, actor, match, value):
    """Record ``actor``'s side's feedback on ``match``; returns the updated match.

    Raises PermissionDenied for a user of neither side, ValidationError for a value that
    is not one of ``Match.Feedback``.
    """
    side = feedback_side(user=actor, match=match)
    if side is None:
        raise PermissionDenied
    if value not in Match.Feedback.values:
        raise ValidationError(
            _("“%(value)s” is not a feedback GreenBridge knows."), code="invalid_feedback", params={"value": value}
        )
    field = "supplier_feedback" if side == SUPPLIER else "buyer_feedback"
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


def may_rescore(user):
    """Staff, and the organisers of any event or delegation, may start a full rescoring."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Event.objects.filter(organisers=user).exists() or Delegation.objects.filter(organisers=user).exists()
