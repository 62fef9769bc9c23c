"""The API's filters (django-filter).  Invalid values answer 400 with the field's message.

``updated_since`` (ISO 8601; a time without a zone is UTC) is on every list whose records
change; ``sector`` accepts a leaf or a group slug, a group selecting its leaves too.
"""

import datetime

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from companies.models import Organisation, PartnershipKind, Region, Sector
from delegations.models import Delegation
from events.models import Event
from matchmaking.models import Demand, Match

MAX_ID = 2**63 - 1
MAX_SEARCH_WORDS = 8


class IdField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


class IdFilter(filters.NumberFilter):
    field_class = IdField


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned into UTC here: a database need not accept every offset or year."""

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            value = value.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(_("This time is out of range."), code="out_of_range") from None
        if not datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC) <= value:
            value = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)  # nothing is older: "since ever"
        return value


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


def updated_since():
    return UtcDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Only records changed at or after this time (ISO 8601)"),
    )


@extend_schema_field(OpenApiTypes.STR)
class CodeChoiceFilter(filters.ModelChoiceFilter):
    """A record named by its slug or code (documented as a string)."""


def sector_filter(**kwargs):
    return CodeChoiceFilter(
        queryset=Sector.objects.all(), to_field_name="slug", method="filter_sector", label=_("Sector slug"), **kwargs
    )


def region_filter(**kwargs):
    return CodeChoiceFilter(
        queryset=Region.objects.all(), to_field_name="code", method="filter_region", label=_("Region code"), **kwargs
    )


def sector_ids(sector):
    """The sector and, for a group, its leaves."""
    return Sector.objects.filter(Q(pk=sector.pk) | Q(parent=sector)).values("pk")


class OrganisationFilter(filters.FilterSet):
    country = filters.CharFilter(field_name="country", method="filter_country", label=_("Country (ISO 3166-1 alpha-2)"))
    kind = filters.ChoiceFilter(choices=Organisation.Kind.choices)
    sector = sector_filter()
    region = region_filter()
    search = filters.CharFilter(method="filter_search", label=_("Words in the name or description"))
    updated_since = updated_since()

    class Meta:
        model = Organisation
        fields = ["country", "kind", "sector", "region", "search", "updated_since"]

    def filter_country(self, queryset, name, value):
        return queryset.filter(country=value.upper())

    def filter_sector(self, queryset, name, value):
        links = Organisation.sectors.through.objects.filter(sector__in=sector_ids(value))
        return queryset.filter(pk__in=links.values("organisation_id"))

    def filter_region(self, queryset, name, value):
        """Based in the region, or targeting it."""
        targeting = Organisation.target_regions.through.objects.filter(region=value)
        return queryset.filter(Q(region=value) | Q(pk__in=targeting.values("organisation_id")))

    def filter_search(self, queryset, name, value):
        for word in value.split()[:MAX_SEARCH_WORDS]:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(name_zh__icontains=word)
                | Q(description__icontains=word)
                | Q(description_zh__icontains=word)
            )
        return queryset


class DemandFilter(filters.FilterSet):
    sector = sector_filter()
    region = region_filter()
    kind = filters.ChoiceFilter(choices=PartnershipKind.choices)
    status = filters.ChoiceFilter(choices=Demand.Status.choices)
    organisation = IdFilter(field_name="organisation_id", label=_("Owner organisation ID"))
    updated_since = updated_since()

    class Meta:
        model = Demand
        fields = ["sector", "region", "kind", "status", "organisation", "updated_since"]

    def filter_sector(self, queryset, name, value):
        tagged = Demand.sectors.through.objects.filter(demand=OuterRef("pk"), sector__in=sector_ids(value))
        return queryset.filter(Exists(tagged))

    def filter_region(self, queryset, name, value):
        return queryset.filter(region=value)


class MatchFilter(filters.FilterSet):
    demand = IdFilter(field_name="demand_id", label=_("Demand ID"))
    demand_external_id = filters.CharFilter(field_name="demand__external_id", label=_("Demand external ID"))
    organisation = IdFilter(field_name="organisation_id", label=_("Organisation ID"))
    organisation_external_id = filters.CharFilter(
        field_name="organisation__external_id", label=_("Organisation external ID")
    )
    sector = sector_filter()
    min_score = filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("Lowest score (0–1)"))
    updated_since = updated_since()

    class Meta:
        model = Match
        fields = [
            "demand", "demand_external_id", "organisation", "organisation_external_id",
            "sector", "min_score", "updated_since",
        ]  # fmt: skip

    def filter_sector(self, queryset, name, value):
        """Matches on demands tagged with the sector (or, for a group, one of its leaves)."""
        tagged = Demand.sectors.through.objects.filter(demand=OuterRef("demand_id"), sector__in=sector_ids(value))
        return queryset.filter(Exists(tagged))


class EventFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Event.Kind.choices)
    format = filters.ChoiceFilter(choices=Event.Format.choices)
    updated_since = updated_since()

    class Meta:
        model = Event
        fields = ["kind", "format", "updated_since"]


class DelegationFilter(filters.FilterSet):
    updated_since = updated_since()

    class Meta:
        model = Delegation
        fields = ["updated_since"]
