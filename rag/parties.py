"""Canonical party names and their aliases, shared by document parsing and question parsing.

`canonical_party("GL/PvdA") == "GroenLinks-PvdA"`; `find_parties(question)` finds the parties a
question names, in Dutch or English ("the Christian Democrats", "Freedom Party", "JA21").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# canonical name → aliases (matched case-insensitively, ignoring accents and hyphen/space/slash).
PARTIES: dict[str, tuple[str, ...]] = {
    "PVV": ("Partij voor de Vrijheid", "Freedom Party", "Party for Freedom", "Wilders"),
    "VVD": ("Volkspartij voor Vrijheid en Democratie", "People's Party for Freedom and Democracy", "Liberals"),
    "GroenLinks-PvdA": ("GL-PvdA", "GL/PvdA", "GLPvdA", "GroenLinks/PvdA", "GroenLinks/Partij van de Arbeid",
                        "Green Left-Labour", "GreenLeft-Labour", "GreenLeft/Labour", "Green Left/Labour",
                        "GroenLinks en PvdA", "GroenLinks and Labour"),
    "CDA": ("Christen-Democratisch Appèl", "Christen Democratisch Appel", "Christian Democrats",
            "Christian Democratic Appeal"),
    "JA21": ("JA 21", "Juiste Antwoord 21"),
    "BBB": ("BoerBurgerBeweging", "Boer Burger Beweging", "Farmer-Citizen Movement", "Farmer Citizen Movement",
            "Farmers' party", "Farmers party"),
    "D66": ("Democraten 66", "Democrats 66", "D'66"),
    "SP": ("Socialistische Partij", "Socialist Party", "Socialists"),
    "PvdD": ("Partij voor de Dieren", "Party for the Animals"),
    "ChristenUnie": ("CU", "Christen Unie", "Christian Union"),
    "SGP": ("Staatkundig Gereformeerde Partij", "Reformed Political Party"),
    "DENK": (),
    "FvD": ("Forum voor Democratie", "Forum for Democracy"),
    "Volt": (),
    "NSC": ("Nieuw Sociaal Contract", "New Social Contract"),
    "50PLUS": ("50+",),
    "BVNL": ("Belang van Nederland",),
    "GroenLinks": ("GL", "Groen Links", "GreenLeft", "Green Left", "Greens"),
    "PvdA": ("Partij van de Arbeid", "Labour Party", "Labour", "PVDA"),
    "LPF": ("Lijst Pim Fortuyn",),
    "KVP": ("Katholieke Volkspartij", "Catholic People's Party"),
    "ARP": ("Anti-Revolutionaire Partij", "Anti-Revolutionary Party"),
    "CHU": ("Christelijk-Historische Unie", "Christian Historical Union"),
    "PPR": ("Politieke Partij Radikalen",),
    "PSP": ("Pacifistisch Socialistische Partij",),
    "CPN": ("Communistische Partij van Nederland", "Communistische Partij Nederland", "Communist Party"),
    "GPV": ("Gereformeerd Politiek Verbond",),
    "RPF": ("Reformatorische Politieke Federatie",),
    "DS'70": ("DS70", "Democratisch Socialisten '70"),
    "Boerenpartij": ("Farmers' Party (Boerenpartij)",),
    "CD": ("Centrumdemocraten",),
    "EVP": ("Evangelische Volkspartij",),
    "SDAP": ("Sociaal-Democratische Arbeiderspartij",),
    "RKSP": ("Rooms-Katholieke Staatspartij", "Roomsch-Katholieke Staatspartij"),
    "VDB": ("Vrijzinnig-Democratische Bond",),
}

# How OCR misreads party names in the historic papers; used for names in documents, not questions.
OCR_VARIANTS: dict[str, str] = {
    "WD": "VVD", "W.D.": "VVD", "V.V.O.": "VVD", "Groenünks": "GroenLinks", "Groenlinks": "GroenLinks",
    "GroenUnks": "GroenLinks", "GroenIinks": "GroenLinks", "CD.A": "CDA", "C.DA": "CDA", "P.v.d.A": "PvdA",
    "PvdA.": "PvdA", "P.v.d-A.": "PvdA", "PvdA-": "PvdA", "KV.P.": "KVP", "A.R.P": "ARP", "AR.P.": "ARP",
    "C.H.U": "CHU", "CH.U.": "CHU", "D 66": "D66", "D’66": "D66", "SGP.": "SGP", "P.S.P": "PSP",
}


def _key(name: str) -> str:
    """Fold case, accents, and the separators that vary between spellings of one name."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s\-/’'`.]+", "", plain.casefold())


