"""Document metadata: from a folder's MANIFEST.tsv, the reader and sidecar, else the content.

Fields: title, type, date (ISO `YYYY-MM-DD`, or `YYYY` where only the year is known), dossier,
number, doc_id, first_page. Later sources override earlier ones: manifest < reader/sidecar.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache
from pathlib import Path

MONTHS = {m: i + 1 for i, m in enumerate(
    "januari februari maart april mei juni juli augustus september oktober november december".split())}
_DATE_NL = re.compile(r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(1[89]\d\d|20\d\d)\b", re.I)
# Content cues for the document type, tried in order on the opening of the text.
TYPE_CUES = [
    (r"verslag van een schriftelijk overleg", "verslag schriftelijk overleg"),
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


def _title_from_text(text: str) -> str | None:
    asked = re.search(r"Vragen (?:gesteld )?van (?:het lid|de leden) .{3,300}?(?=\s*\([Il]ngez)", text[:3000])
    if asked:
        return " ".join(asked.group(0).split())[:200]
    for line in text.split("\n\n")[:12]:
        line = " ".join(line.split())
        words = re.findall(r"[^\W\d_]{3,}", line)
        if len(words) >= 3 and len(line.split()) <= 30 and not re.match(r"(Tweede|Eerste) Kamer|Vergaderjaar|Zitting", line):
            return line[:200]
    return None


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
    meta["date"] = date or found
    if not meta.get("dossier"):
        m = re.search(r"\bKamerstuk(?:ken)? (\d{4,6})\b", opening)
        meta["dossier"] = m.group(1) if m else None
    meta["title"] = str(meta.get("title") or _title_from_text(text) or path.stem)
    for key in ("dossier", "number"):
        if meta.get(key) is not None:
            meta[key] = str(meta[key])
    return meta
