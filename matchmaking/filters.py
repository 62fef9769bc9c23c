"""Filters of the demand list; the values live in the URL so that a search can be shared.

An invalid value (an unknown sector slug, a made-up status) is a form error shown on
the page, never a 500: the view then lists nothing and says which filter to fix.
"""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from companies.models import PartnershipKind, Region, Sector
from matchmaking.models import Demand

NORDIC_AND_CHINA = ("CN", "DK", "FI", "IS", "NO", "SE")
MAX_SEARCH_WORDS = 10
STATUS_ALL = "all"


def sector_choices():
    """Each group first as "All of <group>" (it selects its leaves), then its leaves; slugs as values."""
    sectors = list(Sector.objects.order_by("position"))
    groups = {s.pk: (s, []) for s in sectors if s.parent_id is None}
    for sector in sectors:
        if sector.parent_id is not None:
            groups[sector.parent_id][1].append((sector.slug, sector.name))
    return [
        (group.name, [(group.slug, _("All of %(group)s") % {"group": group.name}), *leaves])
        for group, leaves in groups.values()
    ]


def region_choices():
    return [(region.code, region.name) for region in Region.objects.order_by("name_en")]


def country_choices():
    """China and the Nordic countries first, then every other country, by name in the active language."""
    first = [(code, countries.name(code)) for code in NORDIC_AND_CHINA]
    others = [(code, name) for code, name in countries if code not in NORDIC_AND_CHINA]
    return [(_("China and the Nordic countries"), first), (_("Other countries"), others)]


class IdFilter(django_filters.NumberFilter):
    """A database id: a whole number in the range of the column, else a form error."""

    field_class = forms.IntegerField


class DemandFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_q",
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. sludge, 污泥, shore power"), "autocomplete": "off"}
        ),
    )
    sector = django_filters.ChoiceFilter(
        label=_("Sector"), choices=sector_choices, method="filter_sector", empty_label=_("Any sector")
    )
    region = django_filters.ChoiceFilter(
        label=_("Region in China"), choices=region_choices, field_name="region__code", empty_label=_("Any region")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind of partnership"), choices=PartnershipKind.choices, empty_label=_("Any kind")
    )
    country = django_filters.ChoiceFilter(
        label=_("Country of the poster"),
        choices=country_choices,
        field_name="organisation__country",
        empty_label=_("Any country"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*Demand.Status.choices, (STATUS_ALL, _("Open and closed"))],
        method="filter_status",
        empty_label=None,
    )
    organisation = IdFilter(
        label=_("Organisation"),
        field_name="organisation_id",
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**63 - 1,
    )

    class Meta:
        model = Demand
        fields = ["q", "sector", "region", "kind", "country", "status", "organisation"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = Demand.Status.OPEN  # the default: open demands only
        super().__init__(data, *args, **kwargs)
        self.form.label_suffix = ""  # a compact panel: labels without colons

    def filter_q(self, queryset, name, value):
        """Every word must appear in a title or a description, in either language.

        Chinese is written without spaces: a Chinese phrase is one "word" and found as a
        substring, so 污泥 finds 污泥处理项目.
        """
        for word in value.split()[:MAX_SEARCH_WORDS]:
            queryset = queryset.filter(
                Q(title__icontains=word)
                | Q(title_zh__icontains=word)
                | Q(description__icontains=word)
                | Q(description_zh__icontains=word)
            )
        return queryset

    def filter_sector(self, queryset, name, value):
        """A leaf selects the demands tagged with it; a group, those tagged with the group or any of its leaves."""
        selected = Sector.objects.filter(Q(slug=value) | Q(parent__slug=value))
        tagged = Demand.sectors.through.objects.filter(demand=OuterRef("pk"), sector__in=selected)
        return queryset.filter(Exists(tagged))

    def filter_status(self, queryset, name, value):
        if value == STATUS_ALL:
            return queryset
        return queryset.filter(status=value)
