"""Demand pages: the list with its filters, a demand's page, and the owner's form.

Who may do what (``matchmaking.permissions``): everyone sees the demands of public
organisations, signed-in users those of members-only ones too; the active members of
the owner organisation edit and close.  A demand someone may not see is a 404 to them;
one they may see but not change is a 403.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from companies.selectors import pending_memberships
from matchmaking import permissions, selectors, services
from matchmaking.forms import DemandForm
from matchmaking.models import Demand

PAGE_SIZE = 20
FILTERS_BESIDES_STATUS = ("q", "sector", "region", "kind", "country", "organisation")


def demand_list(request):
    filterset = selectors.demand_list(user=request.user, params=request.GET)
    valid = filterset.is_valid()
    page = Paginator(filterset.qs if valid else Demand.objects.none(), PAGE_SIZE).get_page(request.GET.get("page"))
    cleaned = filterset.form.cleaned_data if valid else {}
    organisation_id = cleaned.get("organisation")
    context = {
        "filter": filterset,
        "filters_valid": valid,
        "page": page,
        "demands": page.object_list,
        "filtered_organisation": (
            selectors.organisation_for_filter(user=request.user, pk=organisation_id) if organisation_id else None
        ),
        "filters_active": any(cleaned.get(name) for name in FILTERS_BESIDES_STATUS)
        or cleaned.get("status") != Demand.Status.OPEN,
        "may_post": permissions.can_post_demands(request.user),
    }
    # HTMX replaces only the results; a history restore (back button after a cache miss) needs the whole page.
    fragment = request.htmx and not request.htmx.history_restore_request
    template = "matchmaking/_demand_results.html" if fragment else "matchmaking/demand_list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def demand_detail(request, pk):
    demand = selectors.demand_detail(user=request.user, pk=pk)
    return render(
        request,
        "matchmaking/demand_detail.html",
        {
            "demand": demand,
            "titles": selectors.bilingual(demand.title, demand.title_zh),
            "descriptions": selectors.bilingual(demand.description, demand.description_zh),
            "may_edit": permissions.can_edit_demand(request.user, demand),
        },
    )


def _save(form, save):
    """Call the service; model rules it enforces on its own come back as form errors."""
    try:
        return save()
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@login_required
def demand_create(request):
    if not permissions.can_post_demands(request.user):
        pending = pending_memberships(user=request.user)
        return render(request, "matchmaking/demand_no_organisation.html", {"pending_memberships": pending})
    form = DemandForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        demand = _save(
            form,
            lambda: services.demand_create(
                actor=request.user, organisation=form.cleaned_data["organisation"], fields=form.service_fields()
            ),
        )
        if demand:
            messages.success(request, _("Your demand is published. Nordic organisations can now find it."))
            return redirect("matchmaking:demand_detail", pk=demand.pk)
    return render(request, "matchmaking/demand_form.html", {"form": form, "creating": True})


@login_required
def demand_edit(request, pk):
    demand = selectors.demand_detail(user=request.user, pk=pk)
    if not permissions.can_edit_demand(request.user, demand):
        raise PermissionDenied
    # The form works on a copy: an invalid POST must not change the title the page shows.
    form = DemandForm(request.POST or None, instance=copy.copy(demand), user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = _save(
            form, lambda: services.demand_update(actor=request.user, demand=demand, fields=form.service_fields())
        )
        if saved:
            messages.success(request, _("The demand was saved."))
            return redirect("matchmaking:demand_detail", pk=demand.pk)
    return render(request, "matchmaking/demand_form.html", {"form": form, "demand": demand})


@login_required
@require_POST
def demand_close(request, pk):
    demand = selectors.demand_detail(user=request.user, pk=pk)
    if not permissions.can_close_demand(request.user, demand):
        raise PermissionDenied
    services.demand_close(actor=request.user, demand=demand)
    messages.success(
        request, _("The demand is closed. It stays readable here but no longer appears among open demands.")
    )
    return redirect("matchmaking:demand_detail", pk=demand.pk)
