"""URLs of the matches pages, included under ``/matches/`` (namespace ``matches``)."""

from django.urls import path

from matchmaking import match_views as views

app_name = "matches"

urlpatterns = [
    path("", views.match_list, name="list"),
    path("<int:pk>/feedback/", views.match_feedback, name="feedback"),
    path("rescore/", views.rescore, name="rescore"),
    path("rescore/<int:run_id>/", views.rescore_progress, name="rescore_progress"),
]
