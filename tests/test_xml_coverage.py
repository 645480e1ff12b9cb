"""Every paragraph of every real parliamentary XML file lands in some passage (issue 12).

The paragraphs are collected from the raw XML with lxml, independently of `rag.ingest.xml`, and
looked up (white space ignored, in document order) in the text of the chunked document; a
paragraph counts as covered when all its characters lie inside passages (`chunk_document`), so a
long paragraph the chunker splits over two adjacent passages is covered too.

Files: every XML file in ../shared/corpus (all in handelingen/: Handelingen h-tk-*.xml and the VLOS
report vlos-tk-*.xml; skipped with a reason when ../shared is absent) and the bundled XML files.

Which elements carry running text was decided by looking at those files:

- Handelingen (`officiele-publicatie/handelingen`): `al`, wherever it stands: in `al-groep`s of
  `spreekbeurt/tekst`, `agendapunt/tekst`, `opening/tekst`, `onderwerp`, `handeling_bijlage/divisie`;
  in `lijst/li`; in `motie` and `motie-info`. Inline elements inside it (`nadruk`, `extref`, `sup`,
  `inf`) are part of its text.
- VLOS (`vlosCoreDocument`): `alineaitem`, wherever it stands: in `alinea` (directly or in an
  `alineagroep`, e.g. a motion's "Motietekst"/"Motieinfo") or `alinea/lijst`, under the `tekst` of a
  turn (`woordvoerder`, `interrumpant`), of a `draadboekfragment` (motions, suspensions, chair
  changes, announcements) or directly under `activiteit`/`activiteithoofd`. Inline `nadruk`,
  `stuknummer`, `dossiernummer` are part of its text.

Text that is not counted, because it is metadata and not content (every other text-bearing
element must be one of these: `test_every_text_is_a_paragraph_or_known_metadata` checks it):

- the speaker line that opens a VLOS `tekst` (or an `alineagroep` in it: the chair's statement on a
  motion, "Motieinfo"), "De heer <nadruk>Buma</nadruk> (CDA):" or "De <nadruk>voorzitter</nadruk>:":
  it repeats the turn's `spreker`, which the passage carries as speaker and party;
- in a `tekst` directly under `activiteit`/`activiteithoofd`, an `alinea` that only repeats that
  element's own `titel` or `onderwerp` ("Mededelingen"): a printed heading, already the section;
- Handelingen `spreker` (voorvoegsels, naam, politiek, also in `motie-info`): the speaker line;
  `li.nr`: a list bullet ("-");
- document and meeting metadata: Handelingen `metadata`, `nr`, `vergadering-nummer`,
  `vergaderdatum`, `vergadertijd`; VLOS `vergadering/titel`, `zaal`, `vergaderjaar`,
  `vergaderingnummer`, `datum`, `aanvangstijd`, `sluiting`, `eindtijd`, `voortzetting`, `parlisid`,
  `markeertijdbegin`/`-eind`, `isvoorzitter`, `isdraad`, `spreker`/`sprekers` and their fields,
  `zaak` records (`titel`, `onderwerp`, `dossiernummer`, `stuknummer`, flags);
- headings: Handelingen `item-titel` and `kop/titel`, VLOS `activiteit*/titel` and `onderwerp`. They
  become heading blocks and the sections of passages, not passages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import BUNDLED, SHARED
from rag.chunking import chunk_document
from rag.ingest import read_source
from rag.structure import build_document

VLOS_NS = "http://www.tweedekamer.nl/ggm/vergaderverslag/v1.0"

# Handelingen elements whose text is not content (see the module docstring).
HANDELINGEN_METADATA = {"metadata", "meta", "nr", "vergadering-nummer", "vergaderdatum", "vergadertijd",
                        "spreker", "li.nr", "item-titel", "kop"}
# VLOS: all text outside a `tekst` is metadata or a heading; these are the elements that hold it.
VLOS_METADATA = {"titel", "zaal", "vergaderjaar", "vergaderingnummer", "datum", "aanvangstijd", "sluiting",
                 "eindtijd", "voortzetting", "parlisid", "markeertijdbegin", "markeertijdeind", "isvoorzitter",
                 "isdraad", "onderwerp", "spreker", "sprekers", "zaak", "zaken"}


def _xml_files() -> list:
    files = sorted(BUNDLED.glob("*.xml"))
    if SHARED.is_dir():
        files += sorted(SHARED.rglob("*.xml"))
    else:
        files.append(pytest.param(None, marks=pytest.mark.skip(reason="../shared/corpus is not beside the repository")))
    return files


XML_FILES = _xml_files()


def _ids(value) -> str:
    return "shared-absent" if value is None else f"{value.parent.name}/{value.name}"


@dataclass(frozen=True)
class Paragraph:
    element: str  # what holds it and its type, e.g. "draadboekfragment/alineaitem", "motie/al"
    text: str


def _local(el) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _squash(text: str) -> str:
    return "".join(text.split())


def _normal(text: str) -> str:
    return " ".join(text.split())


def _raw(path: Path):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                             remove_pis=True)
    return etree.parse(str(path), parser).getroot()


def _context(el, names: tuple[str, ...]) -> str:
    """The nearest ancestor of `el` among `names` (what the text belongs to), or its parent."""
    parent = el.getparent()
    while parent is not None:
        if _local(parent) in names:
            return _local(parent)
        parent = parent.getparent()
    return _local(el.getparent())


SPEAKER_LINE = re.compile(r"[^:]{1,80}:")


def _is_speaker_line(item, tekst) -> bool:
    """The first `alineaitem` of a `tekst` or of an `alineagroep` in it (the chair's "Motieinfo"),
    "De heer <nadruk>Buma</nadruk> (CDA):", "De <nadruk>voorzitter</nadruk>:"."""
    starts = [tekst, *tekst.iter(f"{{{VLOS_NS}}}alineagroep")]
    firsts = {next(el.iter(f"{{{VLOS_NS}}}alineaitem"), None) for el in starts}
    return (item in firsts and item.find(f"{{{VLOS_NS}}}nadruk") is not None
            and SPEAKER_LINE.fullmatch(_normal("".join(item.itertext()))) is not None)


def _repeats_title(alinea, tekst) -> bool:
    """An `alinea` of a `tekst` under `activiteit`/`activiteithoofd` that repeats its title."""
    owner = tekst.getparent()
    if _local(owner) not in ("activiteit", "activiteithoofd"):
        return False
    titles = {_normal("".join(owner.find(f"{{{VLOS_NS}}}{name}").itertext()))
              for name in ("titel", "onderwerp") if owner.find(f"{{{VLOS_NS}}}{name}") is not None}
    return _normal("".join(alinea.itertext())) in titles


def paragraphs(path: Path) -> list[Paragraph]:
    """Every paragraph of running text of the file, in document order, read straight from the XML."""
    root = _raw(path)
    out = []
    if _local(root) == "vlosCoreDocument":
        for tekst in root.iter(f"{{{VLOS_NS}}}tekst"):
            owner = _local(tekst.getparent())
            for item in tekst.iter(f"{{{VLOS_NS}}}alineaitem"):
                alinea = next(a for a in item.iterancestors(f"{{{VLOS_NS}}}alinea"))
                if _is_speaker_line(item, tekst) or _repeats_title(alinea, tekst):
                    continue
                text = _normal("".join(item.itertext()))
                if text:
                    out.append(Paragraph(f"{owner}/alineaitem", text))
    else:
        for al in root.iter("al"):
            text = _normal("".join(al.itertext()))
            if text:
                out.append(Paragraph(f"{_context(al, ('motie-info', 'motie', 'li', 'spreekbeurt', 'onderwerp'))}/al",
                                     text))
    return out


def _content_elements(root) -> set:
    """Elements whose text counts as content: the paragraphs of `paragraphs` (same rules)."""
    if _local(root) == "vlosCoreDocument":
        return set(root.iter(f"{{{VLOS_NS}}}alineaitem"))
    return set(root.iter("al"))


@dataclass
class Coverage:
    total: int
    missing: list  # (Paragraph, why)

    @property
    def covered(self) -> int:
        return self.total - len(self.missing)


def coverage(path: Path) -> Coverage:
    """How many paragraphs of the file lie inside passages of the document the project makes of it."""
    doc = build_document(read_source(path))
    chunks = chunk_document(doc)
    in_passage = bytearray(len(doc.text))
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text
        in_passage[c.start:c.end] = b"\x01" * (c.end - c.start)
    in_heading = bytearray(len(doc.text))
    for b in doc.blocks:
        if b.kind != "paragraph":
            in_heading[b.start:b.end] = b"\x01" * (b.end - b.start)
    where = [i for i, ch in enumerate(doc.text) if not ch.isspace()]  # squashed index → doc.text index
    flat = "".join(doc.text[i] for i in where)

    def all_in(mask, at: int, n: int) -> bool:
        return all(mask[where[i]] for i in range(at, at + n))

    paras = paragraphs(path)
    missing = []
    cursor = 0
    for para in paras:
        # The paragraph's place: its next occurrence in the document text that is not a heading's
        # text. Its characters must all lie in passages there; a short paragraph ("Ja.") dropped
        # here is not excused by the same words standing in a passage further on.
        needle = _squash(para.text)
        at = flat.find(needle, cursor)
        while at >= 0 and all_in(in_heading, at, len(needle)):
            at = flat.find(needle, at + 1)
        if at >= 0:
            cursor = at + len(needle)
            if not all_in(in_passage, at, len(needle)):
                missing.append((para, "in the document text, but not (wholly) in a passage"))
        elif needle in flat:
            missing.append((para, "in the document, but out of document order"))
        else:
            missing.append((para, "not in the document"))
    return Coverage(len(paras), missing)


@pytest.mark.parametrize("path", XML_FILES, ids=_ids)
def test_every_paragraph_lands_in_a_passage(path):
    result = coverage(path)
    assert result.total > 0
    report = "\n".join(f"  [{p.element}] {why}: {p.text[:120]!r}" for p, why in result.missing[:25])
    assert not result.missing, (f"{path.name}: {result.covered}/{result.total} paragraphs in passages; "
                                f"{len(result.missing)} missing:\n{report}")


@pytest.mark.parametrize("path", XML_FILES, ids=_ids)
def test_every_text_is_a_paragraph_or_known_metadata(path):
    """No text-bearing element type escapes the paragraph list: a new one (`tabel`, `noot`, …) fails here."""
    root = _raw(path)
    vlos = _local(root) == "vlosCoreDocument"
    content = _content_elements(root)
    known = VLOS_METADATA if vlos else HANDELINGEN_METADATA
    unaccounted = set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        own = (el.text or "") + "".join(child.tail or "" for child in el)
        if not own.strip():
            continue
        chain = [el, *el.iterancestors()]
        if any(a in content for a in chain):
            continue
        if vlos and any(_local(a) == "tekst" for a in chain):
            unaccounted.add(f"{_local(el)} in tekst")  # all text of a tekst must be in an alineaitem
        elif not any(_local(a) in known for a in chain):
            unaccounted.add(_local(el))
    assert not unaccounted, f"{path.name}: text in elements neither paragraph nor known metadata: {unaccounted}"


def _vlos_path() -> Path:
    path = SHARED / "handelingen" / "vlos-tk-20142015-14-2014-10-15.xml"
    if not path.is_file():
        pytest.skip("../shared/corpus/handelingen/vlos-tk-20142015-14-2014-10-15.xml is not beside the repository")
    return path


def _submitter(path: Path, phrase: str) -> tuple[str, str]:
    """(verslagnaam, fractie) of the first submitter of the VLOS motion containing `phrase`, from the raw XML."""
    ns = f"{{{VLOS_NS}}}"
    for fragment in _raw(path).iter(f"{ns}draadboekfragment"):
        if phrase in _normal("".join(fragment.itertext())):
            spreker = fragment.find(f"{ns}zaken/{ns}zaak/{ns}sprekers/{ns}spreker")
            return (_normal(spreker.findtext(f"{ns}verslagnaam")), _normal(spreker.findtext(f"{ns}fractie")))
    raise AssertionError(f"no motion with {phrase!r}")


def test_vlos_motion_is_attributed_to_the_member_who_submits_it():
    path = _vlos_path()
    phrase = "overwegende dat de opmars van IS in Syrië een groot gevaar is voor de internationale vrede en veiligheid"
    name, party = _submitter(path, phrase)
    assert (name, party) == ("Van Haersma Buma", "CDA")
    doc = build_document(read_source(path))
    chunks = chunk_document(doc)
    [motion] = [c for c in chunks if phrase in c.text]
    assert motion.speaker and motion.speaker.endswith(name)
    assert motion.party == party
    # The whole motion is one passage: from "De Kamer, gehoord de beraadslaging" to "verzoekt de regering".
    assert motion.text.startswith("De Kamer,")
    assert "verzoekt de regering" in motion.text
    assert motion.text.rstrip().endswith("en gaat over tot de orde van de dag.")
    assert motion.section.startswith("Motie-Van Haersma Buma/Segers")
    # The chair's statement on it ("Deze motie is voorgesteld door …; zij krijgt nr. 915") is the chair's.
    [info] = [c for c in chunks if "Deze motie is voorgesteld door de leden Van Haersma Buma en Segers" in c.text]
    assert info.speaker == "De voorzitter" and info.party is None
    assert "nr. 915" in info.text and info.section == motion.section


def test_vlos_motions_on_bonuses_can_be_found():
    """"Which motions were submitted on bonuses?": each motion on bonuses is a passage of its submitter."""
    path = _vlos_path()
    chunks = chunk_document(build_document(read_source(path)))
    motions = [c for c in chunks if c.text.startswith("De Kamer,") and "bonus" in c.text]
    assert {(c.speaker, c.party) for c in motions} >= {("De heer Tony van Dijck", "PVV"), ("De heer Merkies", "SP")}
    assert all(c.section.startswith("Motie-") for c in motions)


def test_vlos_chair_and_narration_are_kept_with_their_speaker():
    path = _vlos_path()
    chunks = chunk_document(build_document(read_source(path)))
    opening = [c for c in chunks if "Aanwezig zijn 117 leden der Kamer" in c.text]
    assert opening and opening[0].speaker is None and opening[0].party is None
    afgemeld = [c for c in chunks if "Knops, voor vandaag en morgen." in c.text]
    assert afgemeld and afgemeld[0].speaker == "De voorzitter" and afgemeld[0].party is None
    suspended = [c for c in chunks if "De vergadering wordt van 13.55 uur tot 15.46 uur geschorst." in c.text]
    assert suspended and suspended[0].speaker is None
