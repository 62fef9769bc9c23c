from django.urls import path

from delegations import views

app_name = "delegations"

urlpatterns = [
    path("", views.delegation_list, name="list"),
    path("new/", views.delegation_create, name="create"),
    path("<int:pk>/", views.delegation_detail, name="detail"),
    path("<int:pk>/edit/", views.delegation_edit, name="edit"),
    path("<int:pk>/itinerary/", views.itinerary, name="itinerary"),
    path("<int:pk>/itinerary/items/add/", views.itinerary_item_add, name="itinerary_item_add"),
    path("<int:pk>/itinerary/items/<int:item_pk>/remove/", views.itinerary_item_remove, name="itinerary_item_remove"),
    path("<int:pk>/itinerary/events/add/", views.itinerary_event_add, name="itinerary_event_add"),
    path(
        "<int:pk>/itinerary/events/<int:event_pk>/remove/", views.itinerary_event_remove, name="itinerary_event_remove"
    ),
]
