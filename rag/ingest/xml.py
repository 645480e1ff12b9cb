"""Official XML: Handelingen (plenary record), VLOS 2.0 reports, and Kamerstukken.

Parsed with lxml without entity expansion, DTD loading or network access, so an XML bomb or an
external entity is never expanded or fetched.
- Handelingen (`officiele-publicatie/handelingen`): per agenda item (`agendapunt/item-titel`), one
  passage block per speech (`spreekbeurt`) with the speaker (`spreker/voorvoegsels`, `naam`) and
  party (`politiek`); narration (`tekst`, `onderwerp`) as blocks without a speaker.
- VLOS (`vlosCoreDocument`): per `activiteit`, one block per `woordvoerder`/`interrumpant` turn, with
  `spreker/fractie` (none for the chair).
- Kamerstukken (`kamerstuk`): `dossiernr`, `ondernummer`, titles; `divisie/kop/titel` headings (a party
  heading "Inbreng van de leden van de X-fractie" opens X's contribution), `al` paragraphs,
  footnotes (`noot`) taken out of the text and kept as notes of their paragraph.
"""

from __future__ import annotations

import re

from rag.errors import DocumentError
from rag.layout import PARTY_HEADING
from rag.metadata import normalise_date
from rag.parties import canonical_party
from rag.types import SourceBlock

VERSION = 1  # bump when this reader's output changes: documents read by it are indexed again

MAX_DEPTH = 200


