"""The matchmaking URLs: the demand pages under ``/demands/`` (namespace ``matchmaking``) and
the matches pages under ``/matches/`` (namespace ``matches``), included once from ``config.urls``."""

from django.urls import include, path

from matchmaking.views import demands, matches

demand_patterns = [
    path("", demands.demand_list, name="demand_list"),
    path("new/", demands.demand_create, name="demand_create"),
    path("<int:pk>/", demands.demand_detail, name="demand_detail"),
    path("<int:pk>/edit/", demands.demand_edit, name="demand_edit"),
    path("<int:pk>/close/", demands.demand_close, name="demand_close"),
]

match_patterns = [
    path("", matches.match_list, name="list"),
    path("<int:pk>/feedback/", matches.match_feedback, name="feedback"),
    path("rescore/", matches.rescore, name="rescore"),
    path("rescore/<int:run_id>/", matches.rescore_progress, name="rescore_progress"),
]

urlpatterns = [
    path("demands/", include((demand_patterns, "matchmaking"))),
    path("matches/", include((match_patterns, "matches"))),
]
