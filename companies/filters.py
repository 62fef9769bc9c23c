"""The directory's filters: one FilterSet, fed by the page's GET parameters so a search can be shared.

The choice lists are read once per request (countries that occur, the sector taxonomy, the
regions), and the sector, region and partnership filters then use those rows by id, so a
filtered page costs the same number of queries as an unfiltered one.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries import countries

from companies.models import Organisation, PartnershipKind, Region, Sector

MAX_SEARCH_LENGTH = 200
MAX_SEARCH_WORDS = 10
SEARCH_FIELDS = ("name", "name_zh", "city", "description", "description_zh")


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=MAX_SEARCH_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, city, technology…"), "autocomplete": "off"}
        ),
    )
    country = django_filters.ChoiceFilter(label=_("Country"), empty_label=_("Any country"))
    kind = django_filters.ChoiceFilter(
        label=pgettext_lazy("organisation kind", "Kind"),
        choices=Organisation.Kind.choices,
        empty_label=_("Any kind"),
    )
    sector = django_filters.ChoiceFilter(label=_("Sector"), method="filter_sector", empty_label=_("Any sector"))
    region = django_filters.ChoiceFilter(
        label=_("Target region in China"), method="filter_region", empty_label=_("Any region")
    )
    looking_for = django_filters.ChoiceFilter(
        label=_("Looking for"),
        choices=PartnershipKind.choices,
        method="filter_looking_for",
        empty_label=_("Any partnership"),
    )

    class Meta:
        model = Organisation
        fields = ["q", "country", "kind", "sector", "region", "looking_for"]

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data=data, queryset=queryset, **kwargs)
        self._sectors = list(Sector.objects.order_by("position"))
        self._regions = list(Region.objects.order_by("code"))
        self.filters["country"].extra["choices"] = self._country_choices()
        self.filters["sector"].extra["choices"] = self._sector_choices()
        self.filters["region"].extra["choices"] = [(r.code, r.name) for r in self._regions]
        self.form.label_suffix = ""

    @property
    def qs(self):
        """Filters that do not validate give no result (and the form says why), never a half-filtered list."""
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs

    @property
    def active_count(self):
        """How many filters the request sets (0: the whole directory)."""
        if not self.is_bound:
            return 0
        return sum(1 for name in self.filters if str(self.data.get(name, "")).strip())

    def _country_choices(self):
        codes = self.queryset.order_by().values_list("country", flat=True).distinct()
        choices = [(code, countries.name(code) or code) for code in codes if code]
        return sorted(choices, key=lambda choice: str(choice[1]))

    def _sector_choices(self):
        """Group → leaves; each group offers itself first ("All of Water"), which selects its leaves too."""
        groups = {}
        for sector in self._sectors:
            if sector.parent_id is None:
                all_label = _("All of %(group)s") % {"group": sector.name}
                groups[sector.pk] = (sector.name, [(sector.slug, all_label)])
        for sector in self._sectors:
            if sector.parent_id is not None and sector.parent_id in groups:
                groups[sector.parent_id][1].append((sector.slug, sector.name))
        return list(groups.values())

    def filter_text(self, queryset, name, value):
        for word in value.split()[:MAX_SEARCH_WORDS]:
            any_field = Q()
            for field in SEARCH_FIELDS:
                any_field |= Q(**{f"{field}__icontains": word})
            queryset = queryset.filter(any_field)
        return queryset

    def filter_sector(self, queryset, name, value):
        chosen = next(s for s in self._sectors if s.slug == value)
        ids = {chosen.pk} | {s.pk for s in self._sectors if s.parent_id == chosen.pk}
        links = Organisation.sectors.through.objects.filter(sector_id__in=ids)
        return queryset.filter(pk__in=links.values("organisation_id"))

    def filter_region(self, queryset, name, value):
        region = next(r for r in self._regions if r.code == value)
        links = Organisation.target_regions.through.objects.filter(region_id=region.pk)
        return queryset.filter(pk__in=links.values("organisation_id"))

    def filter_looking_for(self, queryset, name, value):
        links = Organisation.looking_for.through.objects.filter(partnership_id=value)
        return queryset.filter(pk__in=links.values("organisation_id"))
