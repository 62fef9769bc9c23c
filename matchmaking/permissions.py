"""Who may see and change demands: named predicates, asked from views, templates and the API.

A demand is as visible as its owner organisation (companies.permissions): demands of a
members-only organisation are hidden from visitors, and answer 404 to them.  A closed
demand stays visible on its own page, marked closed; the list shows open demands by default.
Any active member of the owner organisation (admin or member) may edit and close it.
"""

from companies import permissions as company_permissions
from companies.models import Membership, Organisation
from matchmaking.models import Demand


def can_view_demand(user, demand):
    return company_permissions.can_view_organisation(user, demand.organisation)


def can_edit_demand(user, demand):
    return company_permissions.can_post_demand_for(user, demand.organisation)


def can_close_demand(user, demand):
    return can_edit_demand(user, demand)


def visible_demands(user, queryset=None):
    queryset = Demand.objects.all() if queryset is None else queryset
    if user.is_authenticated:
        return queryset
    return queryset.filter(organisation__visibility=Organisation.Visibility.PUBLIC)


def organisations_posting_for(user):
    """The organisations for which the user may post a demand in the browser: their active memberships."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__status=Membership.Status.ACTIVE).order_by(
        "name"
    )
