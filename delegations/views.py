"""Delegation pages: the list and one delegation for everyone who may see them; creating and
editing for organisers (``delegations.permissions``).  Writes go through ``delegations.services``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from delegations import permissions, selectors, services
from delegations.forms import DelegationForm, ItineraryEventForm, ItineraryItemForm
from delegations.models import ItineraryItem
from events.forms import zone_choices
from events.models import Event


@require_GET
def delegation_list(request):
    upcoming, past = selectors.delegation_lists(user=request.user)
    context = {"upcoming": upcoming, "past": past, "can_create": permissions.can_create_delegation(request.user)}
    return render(request, "delegations/delegation_list.html", context)


@require_GET
def delegation_detail(request, pk):
    page = selectors.delegation_page(user=request.user, pk=pk)
    zone = selectors.viewer_zone(delegation=page.delegation, requested=request.GET.get("tz"))
    context = {"page": page, "delegation": page.delegation, "viewer_zone": zone, "zone_choices": zone_choices()}
    return render(request, "delegations/delegation_detail.html", context)


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


# --- the itinerary (organisers) ---------------------------------------------------------


def _organised_delegation(request, pk):
    delegation = get_object_or_404(selectors.visible_delegation_queryset(user=request.user), pk=pk)
    if not permissions.can_edit_delegation(request.user, delegation):
        raise PermissionDenied
    return delegation


def _itinerary_page(request, delegation, item_form=None, event_form=None, status=200):
    events = list(delegation.events.order_by("starts_at", "pk"))
    context = {
        "delegation": delegation,
        "entries": selectors.itinerary(delegation=delegation, events=events),
        "item_form": item_form or ItineraryItemForm(delegation=delegation),
        "event_form": event_form
        or ItineraryEventForm(events=selectors.addable_events(user=request.user, delegation=delegation)),
    }
    return render(request, "delegations/itinerary.html", context, status=status)


@login_required
@require_GET
def itinerary(request, pk):
    return _itinerary_page(request, _organised_delegation(request, pk))


@login_required
@require_POST
def itinerary_item_add(request, pk):
    delegation = _organised_delegation(request, pk)
    form = ItineraryItemForm(request.POST, delegation=delegation)
    if form.is_valid():
        try:
            services.itinerary_item_add(actor=request.user, delegation=delegation, fields=form.fields_for_service())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The item is on the itinerary."))
            return redirect("delegations:itinerary", pk=delegation.pk)
    return _itinerary_page(request, delegation, item_form=form, status=400)


@login_required
@require_POST
def itinerary_item_remove(request, pk, item_pk):
    delegation = _organised_delegation(request, pk)
    item = get_object_or_404(ItineraryItem, pk=item_pk, delegation=delegation)
    services.itinerary_item_remove(actor=request.user, item=item)
    messages.success(request, _("The item is removed from the itinerary."))
    return redirect("delegations:itinerary", pk=delegation.pk)


@login_required
@require_POST
def itinerary_event_add(request, pk):
    delegation = _organised_delegation(request, pk)
    form = ItineraryEventForm(request.POST, events=selectors.addable_events(user=request.user, delegation=delegation))
    if form.is_valid():
        services.itinerary_event_add(actor=request.user, delegation=delegation, event=form.cleaned_data["event"])
        messages.success(request, _("The event is on the itinerary."))
        return redirect("delegations:itinerary", pk=delegation.pk)
    return _itinerary_page(request, delegation, event_form=form, status=400)


@login_required
@require_POST
def itinerary_event_remove(request, pk, event_pk):
    delegation = _organised_delegation(request, pk)
    event = get_object_or_404(Event, pk=event_pk, delegations=delegation)
    services.itinerary_event_remove(actor=request.user, delegation=delegation, event=event)
    messages.success(request, _("The event is removed from the itinerary."))
    return redirect("delegations:itinerary", pk=delegation.pk)
