from django.urls import path

from matchmaking import views

app_name = "matchmaking"

urlpatterns = [
    path("", views.demand_list, name="demand_list"),
    path("new/", views.demand_create, name="demand_create"),
    path("<int:pk>/", views.demand_detail, name="demand_detail"),
    path("<int:pk>/edit/", views.demand_edit, name="demand_edit"),
    path("<int:pk>/close/", views.demand_close, name="demand_close"),
]
