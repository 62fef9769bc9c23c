"""How the engine reads text: glossary concepts in English and Chinese, and Chinese alone."""

import re

CJK = re.compile(r"[\u3400-\u9fff]+")
ENGLISH_TOKENS = r"(?u)\b[a-zA-Z][a-zA-Z-]+\b"
WORD = re.compile(r"[a-z0-9]+")


class ConceptExtractor:
    """Finds glossary concepts in English (whole phrases, as word sequences) and Chinese (terms).

    English text is split into words and scanned left to right, the longest phrase first at
    each word (a dictionary lookup per phrase length: much faster than one regular expression
    of a thousand alternatives); Chinese, which has no spaces, is matched by a regular
    expression of the terms, longest first.
    """

    def __init__(self, concepts):
        self.english = {}
        self.chinese = {}
        for key, (english_phrases, chinese_terms) in concepts.items():
            for phrase in english_phrases:
                words = tuple(WORD.findall(phrase.lower()))
                if words:
                    self.english.setdefault(words, key)
            for term in chinese_terms:
                self.chinese.setdefault(term, key)
        self.longest = max((len(words) for words in self.english), default=0)
        chinese = sorted(self.chinese, key=len, reverse=True)
        self._chinese = re.compile("|".join(map(re.escape, chinese))) if chinese else None

    def english_concepts(self, text):
        words = WORD.findall(text.lower())
        found, i, lookup, longest = [], 0, self.english, self.longest
        while i < len(words):
            for length in range(min(longest, len(words) - i), 0, -1):
                key = lookup.get(tuple(words[i : i + length]))
                if key is not None:
                    found.append(key)
                    i += length
                    break
            else:
                i += 1
        return found

    def __call__(self, text):
        english_text, chinese_text = text
        found = self.english_concepts(english_text) if english_text and self.english else []
        if self._chinese and chinese_text:
            found += [self.chinese[m] for m in self._chinese.findall(chinese_text)]
        return found


def chinese_only(text):
    return " ".join(CJK.findall(text or ""))
