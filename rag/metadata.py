"""Document metadata: from a folder's MANIFEST.tsv, the reader and sidecar, else the content.

Fields: title, type, date (ISO `YYYY-MM-DD`, or `YYYY` where only the year is known), dossier,
number, doc_id, first_page. Later sources override earlier ones: manifest < reader/sidecar.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

from rag.written_questions import ASKED, heading

MONTHS = {m: i + 1 for i, m in enumerate(
    "januari februari maart april mei juni juli augustus september oktober november december".split())}
# Nineteenth-century spellings ("Februarij", "Julij", "October") and ordinals ("den 17den Februarij 1860").
MONTHS |= {"januarij": 1, "februarij": 2, "junij": 6, "julij": 7, "october": 10}
_DATE_NL = re.compile(r"\b(\d{1,2})(?:sten|den|ste|de|en|e)?\s+(" + "|".join(MONTHS) + r")\s+(1[89]\d\d|20\d\d)\b",
                      re.I)
# The parliamentary session in a paper's running head ("Zitting 1864—1865", "Bijlagen. 1884-1885",
# "Vergaderjaar 1993-1994"): its first year dates a paper that states no day (97 % within a year of
# the manifest's date where both are known).
_SESSION = re.compile(r"(?:Zitting|ZITTING|Vergaderjaar|VERGADERJAAR|Bijlagen\.?|BIJLAGEN)[^\n]{0,20}?"
                      r"(1[89]\d\d|20\d\d)\s*[-—–/]\s*(?:1[89]\d\d|20\d\d|\d\d)(?!\d)")
# Content cues for the document type, tried in order on the opening of the text.
TYPE_CUES = [
    (r"verslag van een schriftelijk overleg|vragen en opmerkingen voorgelegd aan", "verslag schriftelijk overleg"),
    (r"Aanhangsel van de Handelingen|Vragen (?:gesteld )?van (?:het lid|de leden)", "schriftelijke vragen"),
    (r"\bMEMORIE VAN TOELICHTING\b", "memorie van toelichting"),
    (r"\bMEMORIE VAN ANTWOORD\b", "memorie van antwoord"),
    (r"\bNOTA NAAR AANLEIDING VAN HET (?:EIND)?VERSLAG\b", "nota naar aanleiding van verslag"),
    (r"\bNOTA VAN WIJZIGING\b", "nota van wijziging"),
    (r"\bEINDVERSLAG\b", "eindverslag"),
    (r"\bVOORLOPIG VERSLAG\b", "voorlopig verslag"),
    (r"\bVERSLAG\b", "verslag"),
    (r"\bMOTIE\b", "motie"),
    (r"\bAMENDEMENT\b", "amendement"),
    (r"\bVOORSTEL VAN WET\b|\bWETSVOORSTEL\b", "voorstel van wet"),
    (r"\bBesluitenlijst\b", "besluitenlijst"),
    (r"\bBRIEF\b", "brief"),
]
_TYPE_NAMES = {
    "aanhangsel": "schriftelijke vragen", "handelingen": "Handelingen", "vlos": "Handelingen",
    "besluitenlijst": "besluitenlijst", "verslag mondeling overleg": "verslag mondeling overleg",
    "nota n.a.v. verslag": "nota naar aanleiding van verslag",
}

_DOSSIER = r"(?P<dossier>\d{1,3} \d{3}|\d{3,6})"
_FOOT = re.compile(r"[Vv]ergaderjaar (?:1[89]|20)\d\d\s*[-—–]\s*\d{2,4},\s*" + _DOSSIER + r",\s*nr\.\s*(?P<number>\d+)")
_UNDER_SESSION = re.compile(r"(?:Zitting|Vergaderjaar) (?:1[89]|20)\d\d\s*[-—–]\s*\d{2,4}\s*\n+\s*" + _DOSSIER +
                            r"(?P<number>)\s*\n")


def normalise_date(value: str | None) -> str | None:
    """ISO date from "2018-04-05 (…)", "1979-1980", "14 december 1990", "1980"; else None."""
    if not value:
        return None
    value = str(value).strip()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
    if m:
        return m.group(0)
    m = _DATE_NL.search(value)
    if m:
        return f"{m.group(3)}-{MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    m = re.match(r"(1[6-9]\d\d|20\d\d)\b", value)
    return m.group(1) if m else None


def normalise_type(value: str) -> str:
    value = re.sub(r"^SGD OCR historic parliamentary paper:\s*", "", value.strip())
    value = re.sub(r"^TK\s+", "", value)
    lower = value.lower()
    for key, name in _TYPE_NAMES.items():
        if lower.startswith(key):
            return name
    return re.sub(r"\s*\(.*$", "", lower) or "onbekend"


@lru_cache(maxsize=64)
def _manifest(folder: Path) -> dict[str, dict]:
    with (folder / "MANIFEST.tsv").open(encoding="utf-8", newline="") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t") if row.get("file")}


def manifest_entry(path: Path) -> dict:
    """The row for `path` in a MANIFEST.tsv of its folder or up to two folders above, as metadata."""
    path = path.resolve()
    for folder in list(path.parents)[:3]:
        if (folder / "MANIFEST.tsv").is_file():
            row = _manifest(folder).get(path.relative_to(folder).as_posix())
            if row:
                out = {"type": normalise_type(row.get("type") or ""), "date": normalise_date(row.get("date")),
                       "dossier": (row.get("dossier") or "").strip() or None,
                       "number": (row.get("nr") or "").strip() or None}
                return {k: v for k, v in out.items() if v}
    return {}


_KIND = re.compile(
    r"^(?P<kind>VERSLAG VAN EEN (?:SCHRIFTELIJK|MONDELING) OVERLEG|(?:VOORLOPIG |EIND)?VERSLAG|MEMORIE VAN "
    r"(?:TOELICHTING|ANTWOORD)|NOTA NAAR AANLEIDING VAN HET (?:EIND)?VERSLAG|NOTA VAN WIJZIGING|(?:GEWIJZIGDE? )?"
    r"(?:AMENDEMENTE?N?|MOTIE) VAN [^\n]{3,120}?|BRIEF VAN [^\n]{3,120}?|KONINKLIJKE BOODSCHAP|(?:VOORSTEL|ONTWERP) "
    r"VAN WET)(?=\s+(?:Ontvangen|Voorgesteld|Vastgesteld|\d|Nr\b)|\s*$)", re.M)
# A written consultation names its subject: "… voorgelegd aan de minister … over de brief van … inzake X (Kamerstuk …)".
_CONSULTED = re.compile(r"vragen en opmerkingen voorgelegd aan .{5,200}? inzake (?:de |het )?(?P<subject>[^()\n]{5,160}?)"
                        r"\s*(?:\(Kamerstuk|\n|$)")


def _subject_line(text: str) -> str | None:
    """The first line of the opening that reads as a subject (not the chamber, year or number, nor the
    kind of paper with its date: "LIJST VAN ANTWOORDEN Ontvangen 7 november 1980"), three words or one
    long compound ("Wetenschapsbudget 1981")."""
    for line in text.split("\n\n")[:12]:
        line = " ".join(line.split())
        if _KIND_AND_DATE.search(line) and not _DATED.match(line):
            # the paper's kind and date close its header: what follows is its text; the kind is the title's
            # already when it is one `_KIND` knows
            return None if _KIND.search(line) else line[:200]
        if _names_subject(line) and len(line.split()) <= 30 and not _KIND.match(line) and \
                not re.match(r"(Tweede|Eerste) Kamer|Vergaderjaar|Zitting|Aanhangsel|De Kamer|\d", line) and \
                not re.search(r"Voorzitter\s*:", line) and not _PLACE_AND_DATE.match(line) and \
                not (len(line.split()) < 3 and (_FURNITURE.search(line) or _HEADER_WORDS.search(line))):
            return line[:200]
    return None


_KIND_AND_DATE = re.compile(r"\b(?:Ontvangen|Vastgesteld|Ingezonden)\s+\d")
_DATED = re.compile(r"\W*(?:Ontvangen|Vastgesteld|Ingezonden)\b")  # a date line of its own: not a kind's
_PLACE_AND_DATE = re.compile(r"^\W*[\w'’-]+(?: [\w'’-]+)?,\s*\d+\s+\w+\s+\d{4}\.?$")  # "'s-Gravenhage, 1 oktober 1971."
# One-word header lines that are furniture or a kind, not a subject (OCR'd as they come: "EersteKamer.").
_HEADER_WORDS = re.compile(r"Eerste\s?Kamer|Tweede\s?Kamer|Zaakregister|Mededee?ling|Koninklijke\s+boodschap|"
                           r"Voorloo?pig|Verslag|Register", re.I)  # besides `_FURNITURE`'s


def _names_subject(line: str) -> bool:
    """Three words, or a capitalised compound of eleven letters or more (Dutch writes a subject as one
    word: "Betuweroute"; a header's word in capitals, "RECAPITULATIE", or OCR debris is none)."""
    words = re.findall(r"[^\W\d_]{3,}", line)
    return len(words) >= 3 or any(_COMPOUND.fullmatch(w) for w in words)


_COMPOUND = re.compile(r"[A-ZÀ-Þ][a-zß-ÿ]{10,}")


def _title_from_text(text: str, dossier: str | None = None, number: str | None = None) -> str | None:
    """A title made from the content: kind, subject, dossier and number as far as the text gives them
    ("Verslag van een schriftelijk overleg over de geannoteerde agenda … (32317)")."""
    asked = ASKED.search(text, 0, 3000)
    if asked:
        title = re.sub(r"^VRAGEN", "Vragen", heading(text, asked))
        more = len(ASKED.findall(text)) - 1
        return f"{title} (en {more} andere vragen)" if more > 0 else title
    opening = text[:3000]
    kind_match = _KIND.search(opening)
    kind = " ".join(kind_match.group("kind").split()) if kind_match else None
    consulted = _CONSULTED.search(opening)
    if consulted:
        kind = kind or "VERSLAG VAN EEN SCHRIFTELIJK OVERLEG"
        subject = consulted.group("subject").strip(" ,.")
        if subject[:1].isupper() and subject[1:2].islower():
            subject = subject[0].lower() + subject[1:]
        title = f"{_sentence_case(kind)} over de {subject}"
    else:
        subject = _subject_line(text)
        if kind and subject:
            title = f"{_sentence_case(kind)} – {subject}"
        else:
            title = _sentence_case(kind) if kind else subject
    if title is None:
        return None
    ref = ", nr. ".join(x for x in (dossier, number) if x) if dossier else None
    return f"{title[:240 - len(ref) - 3]} ({ref})" if ref else title[:240]


# Header lines of a paper that say where it stands, not what it is about: the chamber, the session,
# the Aanhangsel's standing heading, the kind of paper with its date ("VOORLOPIG VERSLAG Vastgesteld …").
_FURNITURE = re.compile(r"Kamer der|Staten[- ]?Generaal|Aanhangsel|Handelingen|Vragen (?:gesteld )?door|Zitting|"
                        r"Vergaderjaar|Bijlagen|Ontvangen|Vastgesteld|Voorgesteld|Ter inzage|Den Haag|'s-Gravenhage|"
                        r"^Aan de|^Nr\b|^No\b|^\W*(?:\d+\w*\s+)?vergadering\b|Voorzitter\s*:|Bijlage|Onderwerp van de|"
                        r"Memorie van|Ontwerp van|Nota van|Raming|Agenda|^Titel\b|^\(|^Begroting van uitgaven|"
                        r"^Omtrent de|Inhoudsopgave|vroegere stukken", re.I)
SUBJECTS_CHARS = 300  # of the header's subjects a passage carries: the embedder reads 512 tokens of passage


def header_subjects(lines: list[str], title: str) -> tuple[str, ...]:
    """The lines of a paper's header that name a subject the title does not: a report on seven
    naturalisation bills is titled by the first ("Naturalisatie van Maria Baum en 18 anderen") and
    lists the other six above its text ("… van Naftali Blaugrund en 20 anderen"), in no passage."""
    out: list[str] = []
    for line in lines:
        line = " ".join(line.split())
        if (_names_subject(line) and line not in title and title not in line and not _FURNITURE.search(line)
                and not _PLACE_AND_DATE.match(line) and not _KIND.match(line.upper()) and line not in out):
            out.append(line)
    return tuple(out)


def _sentence_case(kind: str) -> str:
    """"MOTIE VAN HET LID WÖLTGENS" → "Motie van het lid Wöltgens": the kind's words lower case, names capitalised."""
    if not kind.isupper():
        return kind
    small = {"van", "het", "de", "der", "den", "lid", "leden", "en", "een", "naar", "aanleiding", "heer", "ter"}
    words = []
    for i, word in enumerate(kind.split(" ")):
        lower = word.lower()
        if i == 0:
            words.append(word.capitalize())
        elif lower in small or lower in {"overleg", "schriftelijk", "mondeling", "toelichting", "antwoord", "wijziging",
                                         "verslag", "eindverslag", "wet", "boodschap", "motie", "amendement",
                                         "amendementen", "gewijzigd", "gewijzigde"}:
            words.append(lower)
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(words)


def document_metadata(path: Path, text: str, given: dict) -> dict:
    """Merged metadata for a document; `given` is what the reader and sidecar said."""
    meta: dict = {}
    try:
        meta.update(manifest_entry(path))
    except (OSError, ValueError, csv.Error):
        pass  # an unreadable manifest gives no metadata; the content still does
    meta.update({k: v for k, v in given.items() if v not in (None, "")})
    opening = text[:3000]
    if not meta.get("type") or meta["type"] == "onbekend":
        title = str(meta.get("title") or "")
        meta["type"] = next((name for cue, name in TYPE_CUES if re.search(cue, opening)), None) or \
            next((name for cue, name in TYPE_CUES if re.search(cue, title, re.I)), "onbekend")
    date, found = normalise_date(meta.get("date")), normalise_date(opening)
    if date and found and len(date) == 4 and len(found) == 10 and abs(int(found[:4]) - int(date)) <= 1:
        date = found  # the manifest knew the (parliamentary) year, the text knows the day
    session = _SESSION.search(text, 0, 4000)
    if session and not date and (not found or abs(int(found[:4]) - int(session.group(1))) > 1):
        found = session.group(1)  # a day far from the session is a date the paper cites, not its own
    meta["date"] = date or found
    if not meta.get("dossier"):
        m = re.search(r"\bKamerstuk(?:ken)? (\d{4,6})\b", opening)
        meta["dossier"] = m.group(1) if m else None
    if not meta.get("dossier"):
        # A paper's running foot ("vergaderjaar 1993-1994, 23 470, nr. 3"), else the number under its
        # session line ("Zitting 1964-1965\n\n7808").
        m = _FOOT.search(text) or _UNDER_SESSION.search(text, 0, 500)
        if m:
            # as the manifests write it ("23470"); a question's "23 470" is joined the same way (rag.query)
            meta["dossier"] = m.group("dossier").replace(" ", "")
            meta["number"] = meta.get("number") or m.group("number") or None
    meta["title"] = str(meta.get("title") or _title_from_text(text, meta.get("dossier"), meta.get("number"))
                        or path.stem)
    for key in ("dossier", "number"):
        if meta.get(key) is not None:
            meta[key] = str(meta[key])
    return meta
