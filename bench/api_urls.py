"""URLs for bench/api.py only: the project's URLs plus two baselines served by the same processes.

* ``/bench/plain-matches/?demand=<id>``: the list a plain DRF ``ListAPIView`` gives: the same
  published matches in the same order, ``select_related``, a django-filter ``demand`` filter,
  ``PageNumberPagination`` of 20, a plain ``ModelSerializer`` with the demand and the
  organisation nested and the reasons as stored; no authentication, permission or throttling.
* ``/bench/constant/``: constant JSON through DRF, no authentication: the framework's floor.
"""

from django.urls import path
from django_filters import rest_framework as filters
from rest_framework import generics, pagination, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from companies.models import Organisation
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the handlers of this URLconf)
from config.urls import urlpatterns as project_urlpatterns
from matchmaking.models import Demand, Match


class PlainDemandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Demand
        fields = ["id", "external_id", "title"]


class PlainOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "external_id", "name", "country"]


class PlainMatchSerializer(serializers.ModelSerializer):
    demand = PlainDemandSerializer(read_only=True)
    organisation = PlainOrganisationSerializer(read_only=True)

    class Meta:
        model = Match
        fields = ["id", "demand", "organisation", "score", "rank", "reasons", "updated_at"]


class PlainMatchFilter(filters.FilterSet):
    # A number, as the real endpoint's filter: the default ModelChoiceFilter would add a query.
    demand = filters.NumberFilter(field_name="demand_id")

    class Meta:
        model = Match
        fields = ["demand"]


class PlainPagination(pagination.PageNumberPagination):
    page_size = 20


class PlainMatchList(generics.ListAPIView):
    queryset = Match.objects.filter(published=True).select_related("demand", "organisation").order_by("-score", "pk")
    serializer_class = PlainMatchSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = PlainMatchFilter
    pagination_class = PlainPagination
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []


CONSTANT = {"count": 0, "next": None, "previous": None, "results": [{"id": 1, "label": "constant"}]}


class Constant(APIView):
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    def get(self, request):
        return Response(CONSTANT)


urlpatterns = [
    path("bench/plain-matches/", PlainMatchList.as_view(), name="bench-plain-matches"),
    path("bench/constant/", Constant.as_view(), name="bench-constant"),
    *project_urlpatterns,
]
