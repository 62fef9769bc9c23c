from django.urls import path

from delegations import views

app_name = "delegations"

urlpatterns = [
    path("", views.delegation_list, name="list"),
    path("new/", views.delegation_create, name="create"),
    path("<int:pk>/", views.delegation_detail, name="detail"),
    path("<int:pk>/edit/", views.delegation_edit, name="edit"),
]
