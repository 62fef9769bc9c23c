"""The project's URLs plus ``/matches/``, for the matches tests until config/urls.py includes them."""

from django.urls import include, path

from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *(p for p in project_urlpatterns if getattr(p, "namespace", None) != "matches"),
    path("matches/", include("matchmaking.match_urls")),
]
