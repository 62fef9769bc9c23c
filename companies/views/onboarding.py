"""After sign-up: create an organisation or ask to join one; admins answer join requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from companies import permissions, selectors, services
from companies.forms import OrganisationForm
from companies.models import Membership


def visible_organisation_or_404(request, pk):
    return get_object_or_404(permissions.visible_organisations(request.user), pk=pk)


@login_required
def my_greenbridge(request):
    """The signed-in user's start page: their organisations, join requests to answer, next steps."""
    return render(request, "companies/my_greenbridge.html", selectors.my_greenbridge_context(user=request.user))


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(creator=request.user, fields=form.service_fields())
        messages.success(
            request, _("%(name)s is on GreenBridge. You are its admin.") % {"name": organisation.display_name}
        )
        return redirect("companies:organisation_detail", pk=organisation.pk)
    return render(request, "companies/organisation_form.html", {"form": form, "creating": True})


@login_required
@require_POST
def membership_request(request, pk):
    organisation = visible_organisation_or_404(request, pk)
    try:
        services.membership_request(user=request.user, organisation=organisation)
    except services.MembershipError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(
            request,
            _("Your request to join %(name)s was sent to its admins.") % {"name": organisation.display_name},
        )
    return redirect("companies:organisation_detail", pk=organisation.pk)


@login_required
def member_list(request, pk):
    organisation = visible_organisation_or_404(request, pk)
    if not permissions.can_manage_members(request.user, organisation):
        raise PermissionDenied
    memberships = selectors.organisation_members(organisation=organisation)
    return render(
        request,
        "companies/member_list.html",
        {"organisation": organisation, "memberships": memberships, "roles": Membership.Role},
    )


MEMBERSHIP_ACTIONS = {"approve", "refuse", "make_admin", "make_member"}


@login_required
@require_POST
def membership_decide(request, pk, membership_pk):
    organisation = visible_organisation_or_404(request, pk)
    memberships = Membership.objects.select_related("user")
    membership = get_object_or_404(memberships, pk=membership_pk, organisation=organisation)
    action = request.POST.get("action")
    if action not in MEMBERSHIP_ACTIONS:
        messages.error(request, _("Unknown action."))
        return redirect("companies:member_list", pk=organisation.pk)
    try:
        if action in {"approve", "refuse"}:
            services.membership_decide(actor=request.user, membership=membership, approve=action == "approve")
        else:
            role = Membership.Role.ADMIN if action == "make_admin" else Membership.Role.MEMBER
            services.membership_set_role(actor=request.user, membership=membership, role=role)
    except services.MembershipError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved: %(user)s.") % {"user": membership.user.email})
    return redirect("companies:member_list", pk=organisation.pk)
