"""Reads for the demand and matches pages: querysets with their prefetching, built in one place.

Every match a page shows gets its reasons and score components as words
(``label_matches``); the names they need are looked up once per page (``matchmaking.reasons``).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from companies import permissions as company_permissions
from companies.models import Organisation, Sector
from matchmaking import permissions
from matchmaking.filters import DemandFilter
from matchmaking.models import Demand, Match, RescoringRun
from matchmaking.permissions import BUYER, SUPPLIER
from matchmaking.reasons import ReasonNames, reason_labels

NOT_RELEVANT = Match.Feedback.NOT_RELEVANT

#: The score components in the order the engine weighs them, with their names on the page.
COMPONENT_LABELS = {
    "sector": _("Sector fit"),
    "text": _("Text fit"),
    "region": _("Region fit"),
    "partnership": _("Partnership fit"),
    "copresence": _("Meeting at the same event"),
}


# ---- demands -----------------------------------------------------------------------------


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


# ---- matches -----------------------------------------------------------------------------


@dataclass
class MemberMatches:
    organisation: Organisation
    demands: list = field(default_factory=list)  # as buyer: open demands, each with ``.suggested`` matches
    supplier_matches: list = field(default_factory=list)  # as supplier: matches, best first
    supplier_total: int = 0  # all the supplier matches, of which ``supplier_matches`` are the best

    @property
    def buyer_total(self):
        return sum(len(demand.suggested) for demand in self.demands)


def matches_for(*, user, organisation, supplier_limit=None):
    """The published matches of ``organisation``, seen by one of its active members, from both sides.

    As buyer: its open demands (newest first), each with ``.suggested``, its published
    matches by rank.  As supplier: its published matches on open demands, best score first
    (at most ``supplier_limit``, by default ``MATCH_TOP_K``).  Matches this side marked not
    relevant are left out.  Every match gets ``.reason_labels`` in the active language.
    """
    if not permissions.can_view_matches_of(user, organisation):
        raise PermissionDenied
    supplier_limit = supplier_limit or settings.MATCH_TOP_K
    suggested = (
        Match.objects.filter(published=True)
        .exclude(buyer_feedback=NOT_RELEVANT)
        .select_related("organisation")
        .order_by("rank", "-score", "pk")
    )
    demands = list(
        Demand.objects.filter(organisation=organisation, status=Demand.Status.OPEN)
        .select_related("region")
        .prefetch_related(Prefetch("matches", queryset=suggested, to_attr="suggested"))
        .order_by("-created_at", "-pk")
    )
    supplier = (
        Match.objects.filter(organisation=organisation, published=True, demand__status=Demand.Status.OPEN)
        .exclude(supplier_feedback=NOT_RELEVANT)
        .select_related("demand__organisation", "demand__region")
        .order_by("-score", "pk")
    )
    supplier_matches = list(supplier[: supplier_limit + 1])
    supplier_total = len(supplier_matches)
    if supplier_total > supplier_limit:
        supplier_matches = supplier_matches[:supplier_limit]
        supplier_total = supplier.count()
    label_matches([m for demand in demands for m in demand.suggested] + supplier_matches)
    for demand in demands:
        _set_feedback(demand.suggested, side=BUYER)
    _set_feedback(supplier_matches, side=SUPPLIER)
    return MemberMatches(
        organisation=organisation, demands=demands, supplier_matches=supplier_matches, supplier_total=supplier_total
    )


def match_for_feedback(*, pk):
    """The match a side gives feedback on, with both organisations; 404 when there is none."""
    return get_object_or_404(Match.objects.select_related("organisation", "demand__organisation"), pk=pk)


def match_for_card(*, pk, side):
    """One match with what its card shows to ``side`` (after feedback), reasons labelled."""
    match = Match.objects.select_related("organisation", "demand__organisation", "demand__region").get(pk=pk)
    label_matches([match])
    _set_feedback([match], side=side)
    return match


def _set_feedback(matches, *, side):
    """``.own_feedback`` (this side's) and ``.other_feedback`` (the other side's) on each match."""
    for match in matches:
        if side == SUPPLIER:
            match.own_feedback, match.other_feedback = match.supplier_feedback, match.buyer_feedback
        else:
            match.own_feedback, match.other_feedback = match.buyer_feedback, match.supplier_feedback


def label_matches(matches):
    """Set ``.reason_labels`` and ``.component_list`` on each match; the names are looked up once for all."""
    names = ReasonNames.for_reasons(reason for match in matches for reason in match.reasons or ())
    for match in matches:
        match.reason_labels = reason_labels(match.reasons, names)
        match.component_list = component_list(match.components)
    return matches


def component_list(components):
    """[(label, value 0–1, percent)] in the engine's order; unknown or missing components left out."""
    rows = []
    for name, label in COMPONENT_LABELS.items():
        value = (components or {}).get(name)
        if isinstance(value, int | float):
            value = min(1.0, max(0.0, float(value)))
            rows.append((label, value, round(100 * value)))
    return rows


# ---- rescoring runs ----------------------------------------------------------------------


def latest_runs(*, limit=10):
    return list(RescoringRun.objects.select_related("started_by").order_by("-started_at", "-pk")[:limit])


def rescoring_run(*, pk):
    """A rescoring run with who started it; 404 when there is none."""
    return get_object_or_404(RescoringRun.objects.select_related("started_by"), pk=pk)
