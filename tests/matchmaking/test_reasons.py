"""matchmaking.reasons: a match's stored reasons as sentences, with the names looked up once."""

import pytest
from django.utils import translation

from core import hooks
from delegations.models import Delegation
from matchmaking.reasons import ReasonNames, reason_labels
from tests.matchmaking.helpers import NEXT_YEAR

pytestmark = pytest.mark.django_db


def shandong_delegation():
    return Delegation.objects.create(
        name="Shandong delegation",
        name_zh="山东代表团",
        origin_country="CN",
        destination_country="NO",
        starts_on=NEXT_YEAR,
        ends_on=NEXT_YEAR,
    )


def labels(reasons, language="en"):
    with translation.override(language):
        return [r["label"] for r in reason_labels(reasons, ReasonNames.for_reasons(reasons))]


def test_reason_labels_in_both_languages(full_reasons, event):
    delegation = shandong_delegation()
    reasons = [
        *full_reasons,
        {"kind": "copresence", "value": [f"delegation:{delegation.pk}", "event:999999"]},
        {"kind": "region", "value": "XX-NOWHERE"},
        {"kind": "future_kind", "value": 1, "label": "Something new"},
        {"kind": "future_kind", "value": 2},
    ]

    english, chinese = labels(reasons, "en"), labels(reasons, "zh-hans")

    assert english == [
        "Shared sector: Sludge and biosolids treatment",
        "Key terms: thermal hydrolysis, biogas",
        "Targets Beijing",
        "Looking for: Pilot project",
        "Both at: Stavanger B2B day",
        "Both in the delegation: Shandong delegation",
        "Something new",
    ]
    assert len(chinese) == len(english)
    assert "污泥处理与资源化" in chinese[0]
    assert "沼气" in chinese[1]  # a glossary concept is named in Chinese
    assert "北京市" in chinese[2]
    assert "斯塔万格对接日" in chinese[4]
    assert "山东代表团" in chinese[5]


def test_an_event_and_a_delegation_in_one_reason_make_two_sentences(event):
    delegation = shandong_delegation()

    assert labels([{"kind": "copresence", "value": [f"event:{event.pk}", f"delegation:{delegation.pk}"]}]) == [
        "Both at: Stavanger B2B day; Both in the delegation: Shandong delegation"
    ]


@pytest.mark.parametrize("value", [["event:999999"], ["event:abc", "room:3", "delegation:"]])
def test_gatherings_no_longer_known_still_say_both_attend(value):
    assert labels([{"kind": "copresence", "value": value}]) == ["Both at an upcoming event"]


def test_the_names_of_gatherings_come_from_the_apps_that_hold_them(event):
    delegation = shandong_delegation()
    reasons = [{"kind": "copresence", "value": [f"event:{event.pk}", f"delegation:{delegation.pk}", "event:999999"]}]

    names = ReasonNames.for_reasons(reasons)

    assert names.gatherings == {
        f"event:{event.pk}": "Stavanger B2B day",
        f"delegation:{delegation.pk}": "Shandong delegation",
    }


def test_reason_names_come_from_one_lookup_per_kind(full_reasons, django_assert_num_queries):
    with django_assert_num_queries(3):  # sectors, regions, events; no delegation named, no query
        ReasonNames.for_reasons(full_reasons * 5)


def test_reasons_without_gatherings_ask_for_no_gathering_names(full_reasons, django_assert_num_queries):
    asked = []

    def spy(*, keys):
        asked.append(keys)
        return {}

    without = [reason for reason in full_reasons if reason["kind"] != "copresence"]
    ReasonNames.for_reasons(without)  # the sector and region names are then kept in the process
    hooks.connect(hooks.GATHERING_NAMES, spy)
    try:
        with django_assert_num_queries(0):
            names = ReasonNames.for_reasons(without * 5)
        ReasonNames.for_reasons(full_reasons)
    finally:
        hooks.disconnect(hooks.GATHERING_NAMES, spy)

    assert names.gatherings == {}
    assert asked == [{full_reasons[-1]["value"][0]}]
