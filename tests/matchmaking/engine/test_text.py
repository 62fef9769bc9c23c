"""How the engine reads text (``engine.text``): glossary concepts in English and Chinese."""

from matchmaking.engine import ConceptExtractor, chinese_only

CONCEPTS = {
    "heating": (("heating",), ("供热",)),
    "district-heating": (("district heating",), ("区域供热", "集中供热")),
    "pipe-network": (("pipe network",), ("管网",)),
    "heat-pump": (("heat pump", "heat-pump"), ("热泵",)),
}


def test_english_phrases_match_whole_words_longest_first_without_overlap():
    found = ConceptExtractor(CONCEPTS).english_concepts("District heating, heating, a Heat-Pump; heatings")
    assert found == ["district-heating", "heating", "heat-pump"]


def test_chinese_terms_match_longest_first_inside_running_text():
    extract = ConceptExtractor(CONCEPTS)
    assert extract(("", "区域供热管网与热泵")) == ["district-heating", "pipe-network", "heat-pump"]
    assert extract(("heat pump", "供热")) == ["heat-pump", "heating"]


def test_an_empty_glossary_finds_nothing():
    assert ConceptExtractor({})(("district heating", "区域供热")) == []


def test_chinese_only_keeps_the_runs_of_chinese_characters():
    assert chinese_only("PM2.5 治理 and 区域供热 2024") == "治理 区域供热"
    assert chinese_only(None) == ""
