from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from companies import permissions, services
from companies.forms import OrganisationForm
from companies.views.onboarding import visible_organisation_or_404


@login_required
def organisation_edit(request, pk):
    """The profile editor, for the organisation's admins only."""
    organisation = visible_organisation_or_404(request, pk)
    if not permissions.can_edit_organisation(request.user, organisation):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, request.FILES or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_update(actor=request.user, organisation=organisation, fields=form.service_fields())
        messages.success(request, _("The profile was saved."))
        return redirect("companies:organisation_detail", pk=organisation.pk)
    return render(request, "companies/organisation_form.html", {"form": form, "organisation": organisation})
