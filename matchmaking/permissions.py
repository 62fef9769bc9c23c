"""Who may see and change demands and matches: named predicates, asked from views, services and the API.

Demands.  A demand is as visible as its owner organisation (companies.permissions): demands
of a members-only organisation are hidden from visitors, and answer 404 to them.  A closed
demand stays visible on its own page, marked closed; the list shows open demands by default.
Any active member of the owner organisation (admin or member) may edit and close it.

Matches.  An organisation's matches are seen by its active members.  Each side of a match
speaks for itself: the members of the matched organisation are its supplier side, those of
the demand's owner its buyer side.  A full rescoring may be started by an administrator
(``core.permissions.is_administrator``: an active superuser; ``is_staff`` alone is not
enough) and by the organisers of any event or delegation, which the apps above answer
through the hook ``gatherings.organised_by``.
"""

from companies import permissions as company_permissions
from companies.models import Membership, Organisation
from core import hooks
from core.permissions import is_administrator
from matchmaking.models import Demand

#: The two sides of a match, as ``feedback_side`` names them.
SUPPLIER = "supplier"
BUYER = "buyer"


# ---- demands -----------------------------------------------------------------------------


def visible_demands(user, queryset=None):
    queryset = Demand.objects.all() if queryset is None else queryset
    if user.is_authenticated:
        return queryset
    return queryset.filter(organisation__visibility=Organisation.Visibility.PUBLIC)


def member_organisations(user):
    """The organisations ``user`` is an active member of, by name: those they post demands for
    in the browser and whose matches they see."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__status=Membership.Status.ACTIVE).order_by(
        "name", "pk"
    )


def can_post_demands(user):
    """Whether the browser offers ``user`` to post a demand: they are an active member of an organisation."""
    return member_organisations(user).exists()


def can_edit_demand(user, demand):
    return company_permissions.can_post_demand_for(user, demand.organisation)


def can_close_demand(user, demand):
    return can_edit_demand(user, demand)


# ---- matches -----------------------------------------------------------------------------


def can_view_matches_of(user, organisation):
    return company_permissions.is_active_member(user, organisation)


def feedback_side(user, match):
    """``SUPPLIER``, ``BUYER`` or None: the side of ``match`` that ``user`` speaks for.

    A member of both organisations speaks for the supplier side.
    """
    if company_permissions.is_active_member(user, match.organisation):
        return SUPPLIER
    if company_permissions.is_active_member(user, match.demand.organisation):
        return BUYER
    return None


def may_rescore(user):
    """Administrators, and the organisers of any event or delegation, may start a full rescoring."""
    if not user.is_authenticated:
        return False
    return is_administrator(user) or any(hooks.collect(hooks.ORGANISES_GATHERINGS, user=user))
