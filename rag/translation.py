"""English words → Dutch words from the FreeDict dictionaries, for the lexical side of English questions.

The dense side carries an English question across to Dutch text; BM25 only matches words, so an
English question found little but names ("rabbits" never matches "konijnen"). `translations(text)`
gives, per English content word, the first `PER_WORD` Dutch renderings the dictionaries list, to add
to the BM25 query (dictionary-based query translation). The dictionaries are Debian's
`dict-freedict-eng-nld` and `dict-freedict-nld-eng` (GPL, installed by `make dictionary`, read where
dictd keeps them or from `$RAG_DICTIONARY_DIR`); without them the table is empty and only the
glossary (`rag.glossary`) translates.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterator

# Measured on the labelled questions (README, "English questions over Dutch text"): 3 renderings per
# word beat 2 and 5; all of them are added with a query term's full weight.
PER_WORD = 3
TABLE_VERSION = 2  # of the cached table's making: raise when `_build_table` changes
DICTIONARIES = ("freedict-eng-nld", "freedict-nld-eng")
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")
_NUMBERED = re.compile(r"^\s*\d+\.\s*")
_NOTE = re.compile(r"\(.*?\)|\[.*?\]|<.*?>|\{.*?\}")
_ENGLISH_ARTICLE = re.compile(r"^(?:to|a|an|the) ")
# Words that frame or hedge a question and find nothing in its answer: their dictionary renderings
# are noise ("according" → "afspraak, akkoord", "questions" → "kwestie, navraag", "get" → "aanschaffen").
NOT_TRANSLATED = frozenset("according question questions get gets got getting actually really many much".split())


def dictionary_dir() -> Path:
    return Path(os.environ.get("RAG_DICTIONARY_DIR", "/usr/share/dictd"))


def _number(text: str) -> int:
    value = 0
    for char in text:
        value = value * 64 + _B64.index(char)
    return value


def read_dictd(base: Path) -> Iterator[tuple[str, str]]:
    """(headword, definition) of a dictd dictionary: `base`.index (headword, base64 offset and length
    into the text) and `base`.dict.dz (gzip; plain `base`.dict also read)."""
    packed = base.with_name(base.name + ".dict.dz")
    data = gzip.decompress(packed.read_bytes()) if packed.exists() else base.with_name(base.name + ".dict").read_bytes()
    for line in base.with_name(base.name + ".index").read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) != 3 or parts[0].startswith("00database"):
            continue
        start, length = _number(parts[1]), _number(parts[2])
        yield _normal(parts[0]), _normal(data[start:start + length].decode("utf-8", errors="replace"))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()  # FreeDict writes "konĳn" with the ligature ĳ


def _glosses(definition: str) -> list[str]:
    """The renderings a FreeDict definition lists (lines after the headword, split at commas)."""
    out = []
    for line in definition.splitlines()[1:]:
        line = _NUMBERED.sub("", line).strip()
        if not line or line.lower().startswith(("synonym", "see ", "note")):
            continue
        for gloss in re.split(r"[,;]", _NOTE.sub("", line)):
            if gloss.strip():
                out.append(gloss.strip())
    return out


@lru_cache(maxsize=1)
def _english_stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def english_key(word: str) -> str:
    """The form an English word is looked up by: lower-case, Snowball-stemmed ("rabbits" → "rabbit")."""
    return _english_stemmer().stemWord(word.lower())


@lru_cache(maxsize=4)
def table(folder: Path | None = None) -> dict[str, tuple[str, ...]]:
    """English key → Dutch single words, most used in Dutch first (`_most_used_first`; from the English →
    Dutch dictionary and the Dutch → English one read backwards); empty when neither is installed. Kept as
    JSON in the user cache, keyed by the dictionary files: reading them costs a cold `rag ask` 0.2 s."""
    folder = folder or dictionary_dir()
    files = sorted(p for name in DICTIONARIES for p in folder.glob(name + ".*"))
    if not files:
        return {}
    key = hashlib.sha1(repr([(str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files]).encode()).hexdigest()
    cached = _cache_folder() / f"table-{TABLE_VERSION}-{key[:16]}.json"
    try:
        return {k: tuple(v) for k, v in json.loads(cached.read_text(encoding="utf-8")).items()}
    except (OSError, ValueError):
        pass
    built = _build_table(folder)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.part")
        partial.write_text(json.dumps(built, ensure_ascii=False), encoding="utf-8")
        partial.replace(cached)
    except OSError:
        pass  # a read-only cache: the table is built again next time
    return built


def _cache_folder() -> Path:
    from rag.models import cache_dir

    return cache_dir().parent / "dictionaries"


def _build_table(folder: Path) -> dict[str, tuple[str, ...]]:
    found: dict[str, list[str]] = {}
    english_dutch, dutch_english = (folder / name for name in DICTIONARIES)
    if english_dutch.with_name(english_dutch.name + ".index").exists():
        for head, definition in read_dictd(english_dutch):
            if " " not in head:
                found.setdefault(english_key(head), []).extend(g for g in _glosses(definition) if " " not in g)
    if dutch_english.with_name(dutch_english.name + ".index").exists():
        for head, definition in read_dictd(dutch_english):
            if " " in head:
                continue
            for gloss in _glosses(definition):
                gloss = _ENGLISH_ARTICLE.sub("", gloss.lower())
                if " " not in gloss:
                    found.setdefault(english_key(gloss), []).append(head)
    return {key: _most_used_first(dict.fromkeys(words)) for key, words in found.items()}


def _most_used_first(words) -> tuple[str, ...]:
    """Renderings in order of their use in Dutch (wordfreq's frequencies; the dictionary's order among
    equals): FreeDict lists them alphabetically ("care": "behartiging, behoedzaam, bekommernis, …, zorg";
    "good": "colli, collis, goed"), and only the first `PER_WORD` are taken."""
    from wordfreq import zipf_frequency

    return tuple(sorted(words, key=lambda dutch: -zipf_frequency(dutch, "nl")))


def _american(word: str) -> str:
    """The American spelling FreeDict uses: "realised" → "realized", "fertilisers" → "fertilizers",
    "harbour" → "harbor"."""
    word = re.sub(r"(?<=\w{3})is(e|ed|es|er|ers|ing|ation|ations)$", r"iz\1", word.lower())
    return re.sub(r"(?<=\w{2})our(s|ed|ing)?$", r"or\1", word)


def translations(text: str, per_word: int = PER_WORD) -> list[str]:
    """Dutch words for the English content words of `text`: per word the first `per_word` whose
    stemmed form the text (or an earlier word's rendering) does not already have."""
    from rag.glossary import glossary_spans
    from rag.lexical import tokenize

    covered = glossary_spans(text)  # the glossary's rendering is the right one ("bill": "wetsvoorstel", not "bek")
    words = [m.group() for m in _WORD.finditer(text) if not any(s <= m.start() < e for s, e in covered)]
    lookup = table()
    if not lookup or not words:
        return []
    have = set(tokenize([text])[0])
    out: list[str] = []
    for word in words:
        if word.lower() in NOT_TRANSLATED or not tokenize([word])[0]:
            continue  # a stop word, in English or Dutch, or a question's framing
        added = 0
        for dutch in lookup.get(english_key(word)) or lookup.get(english_key(_american(word)), ()):
            tokens = [t for t in tokenize([dutch])[0] if t not in have]
            if not tokens:
                continue
            have.update(tokens)
            out.append(dutch)
            added += 1
            if added == per_word:
                break
    return out
