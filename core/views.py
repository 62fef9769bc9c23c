from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import selectors
from core.services import broker_status, database_status


@require_GET
def home(request):
    return render(request, "core/home.html", selectors.home_context())


@never_cache
@require_GET
def healthz(request):
    """JSON for load balancers and humans: is the database and the broker reachable?"""
    database = database_status()
    broker = broker_status()
    healthy = database["ok"] and broker["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "error", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
