"""HTML pages of Kamerstukken (officielebekendmakingen / tweedekamer.nl): the text of
`div#broodtekst` (else `<body>`), headings h1-h6 as headings (a party heading opens that party's
contribution), p/li as paragraphs, footnote elements (class containing "noot" or "footnote") as notes.
"""

from __future__ import annotations

import re

from rag.errors import DocumentError
from rag.ingest.xml import clean_text
from rag.layout import PARTY_HEADING
from rag.parties import canonical_party
from rag.types import SourceBlock

VERSION = 1  # bump when this reader's output changes: documents read by it are indexed again

_NOTE_CLASS = re.compile(r"noot|footnote", re.I)


def read(data: bytes) -> tuple[list[SourceBlock], dict]:
    import lxml.html
    from lxml import etree

    try:
        text = data.decode("utf-8")  # declared or not, pages here are UTF-8; else lxml reads the meta charset
    except UnicodeDecodeError:
        text = data
    try:
        root = lxml.html.document_fromstring(text, parser=lxml.html.HTMLParser(no_network=True, remove_comments=True))
    except (etree.ParserError, ValueError) as exc:
        raise DocumentError(f"HTML cannot be parsed ({exc})") from exc
    for bad in root.xpath("//script|//style|//nav|//header|//footer"):
        bad.drop_tree()
    body = (root.xpath("//div[@id='broodtekst']") or root.xpath("//body") or [root])[0]
    meta = {}
    title = root.xpath("//title")
    if title and clean_text(title[0].itertext()):
        meta["title"] = clean_text(title[0].itertext())
    blocks: list[SourceBlock] = []
    notes: list[str] = []
    party, section = None, ""
    for el in body.iter("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "div"):
        cls = el.get("class") or ""
        if _NOTE_CLASS.search(cls) or _NOTE_CLASS.search(el.get("id") or ""):
            text = clean_text(el.itertext())
            if text:
                notes.append(text)
            continue
        if el.tag == "div" or _in_note(el):
            continue
        text = clean_text(el.itertext())
        if not text:
            continue
        if el.tag.startswith("h"):
            m = PARTY_HEADING.match(text)
            if m:
                party, section = canonical_party(m.group("party")) or m.group("party"), ""
                blocks.append(SourceBlock("party", text, party=party))
            else:
                section = text
                blocks.append(SourceBlock("heading", text, party=party, section=section))
        elif not (el.tag == "p" and el.getparent() is not None and el.getparent().tag == "li"):
            blocks.append(SourceBlock("paragraph", text, party=party, section=section))
    if notes and blocks:
        blocks[-1] = SourceBlock(blocks[-1].kind, blocks[-1].text, blocks[-1].party, blocks[-1].speaker,
                                 blocks[-1].section, blocks[-1].page, tuple(notes))
    if not blocks:
        raise DocumentError("HTML page has no text")
    return blocks, meta


def _in_note(el) -> bool:
    parent = el.getparent()
    while parent is not None:
        if _NOTE_CLASS.search(parent.get("class") or "") or _NOTE_CLASS.search(parent.get("id") or ""):
            return True
        parent = parent.getparent()
    return False
