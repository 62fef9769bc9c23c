"""Pages where an organisation's admins manage its API keys and webhooks (under /organisations/<pk>/api/)."""

from django.urls import path

from api.pages import views

app_name = "api_pages"
urlpatterns = [
    path("", views.api_index, name="index"),
    path("keys/", views.key_list, name="keys"),
    path("keys/<int:key_pk>/revoke/", views.key_revoke, name="key_revoke"),
    path("webhooks/", views.webhook_list, name="webhooks"),
    path("webhooks/<int:webhook_pk>/", views.webhook_detail, name="webhook_detail"),
    path("webhooks/<int:webhook_pk>/active/", views.webhook_activate, name="webhook_activate"),
    path("webhooks/<int:webhook_pk>/delete/", views.webhook_delete, name="webhook_delete"),
]
