"""Pages where an organisation's admins manage its API keys and webhooks.

Who may (the same as the profile editor): a visitor is sent to log in; an organisation
the user may not see answers 404; anyone but its admins (and superusers) gets 403.
A new key and a new webhook's signing secret are shown once, in the answer to the POST
that created them (not kept in the session, not shown again); these pages are never cached.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api import services
from api.models import WebhookDelivery
from api.pages.forms import ApiKeyForm, WebhookForm
from api.webhooks.targets import WebhookURLError
from companies import permissions as company_permissions
from companies.views.onboarding import visible_organisation_or_404

DELIVERIES_PER_PAGE = 20


def _organisation_for_admin(request, organisation_pk):
    organisation = visible_organisation_or_404(request, organisation_pk)
    if not company_permissions.is_organisation_admin(request.user, organisation):
        raise PermissionDenied
    return organisation


def _keys(organisation):
    return organisation.api_keys.select_related("created_by").order_by("revoked_at", "-created_at", "-pk")


def _webhooks(organisation):
    latest = WebhookDelivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        organisation.webhooks.annotate(
            last_status=Subquery(latest.values("status")[:1]),
            last_delivery_at=Subquery(latest.values("created_at")[:1]),
            last_attempts=Subquery(latest.values("attempts")[:1]),
        )
        .select_related("created_by")
        .order_by("-active", "-created_at", "-pk")
    )


@login_required
@never_cache
def api_index(request, organisation_pk):
    organisation = _organisation_for_admin(request, organisation_pk)
    return redirect("api_pages:keys", organisation_pk=organisation.pk)


@login_required
@never_cache
def key_list(request, organisation_pk):
    """The organisation's keys, and a form for a new one; a new key is shown in the answer, once."""
    organisation = _organisation_for_admin(request, organisation_pk)
    form = ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        key, raw = services.create_api_key_for(
            actor=request.user, organisation=organisation, name=form.cleaned_data["name"], write=form.write
        )
        created = {"key": key, "raw": raw}
        form = ApiKeyForm()
    context = {
        "organisation": organisation,
        "keys": _keys(organisation),
        "form": form,
        "created": created,
        "api_root": request.build_absolute_uri("/api/v1/organisations/"),
        "tab": "keys",
    }
    return render(request, "api/keys.html", context)


@login_required
@never_cache
def key_revoke(request, organisation_pk, key_pk):
    """Confirm (GET), then revoke (POST): the key stops working at once."""
    organisation = _organisation_for_admin(request, organisation_pk)
    key = get_object_or_404(organisation.api_keys, pk=key_pk)
    if request.method == "POST":
        services.revoke_api_key(actor=request.user, key=key)
        messages.success(request, _("The key “%(name)s” was revoked. It no longer works.") % {"name": key.name})
        return redirect("api_pages:keys", organisation_pk=organisation.pk)
    return render(request, "api/key_revoke.html", {"organisation": organisation, "key": key, "tab": "keys"})


@login_required
@never_cache
def webhook_list(request, organisation_pk):
    """The organisation's webhooks, and a form for a new one; its signing secret is shown once."""
    organisation = _organisation_for_admin(request, organisation_pk)
    form = WebhookForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            webhook, secret = services.webhook_register(
                actor=request.user,
                organisation=organisation,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
            )
        except WebhookURLError as exc:  # the host's addresses changed since the form checked them
            form.add_error("url", exc.message)
        except services.WebhookLimitReached:
            form.add_error(
                None,
                _("An organisation can have at most %(count)s active webhooks. Deactivate or delete one first.")
                % {"count": services.WEBHOOKS_PER_ORGANISATION},
            )
        else:
            created = {"webhook": webhook, "secret": secret}
            form = WebhookForm()
    context = {
        "organisation": organisation,
        "webhooks": _webhooks(organisation),
        "form": form,
        "created": created,
        "tab": "webhooks",
    }
    return render(request, "api/webhooks.html", context)


def _webhook(organisation, webhook_pk):
    return get_object_or_404(organisation.webhooks.select_related("organisation"), pk=webhook_pk)


@login_required
@never_cache
def webhook_detail(request, organisation_pk, webhook_pk):
    """A webhook and its delivery log, newest first."""
    organisation = _organisation_for_admin(request, organisation_pk)
    webhook = _webhook(organisation, webhook_pk)
    deliveries = webhook.deliveries.order_by("-created_at", "-pk")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"organisation": organisation, "webhook": webhook, "page": page, "tab": "webhooks"}
    return render(request, "api/webhook_detail.html", context)


@login_required
@require_POST
def webhook_activate(request, organisation_pk, webhook_pk):
    organisation = _organisation_for_admin(request, organisation_pk)
    webhook = _webhook(organisation, webhook_pk)
    active = request.POST.get("active") == "1"
    try:
        services.webhook_set_active(actor=request.user, webhook=webhook, active=active)
    except WebhookURLError as exc:
        messages.error(request, _("The webhook stays inactive: %(reason)s") % {"reason": exc.message})
    else:
        if active:
            messages.success(request, _("The webhook is active again."))
        else:
            messages.success(request, _("The webhook was deactivated: no more events are sent to it."))
    return redirect("api_pages:webhook_detail", organisation_pk=organisation.pk, webhook_pk=webhook.pk)


@login_required
@never_cache
def webhook_delete(request, organisation_pk, webhook_pk):
    """Confirm (GET), then delete the webhook and its delivery log (POST)."""
    organisation = _organisation_for_admin(request, organisation_pk)
    webhook = _webhook(organisation, webhook_pk)
    if request.method == "POST":
        services.webhook_delete(actor=request.user, webhook=webhook)
        messages.success(request, _("The webhook was deleted."))
        return redirect("api_pages:webhooks", organisation_pk=organisation.pk)
    return render(request, "api/webhook_delete.html", {"organisation": organisation, "webhook": webhook})
