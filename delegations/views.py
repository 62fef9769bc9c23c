"""Delegation pages: the list and one delegation for everyone who may see them; creating and
editing for organisers (``delegations.permissions``).  Writes go through ``delegations.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from delegations import permissions, selectors, services
from delegations.forms import DelegationForm


@require_GET
def delegation_list(request):
    upcoming, past = selectors.delegation_lists(user=request.user)
    context = {"upcoming": upcoming, "past": past, "can_create": permissions.can_create_delegation(request.user)}
    return render(request, "delegations/delegation_list.html", context)


@require_GET
def delegation_detail(request, pk):
    page = selectors.delegation_page(user=request.user, pk=pk)
    return render(request, "delegations/delegation_detail.html", {"page": page, "delegation": page.delegation})


def _form_page(request, form, delegation=None):
    status = 400 if form.is_bound else 200
    context = {"form": form, "delegation": delegation, "creating": delegation is None}
    return render(request, "delegations/delegation_form.html", context, status=status)


def _save(form, save):
    try:
        return save(
            fields=form.fields_for_service(),
            sectors=form.cleaned_data["sectors"],
            co_organisers=form.cleaned_data["co_organisers"],
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@login_required
def delegation_create(request):
    if not permissions.can_create_delegation(request.user):
        raise PermissionDenied
    form = DelegationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        delegation = _save(form, lambda **kw: services.delegation_create(actor=request.user, **kw))
        if delegation is not None:
            messages.success(request, _("The delegation is created. You are its organiser."))
            return redirect("delegations:detail", pk=delegation.pk)
    return _form_page(request, form)


@login_required
def delegation_edit(request, pk):
    delegation = get_object_or_404(selectors.visible_delegation_queryset(user=request.user), pk=pk)
    if not permissions.can_edit_delegation(request.user, delegation):
        raise PermissionDenied
    form = DelegationForm(request.POST or None, instance=delegation)
    if request.method == "POST" and form.is_valid():
        saved = _save(form, lambda **kw: services.delegation_update(actor=request.user, delegation=delegation, **kw))
        if saved is not None:
            messages.success(request, _("The delegation is saved."))
            return redirect("delegations:detail", pk=delegation.pk)
    return _form_page(request, form, delegation)
