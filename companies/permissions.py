"""Who may see and change organisations: named predicates, asked from views, templates and the API.

Visibility: a public profile is visible to everyone; a members-only profile to signed-in
users of the portal only.  A profile that someone may not see answers 404, so its existence
is not revealed.  An administrator (``core.permissions.is_administrator``: an active
superuser, not ``is_staff``) may act as the admin of every organisation.
"""

from companies.models import Membership, Organisation
from core.permissions import is_administrator


def acting_organisation_ids(user):
    """The organisations this caller acts for: an API key's own organisation (none for a key
    without one), a signed-in user's active memberships, nothing for a visitor.

    An API key's principal carries the key as ``user.api_key``; that is all this layer knows of it.
    """
    api_key = getattr(user, "api_key", None)
    if api_key is not None:
        return [api_key.organisation_id] if api_key.organisation_id else []
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values_list("organisation_id", flat=True)
    )


def is_active_member(user, organisation):
    if not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, organisation=organisation, status=Membership.Status.ACTIVE).exists()


def is_organisation_admin(user, organisation):
    if not user.is_authenticated:
        return False
    if is_administrator(user):
        return True
    return Membership.objects.filter(
        user=user, organisation=organisation, status=Membership.Status.ACTIVE, role=Membership.Role.ADMIN
    ).exists()


def can_view_organisation(user, organisation):
    return organisation.visibility == Organisation.Visibility.PUBLIC or user.is_authenticated


def can_edit_organisation(user, organisation):
    return is_organisation_admin(user, organisation)


def can_manage_members(user, organisation):
    return is_organisation_admin(user, organisation)


def can_post_demand_for(user, organisation):
    """Any active member (admin or member) may post and edit demands for their organisation;
    so may a read-write API key of that organisation (``api.authentication.KeyUser``)."""
    api_key = getattr(user, "api_key", None)
    if api_key is not None:
        return api_key.can_write and api_key.organisation_id == organisation.pk
    return is_administrator(user) or is_active_member(user, organisation)


def visible_organisations(user, queryset=None):
    queryset = Organisation.objects.all() if queryset is None else queryset
    if user.is_authenticated:
        return queryset
    return queryset.filter(visibility=Organisation.Visibility.PUBLIC)
