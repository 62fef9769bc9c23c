"""The partner API (DRF): thin viewsets over api.selectors, writes through the domain services."""

import hashlib
from urllib.parse import urlencode

from django.core.cache import cache
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, models
from django.db.models import Count, Max
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import quote_etag
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api import filters, selectors, serializers
from api.authentication import api_key_of
from api.permissions import SignedIn
from companies.models import Sector
from core.permissions import is_administrator
from matchmaking import services as demand_services
from matchmaking.models import Match
from matchmaking.reasons import ReasonNames

ID = r"[0-9]{1,18}"


class SectorViewSet(viewsets.ReadOnlyModelViewSet):
    """The fixed two-level sector taxonomy (slugs never change, so it has no ``updated_since``)."""

    queryset = Sector.objects.select_related("parent").order_by("position", "pk")
    serializer_class = serializers.SectorSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[a-z0-9_.-]{1,64}"
    filter_backends = []


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.OrganisationSerializer
    filterset_class = filters.OrganisationFilter
    ordering_fields = ["name", "updated_at", "created_at"]
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.organisations(self.request.user)


@extend_schema_view(
    create=extend_schema(
        request=serializers.DemandCreateSerializer,
        responses={201: serializers.DemandSerializer, 400: OpenApiResponse(description="Invalid demand")},
    )
)
class DemandViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = filters.DemandFilter
    ordering_fields = ["created_at", "updated_at", "deadline"]
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.demands(self.request.user)

    def get_serializer_class(self):
        return serializers.DemandCreateSerializer if self.action == "create" else serializers.DemandSerializer

    def create(self, request, *args, **kwargs):
        incoming = serializers.DemandCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        organisation = selectors.organisation_for_new_demand(request.user, incoming.validated_data["organisation"])
        if organisation is None:
            raise exceptions.ValidationError(
                {"organisation": [_("Name the organisation (its ID) that posts this demand.")]}
            )
        try:
            demand = demand_services.demand_create(
                actor=request.user, organisation=organisation, fields=incoming.validated_data["fields"]
            )
        except DjangoPermissionDenied:
            raise exceptions.PermissionDenied(_("You may not post demands for this organisation.")) from None
        demand = self.get_queryset().get(pk=demand.pk)
        return Response(serializers.DemandSerializer(demand).data, status=status.HTTP_201_CREATED)


class MatchViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Published matches, best score first.  A list answers 304 to ``If-None-Match`` when nothing changed.

    The list is the API's busiest read (partners poll it per demand), so it is built lean: one
    aggregate gives both the count and the ETag (count and latest change of the filtered rows,
    with who asks, the language and the query); a page already rendered for that ETag is served
    from the cache; otherwise one query reads the page's rows as plain values.
    """

    serializer_class = serializers.MatchSerializer
    filterset_class = filters.MatchFilter
    ordering_fields = ["score", "rank", "updated_at"]
    permission_classes = [SignedIn]
    etag_lists = True
    #: Seconds a rendered page is kept; it is keyed by the ETag, so a change never serves a stale page.
    page_cache_seconds = 300

    def get_queryset(self):
        return selectors.matches(self.request.user)

    def list(self, request, *args, **kwargs):
        queryset, demand = self._filtered(request)
        state = self._state(request, queryset, demand)
        query = self._normalised_query(request)
        etag = self._etag(request, state, query)
        if etag in request.headers.get("If-None-Match", ""):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag})
        cache_key = f"api-matches:{etag}"
        body = cache.get(cache_key)
        if body is None:
            offset, limit = self.paginator.bounds(request, state["n"])
            rows = list(queryset.values(*serializers.MATCH_VALUES)[offset : offset + limit])
            names = ReasonNames.for_reasons(reason for row in rows for reason in row["reasons"] or ())
            base = f"{request.build_absolute_uri(request.path)}?{urlencode(query)}"
            body = JSONRenderer().render(self.paginator.envelope(serializers.match_rows(rows, names), base))
            cache.set(cache_key, body, self.page_cache_seconds)
        response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        return response

    #: Queries of one demand's list (what partners poll) skip django-filter's form: same checks, less work.
    FAST_PARAMETERS = frozenset({"demand", "page", "page_size"})

    def _filtered(self, request):
        """(the filtered queryset, the demand id when the query names only a demand and a page)."""
        params = request.query_params
        if not set(params) <= self.FAST_PARAMETERS or any(len(params.getlist(name)) > 1 for name in params):
            return self.filter_queryset(self.get_queryset()), None
        queryset = self.get_queryset()
        demand = None
        if "demand" in params:
            try:
                demand = filters.IdField().clean(params["demand"])
            except DjangoValidationError as error:
                raise exceptions.ValidationError({"demand": error.messages}) from None
            queryset = queryset.filter(demand_id=demand)
        return queryset, demand

    def _state(self, request, queryset, demand):
        """{"n": rows, "last": latest change} of the list; for one demand seen by a key, in plain SQL
        (building the ORM aggregate costs more than running it)."""
        if demand is not None and self._audience(request.user) == "all":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT COUNT(*), MAX(updated_at) FROM {Match._meta.db_table}"  # noqa: S608 (a table name)
                    " WHERE demand_id = %s AND published = %s",
                    [demand, True],
                )
                count, last = cursor.fetchone()
            if isinstance(last, str):  # SQLite returns text
                last = models.DateTimeField().to_python(last)
            return {"n": count, "last": last}
        return queryset.order_by().aggregate(n=Count("pk"), last=Max("updated_at"))

    @staticmethod
    def _audience(user):
        # Who sees every published match (api.selectors.matches) shares one page; everyone else their own.
        return "all" if api_key_of(user) or is_administrator(user) else f"user{user.pk}"

    def _normalised_query(self, request):
        """The parameters that shape the answer, sorted; anything else is left out of the ETag and the links."""
        known = set(filters.MatchFilter.base_filters) | {"page", "page_size", "ordering"}
        return sorted((name, value) for name, value in request.query_params.items() if name in known)

    def _etag(self, request, state, query):
        """Changes whenever a row of the filtered list is added, removed or updated, and differs per audience."""
        audience = self._audience(request.user)
        last = state["last"].timestamp() if state["last"] else 0
        language = getattr(request, "LANGUAGE_CODE", "")
        where = request.build_absolute_uri(request.path)  # the links in the body name the host
        fingerprint = f"{audience}|{state['n']}|{last}|{language}|{where}|{urlencode(query)}"
        return quote_etag(hashlib.sha1(fingerprint.encode(), usedforsecurity=False).hexdigest())


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.EventSerializer
    filterset_class = filters.EventFilter
    ordering_fields = ["starts_at", "updated_at"]
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.events(self.request.user)

    @extend_schema(responses=serializers.MeetingSerializer(many=True), filters=False)
    @action(
        detail=True, permission_classes=[SignedIn], filter_backends=[], serializer_class=serializers.MeetingSerializer
    )
    def meetings(self, request, pk=None):
        """Scheduled meetings: all of them for the event's organisers, otherwise the caller's own."""
        event = get_object_or_404(selectors.events(request.user), pk=pk)
        page = self.paginate_queryset(selectors.meetings(request.user, event))
        return self.get_paginated_response(serializers.MeetingSerializer(page, many=True).data)


class DelegationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.DelegationSerializer
    filterset_class = filters.DelegationFilter
    ordering_fields = ["starts_on", "updated_at"]
    lookup_value_regex = ID

    def get_queryset(self):
        return selectors.delegations(self.request.user)
