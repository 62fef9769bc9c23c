"""Read-only delegation pages: the list and one delegation.

Everyone may see them; what a delegation's page shows depends on the viewer (see selectors).
"""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from delegations import selectors


@require_GET
def delegation_list(request):
    upcoming, past = selectors.delegation_lists()
    return render(request, "delegations/delegation_list.html", {"upcoming": upcoming, "past": past})


@require_GET
def delegation_detail(request, pk):
    page = selectors.delegation_page(user=request.user, pk=pk)
    return render(request, "delegations/delegation_detail.html", {"page": page, "delegation": page.delegation})
