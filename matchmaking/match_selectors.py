"""Reads for the matches pages: a member's matches from both sides, and their reasons as words.

The engine stores reasons as data ({"kind", "value"}: a sector slug, a region code, a
list of terms …), so that they can be shown in any language.  ``ReasonNames`` looks up
every name the reasons of a page need once, and ``reason_labels`` turns one match's
reasons into sentences in the active language.
"""

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.utils.translation import get_language, gettext, pgettext
from django.utils.translation import gettext_lazy as _

from companies import permissions as company_permissions
from companies.models import Membership, Organisation, PartnershipKind, Region, Sector
from delegations.models import Delegation
from events.models import Event
from matchmaking.glossary import CONCEPTS
from matchmaking.models import Demand, Match, RescoringRun

NOT_RELEVANT = Match.Feedback.NOT_RELEVANT
SUPPLIER = "supplier"
BUYER = "buyer"

#: The score components in the order the engine weighs them, with their names on the page.
COMPONENT_LABELS = {
    "sector": _("Sector fit"),
    "text": _("Text fit"),
    "region": _("Region fit"),
    "partnership": _("Partnership fit"),
    "copresence": _("Meeting at the same event"),
}


def member_organisations(*, user):
    """The organisations ``user`` is an active member of, by name."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, memberships__status=Membership.Status.ACTIVE).order_by(
        "name", "pk"
    )


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
    if not company_permissions.is_active_member(user, organisation):
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


# --- reasons as words ---------------------------------------------------------------------


#: Sector and region names per language, kept in the process: the taxonomy and the regions are
#: fixed reference data (a data migration writes them), looked up on every page of matches.
_reference_names = {}
REFERENCE_NAMES_SECONDS = 300


def reference_names():
    """({sector slug: name}, {region code: name}) in the active language."""
    language = get_language() or ""
    now = time.monotonic()
    entry = _reference_names.get(language)
    if entry is None or entry[0] < now:
        sectors = {sector.slug: sector.name for sector in Sector.objects.only("slug", "name_en", "name_zh")}
        regions = {region.code: region.name for region in Region.objects.only("code", "name_en", "name_zh")}
        entry = (now + REFERENCE_NAMES_SECONDS, sectors, regions)
        if sectors and regions:  # an empty table (a test database being set up) is not remembered
            _reference_names[language] = entry
    return entry[1], entry[2]


def forget_reference_names():
    _reference_names.clear()


@dataclass
class ReasonNames:
    """The names reasons point at, looked up once: sectors and regions by code, events and delegations by id."""

    sectors: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    events: dict = field(default_factory=dict)
    delegations: dict = field(default_factory=dict)

    @classmethod
    def for_reasons(cls, reasons):
        slugs, codes, event_ids, delegation_ids = set(), set(), set(), set()
        for reason in reasons:
            kind, value = reason.get("kind"), reason.get("value")
            if kind in ("sector", "sector_group") and isinstance(value, str):
                slugs.add(value)
            elif kind == "region" and isinstance(value, str):
                codes.add(value)
            elif kind == "copresence" and isinstance(value, list):
                for gathering in value:
                    kind_of, _sep, pk = str(gathering).partition(":")
                    if pk.isdigit():
                        (event_ids if kind_of == "event" else delegation_ids).add(int(pk))
        # An empty ``__in`` runs no query at all.
        sectors, regions = reference_names()
        return cls(
            sectors=sectors,
            regions=regions,
            events={e.pk: e.display_name for e in Event.objects.filter(pk__in=event_ids)},
            delegations={d.pk: d.display_name for d in Delegation.objects.filter(pk__in=delegation_ids)},
        )


def _join(items):
    return pgettext("separator between the items of a list", ", ").join(str(item) for item in items)


def _term_names(terms):
    """The terms in the active language: a glossary concept in Chinese gets its first Chinese term."""
    if not (get_language() or "").startswith("zh"):
        return terms
    named = []
    for term in terms:
        concept = CONCEPTS.get(str(term).replace(" ", "-"))
        name = concept[1][0] if concept and concept[1] else term
        if name not in named:
            named.append(name)
    return named


def reason_labels(reasons, names):
    """[{"kind", "label"}] for one match's stored reasons, in the active language.

    A reason whose value is no longer known (a sector renamed away, an event deleted) is
    left out rather than shown half; an unknown kind shows its stored label if it has one.
    """
    labels = []
    for reason in reasons or ():
        label = _reason_label(reason.get("kind"), reason.get("value"), names)
        if label is None and reason.get("label"):
            label = str(reason["label"])
        if label:
            labels.append({"kind": reason.get("kind") or "other", "label": label})
    return labels


def _reason_label(kind, value, names):
    if kind == "sector" and value in names.sectors:
        return gettext("Shared sector: %(sector)s") % {"sector": names.sectors[value]}
    if kind == "sector_group" and value in names.sectors:
        return gettext("Related sectors in %(group)s") % {"group": names.sectors[value]}
    if kind == "terms" and value:
        terms = value if isinstance(value, list) else [value]
        return gettext("Key terms: %(terms)s") % {"terms": _join(_term_names(terms))}
    if kind == "region" and value in names.regions:
        return gettext("Targets %(region)s") % {"region": names.regions[value]}
    if kind == "partnership" and value in PartnershipKind.values:
        return gettext("Looking for: %(kind)s") % {"kind": PartnershipKind(value).label}
    if kind == "copresence" and isinstance(value, list):
        return _copresence_label(value, names)
    return None


def _copresence_label(gatherings, names):
    events, delegations = [], []
    for gathering in gatherings:
        kind_of, _sep, pk = str(gathering).partition(":")
        if not pk.isdigit():
            continue
        if kind_of == "event" and int(pk) in names.events:
            events.append(names.events[int(pk)])
        elif kind_of == "delegation" and int(pk) in names.delegations:
            delegations.append(names.delegations[int(pk)])
    parts = []
    if events:
        parts.append(gettext("Both at: %(events)s") % {"events": _join(events)})
    if delegations:
        parts.append(gettext("Both in the delegation: %(delegations)s") % {"delegations": _join(delegations)})
    if not parts:
        return gettext("Both at an upcoming event") if gatherings else None
    return pgettext("separator between sentences", "; ").join(str(part) for part in parts)


# --- rescoring runs -----------------------------------------------------------------------


def latest_runs(*, limit=10):
    return list(RescoringRun.objects.select_related("started_by").order_by("-started_at", "-pk")[:limit])