@lru_cache(maxsize=1)
def _alias_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for canonical, aliases in PARTIES.items():
        for alias in (canonical, *aliases):
            table[_key(alias)] = canonical
    return table


@lru_cache(maxsize=1)
def _ocr_table() -> dict[str, str]:
    return {_key(variant): canonical for variant, canonical in OCR_VARIANTS.items()}


def canonical_party(name: str | None) -> str | None:
    """The canonical form of a party name or alias, or None when it is no known party."""
    if not name:
        return None
    cleaned = re.sub(r"(?i)[\s-]*fractie$", "", name.strip())
    found = _alias_table().get(_key(cleaned)) or _ocr_table().get(_key(cleaned))
    if found is None and "/" in cleaned:
        # A group split off from a party is recorded as "50PLUS/Klein": it counts as that party.
        found = _alias_table().get(_key(cleaned.split("/", 1)[0]))
    return found


# Aliases that are ordinary words in running text are only taken in party-shaped contexts.
_AMBIGUOUS = {"labour", "liberals", "greens", "socialists", "wilders"}
# Names that, written in lower case, are Dutch words or abbreviations ("denk je", "een cd").
_WORDS_IN_LOWER_CASE = {"sp", "cd", "cu", "gl", "denk", "volt", "chu"}


@lru_cache(maxsize=1)
def _alias_pattern() -> re.Pattern:
    aliases = sorted({a for c, al in PARTIES.items() for a in (c, *al)}, key=len, reverse=True)
    parts = []
    for alias in aliases:
        if re.fullmatch(r"[A-Za-z0-9]{2,6}", alias):
            # Acronyms are also written with dots: "C.D.A.", "P.v.d.A.", "V.V.D."
            parts.append(r"\.?".join(map(re.escape, alias)) + r"\.?")
            continue
        words = [re.escape(w) for w in re.split(r"[\s\-/]+", alias) if w]
        parts.append(r"[\s\-/]*".join(words))
    return re.compile(r"(?<![\w])(" + "|".join(parts) + r")(?:[\s-]*fractie)?(?![\w])", re.IGNORECASE)


# A party's acronym that is also a neuter noun's: "het SGP" is the Stabiliteits- en Groeipact (a 2014
# debate on the euro says it 14 times), the party is "de SGP".
_NEUTER_NAMESAKES = frozenset({"SGP"})
_NEUTER_BEFORE = re.compile(r"\b[Hh]et\s+$")


def find_parties(text: str) -> list[tuple[str, int, int]]:
    """Parties named in `text`, as (canonical, start, end), in order of appearance.

    A name that is also a common word ("Labour", "CU") counts only when written as a name
    (capitalised, or followed by "-fractie"), not as the word.
    """
    found = []
    for m in _alias_pattern().finditer(text):
        surface = m.group(1)
        canonical = _alias_table().get(_key(surface))
        if canonical is None:
            continue
        if _key(surface) in _AMBIGUOUS and not (surface[0].isupper() or "fractie" in m.group(0).lower()):
            continue
        if surface.islower() and _key(surface) in _WORDS_IN_LOWER_CASE:
            continue
        if canonical in _NEUTER_NAMESAKES and _NEUTER_BEFORE.search(text[max(m.start() - 8, 0):m.start()]) \
                and not text.startswith("-", m.end()):  # "het SGP-Kamerlid": "het" is the Kamerlid's
            continue
        found.append((canonical, m.start(), m.end()))
    return found


# Parties that merged into another, and the year the successor's fraction sat in the Tweede Kamer:
# a member named "Cornelissen (KVP)" in 1975 and "Cornelissen (CDA)" in 1980 is one member.
SUCCESSORS = {"RKSP": ("KVP", 1946), "SDAP": ("PvdA", 1946), "VDB": ("PvdA", 1946), "KVP": ("CDA", 1977),
              "ARP": ("CDA", 1977), "CHU": ("CDA", 1977), "PPR": ("GroenLinks", 1990), "PSP": ("GroenLinks", 1990),
              "CPN": ("GroenLinks", 1990), "EVP": ("GroenLinks", 1990), "GPV": ("ChristenUnie", 2001),
              "RPF": ("ChristenUnie", 2001)}


def party_in(party: str, year: int | None) -> str:
    """The party a member of `party` belonged to in `year`, following mergers (KVP → CDA from 1977)."""
    while year is not None and party in SUCCESSORS and year >= SUCCESSORS[party][1]:
        party = SUCCESSORS[party][0]
    return party
