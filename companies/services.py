"""Writes on organisations and memberships.  The views call these.

A saved profile emits ``hooks.ORGANISATION_SAVED`` inside its transaction; matchmaking, a layer
above, answers by queueing a rescoring of that organisation after the commit.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from companies import permissions
from companies.models import Membership, Organisation
from core import hooks

ORGANISATION_M2M = ("sectors", "looking_for", "target_regions")


class MembershipError(Exception):
    """A join request or decision that cannot be made; the message is for the user."""


def _apply(organisation, fields):
    m2m = {name: fields[name] for name in ORGANISATION_M2M if name in fields}
    for name, value in fields.items():
        if name not in m2m:
            setattr(organisation, name, value)
    organisation.save()
    for name, value in m2m.items():
        getattr(organisation, name).set(value)
    return organisation


def organisation_create(*, creator, fields):
    """Create an organisation; its creator becomes its first admin."""
    with transaction.atomic():
        organisation = _apply(Organisation(), fields)
        Membership.objects.create(
            user=creator, organisation=organisation, role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE
        )
        hooks.emit(hooks.ORGANISATION_SAVED, organisation_id=organisation.pk)
    return organisation


def organisation_update(*, actor, organisation, fields):
    if not permissions.can_edit_organisation(actor, organisation):
        raise PermissionDenied
    with transaction.atomic():
        organisation = _apply(organisation, fields)
        hooks.emit(hooks.ORGANISATION_SAVED, organisation_id=organisation.pk)
    return organisation


def membership_request(*, user, organisation):
    """Ask to join an organisation; its admins approve or refuse."""
    existing = Membership.objects.filter(user=user, organisation=organisation).first()
    if existing and existing.status == Membership.Status.ACTIVE:
        raise MembershipError(_("You are already a member of %(name)s.") % {"name": organisation.display_name})
    if existing and existing.status == Membership.Status.PENDING:
        raise MembershipError(
            _("Your request to join %(name)s is waiting for approval.") % {"name": organisation.display_name}
        )
    with transaction.atomic():
        if existing:  # refused before: ask again
            existing.status = Membership.Status.PENDING
            existing.role = Membership.Role.MEMBER
            existing.save(update_fields=["status", "role"])
            return existing
        try:
            with transaction.atomic():
                return Membership.objects.create(
                    user=user, organisation=organisation, role=Membership.Role.MEMBER, status=Membership.Status.PENDING
                )
        except IntegrityError:  # a double click raced us: the first request stands
            return Membership.objects.get(user=user, organisation=organisation)


def membership_decide(*, actor, membership, approve):
    """An admin of the membership's organisation approves or refuses a pending request."""
    if not permissions.can_manage_members(actor, membership.organisation):
        raise PermissionDenied
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.status != Membership.Status.PENDING:
            raise MembershipError(_("This request has already been answered."))
        membership.status = Membership.Status.ACTIVE if approve else Membership.Status.REFUSED
        membership.save(update_fields=["status"])
    return membership


def membership_set_role(*, actor, membership, role):
    if not permissions.can_manage_members(actor, membership.organisation):
        raise PermissionDenied
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=membership.organisation_id)
        admins = organisation.memberships.filter(role=Membership.Role.ADMIN, status=Membership.Status.ACTIVE)
        if role != Membership.Role.ADMIN and list(admins.values_list("pk", flat=True)) == [membership.pk]:
            raise MembershipError(_("An organisation needs at least one admin."))
        membership.role = role
        membership.save(update_fields=["role"])
    return membership
