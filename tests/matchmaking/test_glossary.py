"""The glossary file and its checks (``matchmaking.glossary``)."""

import subprocess
import sys
from pathlib import Path

import pytest

from matchmaking import glossary
from matchmaking.glossary import GlossaryError

GOOD = """
# a comment is kept in the file and ignored by the loader
[sludge]
en = ["sludge", "sewage sludge"]
zh = ["污泥"]

[biogas]
en = ["biogas"]
zh = ["沼气"]
"""


def problems_of(text):
    with pytest.raises(GlossaryError) as caught:
        glossary.parse(text, source="test.toml")
    return str(caught.value)


def test_the_shipped_glossary_loads_and_passes_every_check():
    concepts = glossary.load()
    assert len(concepts) > 400
    english, chinese = concepts["district-heating"]
    assert "district heating" in english and "区域供热" in chinese
    assert all(isinstance(v, tuple) and len(v) == 2 for v in concepts.values())


def test_concepts_is_the_shipped_glossary_read_once():
    assert dict(glossary.CONCEPTS) == glossary.load()
    assert glossary.concepts() is glossary.concepts()
    assert glossary.CONCEPTS.get("no-such-concept") is None


def test_a_good_file_gives_each_concept_its_phrases_and_terms_in_order():
    assert glossary.parse(GOOD) == {
        "sludge": (("sludge", "sewage sludge"), ("污泥",)),
        "biogas": (("biogas",), ("沼气",)),
    }


def test_a_phrase_under_two_concepts_names_the_phrase_and_both_concepts():
    message = problems_of(GOOD + '\n[digestion]\nen = ["anaerobic digestion", "sewage sludge"]\nzh = ["厌氧消化"]\n')
    assert "'sewage sludge' is under two concepts: 'sludge' and 'digestion'" in message
    assert "test.toml" in message


def test_a_chinese_term_under_two_concepts_is_refused_too():
    message = problems_of(GOOD + '\n[sludge-drying]\nen = ["sludge drying"]\nzh = ["污泥"]\n')
    assert "'污泥' is under two concepts: 'sludge' and 'sludge-drying'" in message


def test_english_phrases_that_read_as_the_same_words_are_one_concepts():
    message = problems_of(GOOD + '\n[fuel]\nen = ["sewage-sludge"]\nzh = ["燃料"]\n')
    assert "'sewage-sludge' ('fuel') reads as the same words as 'sewage sludge' ('sludge')" in message


def test_a_concept_given_twice_is_a_toml_error_with_its_line():
    message = problems_of(GOOD + '\n[sludge]\nen = ["slurry"]\nzh = ["泥浆"]\n')
    assert "not valid TOML" in message and "line" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[sludge]\nen = ["sludge"]\nzh = ["污泥"]\nparent = "water"\n', "[sludge] unknown key(s) 'parent'"),
        ('[sludge]\nen = ["sludge"]\n', "[sludge] has no zh"),
        ('[sludge]\nen = []\nzh = ["污泥"]\n', "[sludge] en must be a non-empty list of strings"),
        ('[sludge]\nen = ["sludge", ""]\nzh = ["污泥"]\n', "[sludge] en has an empty phrase"),
        ('[sludge]\nen = ["sludge"]\nzh = ["  "]\n', "[sludge] zh has an empty term"),
        ('[sludge]\nen = ["sludge", 3]\nzh = ["污泥"]\n', "[sludge] en holds something that is not a string: 3"),
        ('[sludge]\nen = ["Sludge"]\nzh = ["污泥"]\n', "English phrase not lower case: 'Sludge'"),
        ('[sludge]\nen = ["sewage  sludge"]\nzh = ["污泥"]\n', "stray whitespace in English phrase"),
        ('[sludge]\nen = ["污泥 sludge"]\nzh = ["污泥"]\n', "Chinese in English phrase"),
        ('[sludge]\nen = ["sludge"]\nzh = ["泥"]\n', "single-character Chinese term '泥'"),
        ('[sludge]\nen = ["sludge"]\nzh = ["mud"]\n', "Chinese term without Chinese characters 'mud'"),
        ('[sludge]\nen = ["sludge", "sludge"]\nzh = ["污泥"]\n', "'sludge' is listed twice under concept 'sludge'"),
        ('[Sludge_Treatment]\nen = ["sludge"]\nzh = ["污泥"]\n', "concept key is not a slug"),
        ('sludge = "污泥"\n', "'sludge' is not a concept table"),
        ("[sludge\n", "not valid TOML"),
    ],
)
def test_a_broken_file_is_refused_with_a_message_that_says_what_is_wrong(text, expected):
    assert expected in problems_of(text)


def test_every_problem_of_a_file_is_reported_at_once():
    message = problems_of('[a]\nen = ["A"]\nzh = ["污泥"]\n\n[b]\nen = ["b"]\nzh = ["泥"]\n')
    assert message.count("\n") == 2 and "2 problem(s)" in message


def test_a_missing_file_is_a_glossary_error(tmp_path):
    with pytest.raises(GlossaryError, match="Cannot read the glossary"):
        glossary.load(tmp_path / "nowhere.toml")


def test_importing_the_glossary_does_not_read_the_file():
    code = (
        "import pathlib; read = []; original = pathlib.Path.read_text\n"
        "pathlib.Path.read_text = lambda self, *a, **k: read.append(self.name) or original(self, *a, **k)\n"
        "from matchmaking.glossary import CONCEPTS\n"
        "assert read == [], read\n"
        "assert len(CONCEPTS) > 400 and read == ['glossary.toml'], read\n"
    )
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True)
