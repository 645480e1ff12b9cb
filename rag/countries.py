"""Countries a text names, in English or Dutch ("Sweden", "Zweden"), from pycountry's ISO 3166 names
and their Dutch translations. The Netherlands is left out: every paper is about it."""

from __future__ import annotations

import gettext
import re
from functools import lru_cache

HOME = "NL"
# Short forms pycountry does not give (its English names are official: "Türkiye", "Russian Federation")
_ALIASES = {"TR": ("Turkey", "Turkije"), "RU": ("Russia", "Rusland"), "GB": ("Britain", "Great Britain", "UK"),
            "US": ("America", "United States", "USA", "Amerika"), "CZ": ("Czech Republic", "Tsjechië"),
            "CD": ("Congo",), "CG": ("Congo",),
            # the names older papers use (a name's first four letters match loosely, so none that begins
            # as a common word does: not "Perzië", "Formosa", "Goudkust")
            "TH": ("Siam",), "LK": ("Ceylon",), "MM": ("Burma", "Birma"), "ZW": ("Rhodesia", "Rhodesië")}


@lru_cache(maxsize=1)
def _names() -> dict[str, tuple[str, ...]]:
    import pycountry

    dutch = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["nl"], fallback=True)
    found = {}
    for country in pycountry.countries:
        if country.alpha_2 == HOME:
            continue
        names = {country.name, getattr(country, "common_name", None), dutch.gettext(country.name),
                 *_ALIASES.get(country.alpha_2, ())}
        # "Korea, Republic of", "Virgin Islands (U.S.)": the official sorting forms are never written so
        names = tuple(sorted((n for n in names if n and "," not in n and "(" not in n), key=len, reverse=True))
        if names:
            found[country.alpha_2] = names
    return found


def _modern(text: str) -> str:
    """Text in today's spelling where the old one doubled a vowel: "Vereenigde Staten" (before 1947)."""
    return text.replace("ee", "e")


@lru_cache(maxsize=2)
def _patterns(loose: bool) -> dict[str, re.Pattern]:
    patterns = {}
    for code, names in _names().items():
        if loose:
            # the people and the adjective too: "Griekenland", "de Grieken", "Griekse", "Greek"; the
            # names in today's spelling too, for a text put in it (`_modern`)
            names = {*names, *map(_modern, names)}
            forms = sorted({n if " " in n or len(n) <= 4 else n[:4] for n in names}, key=len, reverse=True)
            patterns[code] = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, forms)) + r")")
        else:  # "EU-Turkey" names Turkey
            patterns[code] = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")
    return patterns


def countries_in(text: str, loose: bool = False) -> set[str]:
    """ISO codes of the countries `text` names (case as written: "India", not "india"); `loose` also
    counts a capitalised word that begins as a name does ("Griekse", "Grieken", "Greek": Greece) and a
    name in the old spelling ("de Vereenigde Staten")."""
    if loose:
        text = f"{text}\n{_modern(text)}"
    return {code for code, pattern in _patterns(loose).items() if pattern.search(text)}


def country_name_words(text: str) -> frozenset[str]:
    """The words of the country names `text` names as written: "Saudi" and "Arabia" of "Saudi Arabia"."""
    return frozenset(word for pattern in _patterns(False).values() for found in pattern.finditer(text)
                     for word in found.group().split())
