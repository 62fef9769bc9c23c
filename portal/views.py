from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import health, selectors


@require_GET
def home(request):
    return render(request, "portal/home.html", selectors.home_context())


@never_cache
@require_GET
def healthz(request):
    """For load balancers and monitors: ``ok`` or ``unavailable`` per part, 503 when one is down.

    It says nothing more to the public (no versions, hosts or error messages): the reason a
    part is down is logged by ``portal.health``.
    """
    parts = {"database": health.database_ok(), "broker": health.broker_ok()}
    healthy = all(parts.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if up else "unavailable" for name, up in parts.items()})
    return JsonResponse(body, status=200 if healthy else 503)
