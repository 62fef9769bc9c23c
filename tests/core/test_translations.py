"""The Simplified Chinese catalogue is complete, compiled and in use."""

import ast
import gettext
from pathlib import Path

import pytest
from django.urls import reverse

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries():
    """(msgid, msgstr, flags) for every entry of django.po but the header."""
    entries, current, field, flags = [], None, None, set()
    for line in (CATALOGUE / "django.po").read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith(("msgid ", "msgstr ", "msgctxt ")):
            keyword, _space, literal = line.partition(" ")
            if keyword == "msgctxt" or (keyword == "msgid" and field != "msgctxt"):
                current = {"msgid": "", "msgstr": "", "msgctxt": None}
            field = keyword
            current[field] = ast.literal_eval(literal)
        elif line.startswith('"') and current is not None:
            current[field] += ast.literal_eval(line)
        elif not line.strip() and current is not None:
            if current["msgid"]:
                entries.append((current["msgctxt"], current["msgid"], current["msgstr"], flags))
            current, field, flags = None, None, set()
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 200
    assert [msgid for _ctx, msgid, msgstr, _flags in entries if not msgstr] == []
    assert [msgid for _ctx, msgid, _msgstr, flags in entries if "fuzzy" in flags] == []


def test_the_compiled_catalogue_matches_the_source():
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for context, msgid, msgstr, _flags in po_entries():
        got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert got == msgstr, f"django.mo is stale for {msgid!r}: run make messages"


@pytest.mark.django_db
def test_the_home_page_in_chinese_uses_the_catalogue(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    content = client.get(reverse("home")).content.decode()

    assert "机构" in content  # "Organisations" in the navigation
    assert "Organisations</a>" not in content
