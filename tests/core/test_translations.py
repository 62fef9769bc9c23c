"""The Simplified Chinese catalogue is complete, compiled and in use."""

import ast
import gettext
from pathlib import Path

import pytest
from django.urls import reverse

CATALOGUE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"


def po_entries():
    """Every entry of django.po but the header, as a dict: msgctxt, msgid, msgid_plural, msgstr, flags.

    For a plural entry ``msgstr`` is ``msgstr[0]`` (Chinese has one plural form).
    """
    entries, current, field = [], None, None
    flags = set()
    for line in (CATALOGUE / "django.po").read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr ", "msgstr[")):
            keyword, _space, literal = line.partition(" ")
            if keyword == "msgctxt" or (keyword == "msgid" and field != "msgctxt"):
                current = {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": "", "flags": flags}
            field = "msgstr" if keyword == "msgstr[0]" else keyword
            if keyword.startswith("msgstr[") and keyword != "msgstr[0]":
                field = "ignored"
            current[field] = ast.literal_eval(literal)
        elif line.startswith('"') and current is not None:
            current[field] += ast.literal_eval(line)
        elif not line.strip() and current is not None:
            if current["msgid"]:
                entries.append(current)
            current, field, flags = None, None, set()
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 300
    assert any(entry["msgid_plural"] for entry in entries)
    assert [entry["msgid"] for entry in entries if not entry["msgstr"]] == []
    assert [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]] == []


def test_the_compiled_catalogue_matches_the_source():
    with (CATALOGUE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in po_entries():
        context, msgid, plural = entry["msgctxt"], entry["msgid"], entry["msgid_plural"]
        if plural:
            got = compiled.npgettext(context, msgid, plural, 1) if context else compiled.ngettext(msgid, plural, 1)
        else:
            got = compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)
        assert got == entry["msgstr"], f"django.mo is stale for {msgid!r}: run make messages"


@pytest.mark.django_db
def test_the_home_page_in_chinese_uses_the_catalogue(client):
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})

    content = client.get(reverse("home")).content.decode()

    assert "机构" in content  # "Organisations" in the navigation
    assert "Organisations</a>" not in content
