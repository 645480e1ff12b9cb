"""Official XML: Handelingen (plenary record), VLOS 2.0 reports, and Kamerstukken.

Parsed with lxml without entity expansion, DTD loading or network access, so an XML bomb or an
external entity is never expanded or fetched.
- Handelingen (`officiele-publicatie/handelingen`): per agenda item (`agendapunt/item-titel`), one
  passage block per speech (`spreekbeurt`) with the speaker (`spreker/voorvoegsels`, `naam`) and
  party (`politiek`); a motion it reads out (`motie`) as a block of its own, of the same speaker; the
  chair's statement on it (`motie-info`) and the chair's words that follow it in a bare `tekst` as
  the chair's; narration (`tekst`, `onderwerp`, lists) as blocks without a speaker.
- VLOS (`vlosCoreDocument`): per `activiteit`, in document order: one block per `woordvoerder`/
  `interrumpant` turn, with `spreker/fractie` (none for the chair); the narration directly under
  `activiteit`/`activiteithoofd` ("Aanwezig zijn …", "Aan de orde is …"); each `draadboekfragment`:
  a motion (`alineagroep` "Motietekst") as one block of the member who submits it (the first
  `spreker`, party from their `fractie`), in the section "Motie-<names> over <subject> (<dossier>,
  nr. <n>)", the chair's statement on it ("Motieinfo") as the chair's; other fragments (suspensions,
  chair changes, announcements) as the chair's when they open with "De voorzitter:", else narration.
  The speaker line opening a text ("De heer Buma (CDA):") is left out: the block carries it.
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
from rag.types import CHAIR, SourceBlock

VERSION = 2  # bump when this reader's output changes: documents read by it are indexed again

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
    speaker = " ".join(x for x in (prefix, name) if x) or None
    if speaker and speaker.lower() == "de voorzitter":
        speaker, party = CHAIR, None
    return speaker, party


def _paragraphs(el) -> str:
    paras = [_text(al) for al in el.iter("al")]
    return "\n".join(p for p in paras if p)


NARRATION = re.compile(r"(?:De (?:algemene )?(?:vergadering|beraadslaging) wordt|In stemming komt|Sluiting\b|"
                       r"Voorzitter:|\(Zie )")


def _speech(spreekbeurt, speaker, party, section) -> list[SourceBlock]:
    """A speech's blocks, in order: its own paragraphs; each motion it reads out (`motie`), whole, as
    the speaker's; the chair's statement on the motion (`motie-info`: "Deze motie is voorgesteld door
    …; zij krijgt nr. …") as the chair's."""
    blocks: list[SourceBlock] = []
    run: list[str] = []

    def flush():
        if run:
            blocks.append(SourceBlock("paragraph", "\n".join(run), party=party, speaker=speaker, section=section))
            run.clear()

    def walk(el):
        for child in el:
            name = local(child)
            if name == "al":
                if _text(child):
                    run.append(_text(child))
            elif name == "motie":
                flush()
                motion = "\n".join(p for p in (_text(al) for al in child.iterchildren("al")) if p)
                if motion:
                    blocks.append(SourceBlock("paragraph", motion, party=party, speaker=speaker, section=section))
                for info in child.iterchildren("motie-info"):
                    spreker = info.find("spreker")
                    who, their_party = _speaker(spreker) if spreker is not None else (CHAIR, None)
                    text = "\n".join(p for p in (_text(al) for al in info.iter("al")) if p)
                    if text:
                        blocks.append(SourceBlock("paragraph", text, party=their_party, speaker=who, section=section))
                # Any other text of the motion, so nothing is lost.
                rest = [_text(al) for part in child if local(part) not in ("al", "motie-info", "kop")
                        for al in part.iter("al")]
                if any(rest):
                    blocks.append(SourceBlock("paragraph", "\n".join(r for r in rest if r), party=party,
                                              speaker=speaker, section=section))
            elif name not in ("spreker", "kop", "li.nr"):
                walk(child)  # tekst, al-groep, lijst, li, …

    for tekst in spreekbeurt.iterchildren("tekst"):
        walk(tekst)
    flush()
    return blocks


def _handelingen(root) -> tuple[list[SourceBlock], dict]:
    blocks: list[SourceBlock] = []
    meta: dict = {"type": "Handelingen"}
    datum = _first(root, "vergaderdatum")
    if datum is not None:
        meta["date"] = normalise_date(_text(datum))
    titles: list[str] = []
    section = ""
    chair_speaks = False  # a speech ended with the chair's statement on a motion (`motie-info`)

    def walk(el):
        nonlocal section, chair_speaks
        for child in el:
            name = local(child)
            if name == "tekst" and chair_speaks:
                # The chair goes on after reading out "Deze motie is voorgesteld door …" without a new
                # `spreekbeurt`: "Dank u wel. Dan geef ik het woord aan …" is the chair's; narration
                # ("De vergadering wordt … geschorst.") stays without a speaker.
                for al in child.iter("al"):
                    text = _text(al)
                    if text:
                        narration = NARRATION.match(text) is not None
                        blocks.append(SourceBlock("paragraph", text, section=section,
                                                  speaker=None if narration else CHAIR))
                chair_speaks = False
                continue
            chair_speaks = False
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
                blocks.extend(_speech(child, speaker, party, section))
                last = [x for t in child.iterchildren("tekst") for x in t][-1:]
                chair_speaks = bool(last) and local(last[0]) == "motie" and last[0].find("motie-info") is not None
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

_TURNS = ("woordvoerder", "interrumpant")
_SPEAKER_LINE = re.compile(r"[^:]{1,80}:")
_SUBMITTERS = re.compile(r"voorgesteld door (?:het lid|de leden) (?P<names>.+?)\.(?:\s|$)")


def _child(el, name: str):
    return el.find(f"{{*}}{name}")


def _child_text(el, name: str) -> str:
    found = _child(el, name)
    return _text(found) if found is not None else ""


class _Members:
    """The members speaking in a VLOS report (every `spreker` with a `fractie`): name and party, by
    `objectid` and by `verslagnaam`, to attribute a motion or a fragment to its member."""

    def __init__(self, root):
        self.by_id: dict[str, tuple[str, str | None]] = {}
        self.by_name: dict[str, tuple[str, str | None]] = {}
        for spreker in root.iter("{*}spreker"):
            name, party = self.person(spreker)
            if name and party:
                self.by_id.setdefault(spreker.get("objectid") or "", (name, party))
                self.by_name.setdefault(_child_text(spreker, "verslagnaam").lower(), (name, party))

    @staticmethod
    def person(spreker) -> tuple[str | None, str | None]:
        """("De heer Van Haersma Buma", "CDA") of a `spreker` as it stands."""
        name = " ".join(x for x in (_child_text(spreker, "aanhef"), _child_text(spreker, "verslagnaam")) if x)
        fractie = _child_text(spreker, "fractie")
        return name or None, (canonical_party(fractie) or fractie or None)

    def of(self, spreker) -> tuple[str | None, str | None]:
        """A `spreker`'s name and party; the party, when it has none, from the same member elsewhere."""
        name, party = self.person(spreker)
        if party is None:
            known = self.by_id.get(spreker.get("objectid") or "") or self.by_name.get(
                _child_text(spreker, "verslagnaam").lower())
            if known:
                name, party = name or known[0], known[1]
        return name, party

    def named(self, name: str) -> tuple[str, str | None]:
        """A member named in the text ("Van Haersma Buma"): as the turns name them, with their party."""
        return self.by_name.get(name.strip().lower(), (name.strip(), None))


def _turn_speaker(turn) -> tuple[str | None, str | None]:
    spreker = _child(turn, "spreker")
    speaker, party = None, None
    if spreker is not None:
        name = _child(spreker, "verslagnaam")
        aanhef = _child(spreker, "aanhef")
        speaker = " ".join(_text(x) for x in (aanhef, name) if x is not None) or None
        chair = _child(turn, "isvoorzitter")
        fractie = _child(spreker, "fractie")
        if chair is not None and _text(chair) == "true":
            speaker = CHAIR
        elif fractie is not None:
            party = canonical_party(_text(fractie)) or _text(fractie) or None
    return speaker, party


def _is_speaker_line(item, first: bool, names: tuple[str, ...] = ()) -> bool:
    """The line opening a `tekst` that names who speaks: "De heer <nadruk>Buma</nadruk> (CDA):",
    "De <nadruk>voorzitter</nadruk>:" (it repeats the `spreker`, which the block carries)."""
    if not first:
        return False
    text = _text(item)
    if not _SPEAKER_LINE.fullmatch(text):
        return False
    return (item.find("{*}nadruk") is not None or "voorzitter" in text.lower()
            or any(n and n.lower() in text.lower() for n in names))


def _alineas(els, skip=frozenset(), names: tuple[str, ...] = ()) -> tuple[str | None, list[str]]:
    """The speaker line of a `tekst` or `alineagroep`s (`els`), if it opens with one, and their
    paragraphs: one per `alinea` (also those in an `alineagroep`), its `alineaitem`s (also those in a
    `lijst`) joined. `skip`: texts of whole alineas left out (a printed heading that repeats the title)."""
    line = None
    paras: list[str] = []
    first = True
    alineas = (alinea for el in ([els] if hasattr(els, "tag") else els) for alinea in el.iter("{*}alinea"))
    for alinea in alineas:
        items = []
        for item in alinea.iter("{*}alineaitem"):
            if _is_speaker_line(item, first, names):
                line = _text(item)[:-1].strip()
            elif _text(item):
                items.append(_text(item))
            first = False
        text = " ".join(items)
        if text and text not in skip:
            paras.append(text)
    return line, paras


def _line_speaker(line: str | None, members: _Members) -> tuple[str | None, str | None]:
    """Who a speaker line names: the chair, or a member ("De heer Buma (CDA)") with their party."""
    if line is None:
        return None, None
    if re.fullmatch(r"(?i)de\s+voorzitter", line):
        return CHAIR, None
    m = re.fullmatch(r"(?P<name>.+?)\s*\((?P<party>[^()]+)\)", line)
    if m:
        return m.group("name"), canonical_party(m.group("party")) or m.group("party")
    for prefix in ("De heer ", "Mevrouw ", "Minister ", "Staatssecretaris "):
        if line.startswith(prefix):
            found = members.by_name.get(line[len(prefix):].strip().lower())
            return line, (found[1] if found and prefix in ("De heer ", "Mevrouw ") else None)
    return line, None


def _motion_section(fragment, submitter: str | None, default: str) -> str:
    """"Motie-Van Haersma Buma/Segers over Europese steun … (21501-20, nr. 915)", as the Kamer names a
    motion, from the fragment's `zaak`; else "Motie-<submitter>"."""
    zaak = fragment.find("{*}zaken/{*}zaak")
    if zaak is not None:
        title = _child_text(zaak, "titel")  # "de motie-Segers/Van Haersma Buma (21501-20, nr. 917)"
        subject = _child_text(zaak, "onderwerp")
        m = re.fullmatch(r"(?:de\s+)?(?P<name>motie[^()]*?)\s*(?P<ref>\([^()]*\))?", title, flags=re.I)
        if m:
            name = m.group("name")[0].upper() + m.group("name")[1:]
            return " ".join(x for x in (name, f"over {subject}" if subject else "", m.group("ref") or "") if x)
        if title:
            return title
    return f"Motie-{submitter}" if submitter else default


def _vlos_fragment(fragment, section: str, members: _Members, turn_speaker) -> list[SourceBlock]:
    """A `draadboekfragment`: a motion read out (the motion as one block of the member who submits it;
    the chair's statement on it as the chair's), or another fragment (a suspension, a chair change, an
    announcement): the chair's when it opens with "De voorzitter:", else narration without a speaker."""
    blocks: list[SourceBlock] = []
    tekst = _child(fragment, "tekst")
    if tekst is None:
        return blocks
    groups = {g.get("type"): g for g in tekst.iterfind("{*}alineagroep")}
    motion = groups.get("Motietekst")
    if motion is not None:
        speaker, party = _submitter(fragment, groups.get("Motieinfo"), members, turn_speaker)
        name = speaker.split(" ", 2)[-1] if speaker and speaker.startswith(("De heer ", "Mevrouw ")) else speaker
        section = _motion_section(fragment, name, section)
        _, paras = _alineas(motion)
        if paras:
            blocks.append(SourceBlock("paragraph", "\n".join(paras), party=party, speaker=speaker, section=section))
        rest = [part for part in tekst if part is not motion]  # the chair's "Motieinfo"
    else:
        rest = [tekst]
    line, paras = _alineas(rest)
    if paras:
        who, their_party = _line_speaker(line, members)
        blocks.append(SourceBlock("paragraph", "\n".join(paras), party=their_party, speaker=who, section=section))
    return blocks


def _submitter(fragment, info, members: _Members, turn_speaker) -> tuple[str | None, str | None]:
    """The (first) member who submits a motion: the fragment's `spreker`, else the motion's `zaak`'s
    first `spreker`, else the first name in "Deze motie is voorgesteld door het lid / de leden X, …",
    else the member whose turn reads it out. Their party: their `fractie`, else the one of their turns."""
    for path in ("{*}sprekers/{*}spreker", "{*}zaken/{*}zaak/{*}sprekers/{*}spreker"):
        spreker = fragment.find(path)
        if spreker is not None:
            return members.of(spreker)
    if info is not None:
        m = _SUBMITTERS.search(_text(info))
        if m:
            return members.named(re.split(r",\s*|\s+en\s+", m.group("names"))[0])
    return turn_speaker


def _vlos(root) -> tuple[list[SourceBlock], dict]:
    blocks: list[SourceBlock] = []
    meta: dict = {"type": "Handelingen"}
    title = root.find("{*}vergadering/{*}titel")
    if title is not None:
        meta["title"] = f"Plenair verslag Tweede Kamer, {_text(title)}"
    datum = root.find("{*}vergadering/{*}datum")
    if datum is not None:
        meta["date"] = normalise_date(_text(datum))
    members = _Members(root)

    def walk(el, subject: str, turn_speaker=(None, None)):
        """`el`'s content in document order: its text (a turn's, or the narration directly under an
        `activiteit`/`activiteithoofd`), its fragments, its nested turns and parts."""
        name = local(el)
        for child in el:
            kind = local(child)
            if kind == "tekst" and name in _TURNS:
                speaker, party = turn_speaker
                _, paras = _alineas(child, names=tuple(x for x in (speaker,) if x))
                if paras:
                    blocks.append(SourceBlock("paragraph", "\n".join(paras), party=party, speaker=speaker,
                                              section=subject))
            elif kind == "tekst":
                # Narration: "Aanwezig zijn …", "Aan de orde is …"; alineas that only repeat the title
                # of this activity (printed headings) are left out: the title is the heading already.
                repeats = {_child_text(el, "titel"), _child_text(el, "onderwerp")} - {""}
                line, paras = _alineas(child, skip=repeats)
                if paras:
                    who, party = _line_speaker(line, members)
                    blocks.append(SourceBlock("paragraph", "\n".join(paras), party=party, speaker=who,
                                              section=subject))
            elif kind in _TURNS:
                walk(child, subject, _turn_speaker(child))
            elif kind == "draadboekfragment":
                blocks.extend(_vlos_fragment(child, subject, members, turn_speaker))
            else:
                walk(child, subject)  # activiteithoofd, activiteitdeel, activiteititem, …

    for activity in root.iter("{*}activiteit"):
        subject_el = activity.find("{*}onderwerp")
        subject = _text(subject_el) if subject_el is not None else ""
        if subject:
            blocks.append(SourceBlock("heading", subject, section=subject))
        walk(activity, subject)
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
