"""How the reasons of a match are worded, in the active language, for the pages and the API.

The engine stores reasons as data (``{"kind", "value"}``: a sector slug, a region code, a
list of terms, the keys of gatherings both sides attend …), so that they can be shown in any
language.  ``ReasonNames.for_reasons`` looks up every name the reasons of a page need once,
and ``reason_labels`` turns one match's reasons into sentences with those names.

Gatherings are named by keys such as ``"event:3"`` and ``"delegation:7"``; their names come
from the apps that hold them, asked through the hook ``gatherings.names`` (``core.hooks``).
"""

import time
from dataclasses import dataclass, field

from django.utils.translation import get_language, gettext, pgettext

from companies.models import PartnershipKind, Region, Sector
from core import hooks
from matchmaking.glossary import CONCEPTS

EVENT = "event"
DELEGATION = "delegation"

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


def _gathering(value):
    """(kind, key) of a stored gathering such as ``"event:3"``, or None when it names no gathering."""
    kind, _sep, pk = str(value).partition(":")
    if kind not in (EVENT, DELEGATION) or not pk.isdigit():
        return None
    return kind, f"{kind}:{int(pk)}"


@dataclass
class ReasonNames:
    """The names reasons point at, looked up once: sectors and regions by code, gatherings by key."""

    sectors: dict = field(default_factory=dict)
    regions: dict = field(default_factory=dict)
    gatherings: dict = field(default_factory=dict)  # {"event:3": "Stavanger B2B day", …}

    @classmethod
    def for_reasons(cls, reasons):
        keys = set()
        for reason in reasons:
            if reason.get("kind") == "copresence" and isinstance(reason.get("value"), list):
                keys.update(gathering[1] for gathering in map(_gathering, reason["value"]) if gathering)
        gatherings = {}
        if keys:  # no gathering named, no question asked
            for answer in hooks.collect(hooks.GATHERING_NAMES, keys=keys):
                gatherings.update(answer)
        sectors, regions = reference_names()
        return cls(sectors=sectors, regions=regions, gatherings=gatherings)


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
    named = {EVENT: [], DELEGATION: []}
    for gathering in filter(None, map(_gathering, gatherings)):
        kind, key = gathering
        if key in names.gatherings:
            named[kind].append(names.gatherings[key])
    parts = []
    if named[EVENT]:
        parts.append(gettext("Both at: %(events)s") % {"events": _join(named[EVENT])})
    if named[DELEGATION]:
        parts.append(gettext("Both in the delegation: %(delegations)s") % {"delegations": _join(named[DELEGATION])})
    if not parts:
        return gettext("Both at an upcoming event") if gatherings else None
    return pgettext("separator between sentences", "; ").join(str(part) for part in parts)
