"""Sentence boundaries in Dutch (and English) parliamentary prose, as character spans."""

from __future__ import annotations

import re

# Abbreviations after which a full stop does not end a sentence (lower-cased, without the dot).
ABBREVIATIONS = {
    "nr", "nrs", "o.a", "art", "artt", "bijv", "bv", "d.w.z", "jl", "blz", "p", "pp", "mr", "dr", "drs", "ir",
    "ing", "prof", "mw", "mevr", "dhr", "zgn", "t.a.v", "i.v.m", "m.b.t", "m.n", "e.d", "e.a", "enz", "etc", "vs",
    "ca", "resp", "incl", "excl", "z.g", "n.a.v", "t.z.t", "i.p.v", "a.s", "st", "stb", "stcrt", "kamerstuk", "vgl",
    "e.g", "i.e", "no", "min", "max", "mln", "mld", "jan", "feb", "aug", "sept", "okt", "nov", "dec",
}
_BOUNDARY = re.compile(r"[.?!…]+['\"’”)\]]*(?=\s+['\"‘“(\[]?[A-Z0-9À-Ý])")
_WORD_BEFORE = re.compile(r"(\S+)$")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans (start, end) of the sentences in text[start:end], without surrounding white space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    begin = start
    for m in _BOUNDARY.finditer(text, start, end):
        word = _WORD_BEFORE.search(text, begin, m.start() + 1)
        token = (word.group(1) if word else "").rstrip(".").lower()
        if m.group(0).startswith(".") and (token in ABBREVIATIONS or (len(token) == 1 and token.isalpha())):
            continue
        spans.append((begin, m.end()))
        begin = m.end()
    spans.append((begin, end))
    return [_strip(text, s, e) for s, e in spans if text[s:e].strip()]


def _strip(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e
