"""Reads on demands: querysets with their prefetching, built in one place."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from companies import permissions as company_permissions
from companies.models import Sector
from matchmaking import permissions
from matchmaking.filters import DemandFilter


def _with_relations(queryset):
    return queryset.select_related("organisation", "region").prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.select_related("parent").order_by("position"))
    )


def demand_list(*, user, params):
    """The demands ``user`` may see, filtered by ``params`` (a QueryDict); returns the bound DemandFilter.

    ``filterset.qs`` is the filtered queryset, ``filterset.form`` the form with its errors.
    """
    queryset = _with_relations(permissions.visible_demands(user)).order_by("-created_at", "-pk")
    return DemandFilter(params, queryset=queryset)


def demand_detail(*, user, pk):
    """The demand, or 404 when it does not exist or ``user`` may not know of it."""
    return get_object_or_404(_with_relations(permissions.visible_demands(user)), pk=pk)


def organisation_for_filter(*, user, pk):
    """The organisation named by the list's ``organisation`` filter, if ``user`` may see it."""
    return company_permissions.visible_organisations(user).filter(pk=pk).first()


def bilingual(english, chinese):
    """[(text, lang), ...]: the text in the active language first, then the other; empty ones left out."""
    texts = [(english, "en"), (chinese, "zh-Hans")]
    if (get_language() or "").startswith("zh"):
        texts.reverse()
    return [(text, lang) for text, lang in texts if text]