def parse_xml(data: bytes):
    """An lxml tree, parsed safely; DocumentError when the XML is malformed or hostile."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise DocumentError(f"XML is not well-formed ({exc})") from exc
    if root is None:
        raise DocumentError("XML has no root element")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # Never expanded anyway (resolve_entities=False); refused so a document is not indexed
        # with holes where the entities were. Parliamentary XML declares none.
        raise DocumentError("XML declares entities (a DTD with <!ENTITY>); not read, for safety")
    if _depth(root) > MAX_DEPTH:
        raise DocumentError(f"XML is nested deeper than {MAX_DEPTH} levels")
    return root


def _depth(root) -> int:
    deepest = 0
    stack = [(root, 1)]
    while stack:
        el, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, d + 1) for child in el)
    return deepest


def local(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def clean_text(parts) -> str:
    """Text of inline XML content: white space folded, no space before punctuation or after "("."""
    text = re.sub(r"\s+", " ", " ".join(parts)).strip()
    text = re.sub(r"\s+([,.;:!?)\]])", r"\1", text)
    return re.sub(r"([(\[])\s+", r"\1", text)


def _text(el, skip: tuple[str, ...] = ()) -> str:
    if not skip:
        return clean_text(el.itertext())
    parts = []

    def walk(node):
        if local(node) in skip:
            if node.tail:
                parts.append(node.tail)
            return
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node is not el and node.tail:
            parts.append(node.tail)

    walk(el)
    return clean_text(parts)


def _first(el, name: str):
    found = el.find(f".//{{*}}{name}")
    if found is None:
        found = el.find(f".//{name}")
    return found


def read(data: bytes) -> tuple[list[SourceBlock], dict]:
    root = parse_xml(data)
    kind = local(root)
    if kind == "vlosCoreDocument":
        return _vlos(root)
    if _first(root, "handelingen") is not None or kind == "handelingen":
        return _handelingen(root)
    if _first(root, "kamerstuk") is not None or kind == "kamerstuk":
        return _kamerstuk(root)
    raise DocumentError(f"XML of an unknown kind (root element <{kind}>)")


# ---------------------------------------------------------------- Handelingen


def _speaker(spreker) -> tuple[str | None, str | None]:
    prefix = _text(spreker.find("voorvoegsels")) if spreker.find("voorvoegsels") is not None else ""
    naam = spreker.find("naam")
    name = _text(naam) if naam is not None else ""
    politiek = spreker.find("politiek")
    party = canonical_party(_text(politiek)) if politiek is not None else None
    if party is None and politiek is not None:
        party = _text(politiek) or None
    return (" ".join(x for x in (prefix, name) if x) or None), party


def _paragraphs(el) -> str:
    paras = [_text(al) for al in el.iter("al")]
    return "\n".join(p for p in paras if p)


def _handelingen(root) -> tuple[list[SourceBlock], dict]:
    blocks: list[SourceBlock] = []
    meta: dict = {"type": "Handelingen"}
    datum = _first(root, "vergaderdatum")
    if datum is not None:
        meta["date"] = normalise_date(_text(datum))
    titles: list[str] = []
    section = ""

    def walk(el):
        nonlocal section
        for child in el:
            name = local(child)
            if name in ("item-titel", "kop"):
                title = _text(child)
                if title:
                    if name == "item-titel":
                        titles.append(title)
                    section = title
                    blocks.append(SourceBlock("heading", title, section=title))
            elif name == "spreekbeurt":
                spreker = child.find("spreker")
                speaker, party = _speaker(spreker) if spreker is not None else (None, None)
                text = "\n".join(_paragraphs(t) for t in child.iter("tekst"))
                if text.strip():
                    blocks.append(SourceBlock("paragraph", text, party=party, speaker=speaker, section=section))
            elif name in ("al-groep", "al"):
                text = _paragraphs(child) if name == "al-groep" else _text(child)
                if text:
                    blocks.append(SourceBlock("paragraph", text, section=section))
            elif name not in ("metadata", "vergaderdatum", "nr", "vergadering-nummer", "vergadertijd"):
                walk(child)  # agendapunt, opening, onderwerp, tekst, divisie, handeling_bijlage, …

    walk(_first(root, "handelingen") if local(root) != "handelingen" else root)
    if titles:
        meta["title"] = titles[0] if len(titles) == 1 else f"{titles[0]} (en {len(titles) - 1} andere punten)"
    return blocks, meta


# ---------------------------------------------------------------- VLOS


def _vlos(root) -> tuple[list[SourceBlock], dict]:
    blocks: list[SourceBlock] = []
    meta: dict = {"type": "Handelingen"}
    title = root.find("{*}vergadering/{*}titel")
    if title is not None:
        meta["title"] = f"Plenair verslag Tweede Kamer, {_text(title)}"
    datum = root.find("{*}vergadering/{*}datum")
    if datum is not None:
        meta["date"] = normalise_date(_text(datum))
    for activity in root.iter("{*}activiteit"):
        subject_el = activity.find("{*}onderwerp")
        subject = _text(subject_el) if subject_el is not None else ""
        if subject:
            blocks.append(SourceBlock("heading", subject, section=subject))
        for turn in activity.iter("{*}woordvoerder", "{*}interrumpant"):
            spreker = turn.find("{*}spreker")
            speaker, party = None, None
            if spreker is not None:
                name = spreker.find("{*}verslagnaam")
                aanhef = spreker.find("{*}aanhef")
                speaker = " ".join(_text(x) for x in (aanhef, name) if x is not None) or None
                chair = turn.find("{*}isvoorzitter")
                fractie = spreker.find("{*}fractie")
                if fractie is not None and not (chair is not None and _text(chair) == "true"):
                    party = canonical_party(_text(fractie)) or _text(fractie) or None
                elif chair is not None and _text(chair) == "true":
                    speaker = "De voorzitter"
            paras = []
            for alinea in turn.iterfind("{*}tekst/{*}alinea"):  # not the alineas of nested turns
                items = [_text(i) for i in alinea.iter("{*}alineaitem")]
                # The first item of a turn repeats the speaker ("De heer Buma (CDA):").
                items = [i for i in items if i and not (len(i) < 80 and i.endswith(":") and not paras)]
                if items:
                    paras.append(" ".join(items))
            if paras:
                blocks.append(SourceBlock("paragraph", "\n".join(paras), party=party, speaker=speaker, section=subject))
    return blocks, meta


# ---------------------------------------------------------------- Kamerstukken


def _kamerstuk(root) -> tuple[list[SourceBlock], dict]:
    meta: dict = {}
    for field, name in (("dossier", "dossiernr"), ("number", "ondernummer")):
        el = _first(root, name)
        if el is not None and _text(el):
            meta[field] = re.sub(r"^nr\.?\s*", "", _text(el), flags=re.I)
    stuktitel, dossiertitel = _first(root, "stuktitel"), _first(root, "titel")
    titles = [_text(x) for x in (stuktitel, dossiertitel) if x is not None and _text(x)]
    if titles:
        meta["title"] = " – ".join(dict.fromkeys(titles))
    blocks: list[SourceBlock] = []
    party: str | None = None
    section = ""
    note_number = 0
    body = _first(root, "stuk") if _first(root, "stuk") is not None else root
    for el in body.iter():
        name = local(el)
        if name == "kop":
            heading = _text(el.find(".//titel") if el.find(".//titel") is not None else el)
            m = PARTY_HEADING.match(heading)
            if m:
                party, section = canonical_party(m.group("party")) or m.group("party"), ""
                blocks.append(SourceBlock("party", heading, party=party))
            elif heading:
                section = heading
                blocks.append(SourceBlock("heading", heading, party=party, section=section))
        elif name == "al" and not _inside(el, ("kop", "noot")):
            notes = []
            for noot in el.iter("noot"):
                note_number += 1
                nr = noot.find("noot.nr")
                notes.append(f"{_text(nr) if nr is not None else note_number} {_text(noot, skip=('noot.nr',))}")
            text = _text(el, skip=("noot",))
            if text:
                blocks.append(SourceBlock("paragraph", text, party=party, section=section, notes=tuple(notes)))
    return blocks, meta


def _inside(el, names: tuple[str, ...]) -> bool:
    parent = el.getparent()
    while parent is not None:
        if local(parent) in names:
            return True
        parent = parent.getparent()
    return False
