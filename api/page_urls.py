"""Pages where an organisation's admins manage its API keys and webhooks (under /organisations/<pk>/api/)."""

app_name = "api_pages"
urlpatterns = []
