"""The bilingual glossary: English phrases and Chinese terms mapped to shared concepts.

The table itself is data, ``matchmaking/data/glossary.toml`` (its comments say how it is
written); this module reads and checks it.  ``CONCEPTS`` is ``{key: (english_phrases,
chinese_terms)}`` as the engine takes it, read from the file the first time it is used
(when scoring, or when a reason names a concept), not when the module is imported, and
then kept.

The checks give every problem of a file at once, each naming the concept and the phrase:

* a concept is a table with exactly ``en`` and ``zh``, two non-empty lists of strings, and
  a slug for a key (a key given twice is a TOML error, reported with its line);
* an English phrase is lower case, has single spaces, no Chinese, and at least one word;
* a Chinese term has no surrounding spaces, two characters or more, and Chinese in it;
* a phrase or term belongs to one concept only, and so do English phrases that read as the
  same words ("fuel cell", "fuel-cell"): the engine would give such a phrase to whichever
  concept came first.
"""

import functools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path

PATH = Path(__file__).resolve().parent / "data" / "glossary.toml"
FIELDS = ("en", "zh")

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CJK = re.compile(r"[\u3400-\u9fff]")
WORD = re.compile(r"[a-z0-9]+")  # how the engine splits English (engine.text.WORD)


class GlossaryError(ValueError):
    """The glossary file cannot be read, or breaks a rule; the message lists every problem."""


def _strings(key, field, value, problems):
    if not isinstance(value, list) or not value:
        problems.append(f"[{key}] {field} must be a non-empty list of strings")
        return []
    wrong = [item for item in value if not isinstance(item, str)]
    if wrong:
        problems.append(f"[{key}] {field} holds something that is not a string: {wrong[0]!r}")
    return [item for item in value if isinstance(item, str)]


def _english_problems(key, phrase):
    if not phrase.strip():
        return [f"[{key}] en has an empty phrase"]
    problems = []
    if phrase != phrase.lower():
        problems.append(f"[{key}] English phrase not lower case: {phrase!r}")
    if phrase != " ".join(phrase.split()):
        problems.append(f"[{key}] stray whitespace in English phrase {phrase!r}")
    if CJK.search(phrase):
        problems.append(f"[{key}] Chinese in English phrase {phrase!r}")
    elif not WORD.search(phrase.lower()):
        problems.append(f"[{key}] English phrase without a word: {phrase!r}")
    return problems


def _chinese_problems(key, term):
    if not term.strip():
        return [f"[{key}] zh has an empty term"]
    problems = []
    if term != term.strip():
        problems.append(f"[{key}] stray whitespace around Chinese term {term!r}")
    if len(term.strip()) < 2:
        problems.append(f"[{key}] single-character Chinese term {term!r}")
    if not CJK.search(term):
        problems.append(f"[{key}] Chinese term without Chinese characters {term!r}")
    return problems


def validate(data):
    """``data`` as ``tomllib`` reads the file → {key: (english, chinese)}; raises GlossaryError."""
    problems, concepts = [], {}
    owner = {}  # phrase or term -> the concept that has it
    words_owner = {}  # an English phrase's words -> (concept, phrase)
    for key, table in data.items():
        if not SLUG.match(key):
            problems.append(f"concept key is not a slug (lower-case words joined by '-'): {key!r}")
        if not isinstance(table, dict):
            problems.append(f"{key!r} is not a concept table ([{key}] with en = [...] and zh = [...])")
            continue
        unknown = sorted(set(table) - set(FIELDS))
        if unknown:
            problems.append(f"[{key}] unknown key(s) {', '.join(map(repr, unknown))}; a concept has only en and zh")
        missing = [field for field in FIELDS if field not in table]
        if missing:
            problems.append(f"[{key}] has no {' and no '.join(missing)}")
            continue
        english = _strings(key, "en", table["en"], problems)
        chinese = _strings(key, "zh", table["zh"], problems)
        for phrase in english:
            problems += _english_problems(key, phrase)
        for term in chinese:
            problems += _chinese_problems(key, term)
        for item in (*english, *chinese):
            if not item.strip():
                continue
            if item in owner:
                if owner[item] == key:
                    problems.append(f"{item!r} is listed twice under concept {key!r}")
                else:
                    problems.append(f"{item!r} is under two concepts: {owner[item]!r} and {key!r}")
                continue
            owner[item] = key
        for phrase in english:
            words = tuple(WORD.findall(phrase.lower()))
            first = words_owner.setdefault(words, (key, phrase)) if words else (key, phrase)
            if first[0] != key:
                problems.append(
                    f"{phrase!r} ({key!r}) reads as the same words as {first[1]!r} ({first[0]!r}):"
                    " an English phrase belongs to one concept"
                )
        concepts[key] = (tuple(english), tuple(chinese))
    if problems:
        raise GlossaryError(f"{len(problems)} problem(s) in the glossary:\n" + "\n".join(problems))
    return concepts


def parse(text, *, source="glossary"):
    """The concepts of a glossary given as TOML text (``source`` names it in errors)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise GlossaryError(f"{source} is not valid TOML: {exc}") from exc
    try:
        return validate(data)
    except GlossaryError as exc:
        raise GlossaryError(f"{source}: {exc}") from None


def load(path=PATH):
    """The concepts of the glossary file at ``path``, checked."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GlossaryError(f"Cannot read the glossary {path}: {exc}") from exc
    return parse(text, source=str(path))


@functools.cache
def concepts():
    """The shipped glossary, read and checked once per process."""
    return load(PATH)


class _Concepts(Mapping):
    """``concepts()`` as a read-only mapping that reads the file on first use."""

    def __getitem__(self, key):
        return concepts()[key]

    def __iter__(self):
        return iter(concepts())

    def __len__(self):
        return len(concepts())

    def __repr__(self):
        return f"<glossary concepts of {PATH.name}>"


CONCEPTS = _Concepts()
