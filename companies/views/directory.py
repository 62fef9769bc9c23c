"""The public directory of organisations and their profile pages.

The directory's filter form is a plain GET form: without JavaScript it reloads the page, with
HTMX it asks for the same URL and swaps in only the results (``_organisation_results.html``).
"""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from companies import permissions, selectors
from companies.models import Membership

PAGE_SIZE = 20
TOP_SECTORS = 3


@require_GET
@vary_on_headers("HX-Request")
def organisation_list(request):
    filterset = selectors.organisation_directory(user=request.user, params=request.GET)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    cards = [_card(organisation) for organisation in page.object_list]
    context = {"filterset": filterset, "page": page, "cards": cards}
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, "companies/_organisation_results.html", context)
    return render(request, "companies/organisation_list.html", context)


@require_GET
def organisation_detail(request, pk):
    profile = selectors.organisation_profile(user=request.user, pk=pk)
    organisation = profile.organisation
    membership = profile.viewer_membership
    context = {
        "profile": profile,
        "organisation": organisation,
        "names": _names(organisation),
        "place": place(organisation),
        "initials": initials(organisation.display_name),
        "descriptions": _descriptions(organisation),
        "can_edit": permissions.can_edit_organisation(request.user, organisation),
        "is_member": membership is not None and membership.status == Membership.Status.ACTIVE,
        "is_pending": membership is not None and membership.status == Membership.Status.PENDING,
    }
    return render(request, "companies/organisation_detail.html", context)


def _chinese_first():
    return (get_language() or "").startswith("zh")


def _card(organisation):
    """What a result shows, beyond the model's fields: initials, top sectors, one description."""
    sectors = list(organisation.sectors.all())
    leaves = [s for s in sectors if s.parent_id is not None] or sectors
    descriptions = [(organisation.description, "en"), (organisation.description_zh, "zh-Hans")]
    if _chinese_first():
        descriptions.reverse()
    summary, summary_lang = next(((text, lang) for text, lang in descriptions if text.strip()), ("", ""))
    return {
        "organisation": organisation,
        "initials": initials(organisation.display_name),
        "place": place(organisation),
        "sectors": leaves[:TOP_SECTORS],
        "more_sectors": max(len(leaves) - TOP_SECTORS, 0),
        "regions": list(organisation.target_regions.all()),
        "summary": summary,
        "summary_lang": summary_lang,
    }


def _names(organisation):
    """The name to head the page with (the active language's) and the other one, each with its language."""
    english = (organisation.name, "")
    chinese = (organisation.name_zh, "zh-Hans")
    primary, other = (chinese, english) if organisation.display_name == organisation.name_zh else (english, chinese)
    if other[0] == primary[0]:
        other = ("", "")
    return {"primary": primary[0], "primary_lang": primary[1], "other": other[0], "other_lang": other[1]}


def _descriptions(organisation):
    """Both descriptions that exist, the active language's first: [(label key, text, lang)]."""
    descriptions = [
        ("en", organisation.description, "en"),
        ("zh", organisation.description_zh, "zh-Hans"),
    ]
    if _chinese_first():
        descriptions.reverse()
    return [entry for entry in descriptions if entry[1].strip()]


def place(organisation):
    """City, region and country in the active language; a city that is its region (Beijing) is named once."""
    parts = [organisation.city.strip()]
    region = organisation.region
    if region is not None:
        if parts[0].casefold() in {region.name_en.casefold(), region.name_zh.casefold()}:
            parts = []
        parts.append(region.name)
    parts.append(str(organisation.country.name))
    return ", ".join(part for part in parts if part)


def initials(name):
    """Up to two letters for a logo placeholder: "Nordic Water" → "NW"; a Chinese name gives its first character."""
    words = [word for word in name.split() if word[:1].isalnum()]
    if not words:
        return "?"
    if _is_cjk(words[0][0]):
        return words[0][0]
    return "".join(word[0] for word in words[:2]).upper()


def _is_cjk(character):
    return "\u3400" <= character <= "\u9fff" or "\uf900" <= character <= "\ufaff"
