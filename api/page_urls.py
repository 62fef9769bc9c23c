"""Pages where an organisation's admins manage its API keys and webhooks (under /organisations/<pk>/api/)."""

from django.urls import path

from api import pages

app_name = "api_pages"
urlpatterns = [
    path("", pages.api_index, name="index"),
    path("keys/", pages.key_list, name="keys"),
    path("keys/<int:key_pk>/revoke/", pages.key_revoke, name="key_revoke"),
    path("webhooks/", pages.webhook_list, name="webhooks"),
    path("webhooks/<int:webhook_pk>/", pages.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:webhook_pk>/active/", pages.webhook_activate, name="webhook_activate"),
    path("webhooks/<int:webhook_pk>/delete/", pages.webhook_delete, name="webhook_delete"),
]
