"""Where a document is officially published, built from its identifiers, never fetched.

- an official-publication id as document id ("h-tk-20172018-70-6", "kst-32317-950", "ah-tk-…"):
  its page on zoek.officielebekendmakingen.nl;
- a Kamerstuk with dossier and number from 1995 on (officielebekendmakingen's Kamerstukken start then):
  "kst-<dossier>-<number>";
- a Staten-Generaal Digitaal paper ("sgd-0000170895"): its record on zoek.officielebekendmakingen.nl,
  where the corpus took its text from (../shared/corpus/MANIFEST.tsv: ".../0000170895/ocr").
Anything else (an uploaded file, a dossier without number) has no link rather than a guessed one.
"""

from __future__ import annotations

import re

from rag.store import DocRecord

BASE = "https://zoek.officielebekendmakingen.nl"
_OFFICIAL_ID = re.compile(r"(?:h|ah|kst|blg|stcrt|stb|kv|kvr|agd|nds)-[a-z0-9-]+", re.I)
_SGD = re.compile(r"sgd-(\d{10})")


def official_url(doc: DocRecord) -> str | None:
    """The official publication of `doc`, or None when its metadata does not identify one."""
    if _OFFICIAL_ID.fullmatch(doc.doc_id):
        return f"{BASE}/{doc.doc_id}.html"
    sgd = _SGD.fullmatch(doc.doc_id)
    if sgd:
        return f"{BASE}/{sgd.group(1)}"
    year = int(doc.date[:4]) if doc.date and doc.date[:4].isdigit() else 0
    if doc.dossier and doc.number and re.fullmatch(r"\d+", doc.dossier) and re.fullmatch(r"\d+", doc.number) \
            and year >= 1995:
        return f"{BASE}/kst-{doc.dossier}-{doc.number}.html"
    return None
