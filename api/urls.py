from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("sectors", views.SectorViewSet, basename="sector")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("demands", views.DemandViewSet, basename="demand")
router.register("matches", views.MatchViewSet, basename="match")
router.register("events", views.EventViewSet, basename="event")
router.register("delegations", views.DelegationViewSet, basename="delegation")

app_name = "api"
urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
