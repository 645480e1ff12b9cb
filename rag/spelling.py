"""Historic Dutch spelling folded towards today's, for matching words only (the text is never changed).

Papers before 1947 (De Vries–Te Winkel, and Siegenbeek before 1864) write "begrooting", "Nederlandsche",
"regt", "zyn", "visch", "practisch"; OCR reads "ij" as "ü". A question in today's Dutch (or a glossary
rendering of an English one) says "begroting", "Nederlandse", "recht", "zijn". BM25 folds both sides
the same way before stemming, so the old and the new form of a word meet; two words that fold
together were rarely both meant.
"""

from __future__ import annotations

import re

SPELLING_VERSION = "historic-1"

_CONSONANT = "bcdfghjklmnpqrstvwxz"
_RULES = [
    (re.compile("ü"), "ij"),  # OCR's "ij"
    (re.compile("y"), "ij"),  # "zyn", "by"
    (re.compile("ph"), "f"),  # "photographie"
    (re.compile(r"(?<!i)sch(e?)(?=$|n$|r$)"), r"s\1"),  # "visch", "Nederlandsche(n)"; "-isch" stays
    (re.compile(rf"(oo|ee)(?=[{_CONSONANT}][aeiou])"), lambda m: m.group(1)[0]),  # open syllable: "begrooting"
    (re.compile(r"(?<=[aeiou])gt(?=$|e|en$|ig)"), "cht"),  # "regt", "pligten", "voordragt"
    (re.compile(r"c(?=[aou]|t)"), "k"),  # "practisch", "contract", "cultuur"
    (re.compile("ae"), "aa"),  # "Staets", "Raedt"
]


def modern(word: str) -> str:
    """A lower-case word with historic spellings folded ("begrooting" → "begroting")."""
    for pattern, replacement in _RULES:
        word = pattern.sub(replacement, word)
    return word
