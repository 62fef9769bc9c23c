"""API keys, webhooks and their deliveries in the Django admin.

Keys are created with ``manage.py create_api_key`` or on the organisation's API page (the
key in clear is shown once there); the admin shows them read-only and can revoke them.
A webhook's signing secret is never shown here.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api import services
from api.models import ApiKey, Webhook, WebhookDelivery


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "organisation", "scope", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = [
        "organisation", "prefix", "digest", "scope", "created_by", "created_at", "last_used_at", "revoked_at",
    ]  # fmt: skip
    fields = ["name", *readonly_fields]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # a key is shown once when it is made: manage.py create_api_key or the organisation's page

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        count = 0
        for key in queryset.filter(revoked_at__isnull=True).select_related("organisation"):
            try:
                services.revoke_api_key(actor=request.user, key=key)
            except PermissionDenied:
                continue
            count += 1
        self.message_user(request, ngettext("%d key revoked.", "%d keys revoked.", count) % count, messages.SUCCESS)


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ["url", "organisation", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "organisation__name"]
    list_select_related = ["organisation"]
    fields = ["organisation", "url", "events", "active", "created_by", "created_at"]
    readonly_fields = ["organisation", "url", "events", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False  # the URL is checked and the secret shown on the organisation's page


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "event", "webhook", "status", "attempts", "response_status"]
    list_filter = ["status", "event"]
    search_fields = ["webhook__url", "webhook__organisation__name"]
    list_select_related = ["webhook"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "webhook", "event", "payload", "status", "attempts", "response_status", "last_error",
        "created_at", "delivered_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
