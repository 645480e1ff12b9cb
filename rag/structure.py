"""Structure: a `Source` → a `Document` with normalised text, blocks in context, pages and notes.

Layout text (pages of lines) goes through `rag.layout`; structured sources (XML, HTML) arrive as
blocks that already know their party, speaker and section. Then, for both:
- context: "Inbreng van de leden van de X-fractie" opens party X's contribution, a part heading
  ("I Vragen …", "II Reactie van de minister …") closes it, a subheading sets the section; a part
  heading directly followed by another part heading is a stray (the "II Reactie …" that PDF
  extraction puts near the top) and changes nothing;
- outside any party contribution, who speaks is read from the text (`rag.attribution`: "De leden
  van de X-fractie …", "De heer Y (X) merkte op …", a motion's submitter, the minister, the chair);
- written questions with their answers are split into numbered questions and answers, linked by
  number (`rag.written_questions`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from rag.attribution import attribute_layout, resolve_from_document
from rag.layout import MARK_CLOSE, MARK_OPEN, PARTY_HEADING, RawBlock, _join_lines, layout
from rag.metadata import document_metadata, header_subjects
from rag.parties import canonical_party
from rag.types import Block, Document, Note, Source
from rag.written_questions import split_questions_and_answers

STRUCTURE_VERSION = 9  # bump when layout, structure, question or metadata rules change their output


@dataclass
class _Piece:
    """A block's text before assembly, with the pages that begin in it and the notes it cites."""

    kind: str
    text: str
    page_marks: list[tuple[int, int]] = field(default_factory=list)  # (offset in text, page)
    cites: dict[int, int] = field(default_factory=dict)  # note number → offset in text
    party: str | None = None
    section: str = ""
    speaker: str | None = None
    structured: bool = False
    notes: tuple[str, ...] = ()


def _layout_pieces(raw_blocks: list[RawBlock], vocabulary: set[str]) -> list[_Piece]:
    pieces = []
    for raw in raw_blocks:
        piece = _Piece(raw.kind, "")
        for line in raw.lines:
            line_text, cited = _take_marks(re.sub(r"\s+", " ", line.text).strip())
            if piece.text:
                piece.text, at = _join_lines(piece.text, line_text, vocabulary)
            else:
                piece.text, at = line_text, 0
            if not piece.page_marks or piece.page_marks[-1][1] != line.page:
                piece.page_marks.append((at, line.page))
            piece.cites.update({number: at + pos for number, pos in cited.items()})
        pieces.append(piece)
    return pieces


def _structured_pieces(source: Source) -> list[_Piece]:
    return [_Piece(b.kind, re.sub(r"[ \t]+", " ", b.text).strip(), [(0, b.page)], {}, b.party, b.section,
                   b.speaker, structured=True, notes=b.notes) for b in source.blocks if b.text.strip()]


def _in_context(pieces: list[_Piece]) -> list[_Piece]:
    """Give layout pieces the party and section of the contribution and subsection they stand in."""
    party: str | None = None
    section = ""
    for i, piece in enumerate(pieces):
        if piece.structured:
            continue
        if piece.kind == "party":
            name = PARTY_HEADING.match(piece.text).group("party").strip()
            party, section = canonical_party(name) or name, ""
        elif piece.kind == "part":
            following = pieces[i + 1] if i + 1 < len(pieces) else None
            if following is None or following.kind != "part":  # else: a stray part heading
                party, section = None, piece.text
        elif piece.kind == "heading":
            section = piece.text
        piece.party, piece.section = party, section
    return pieces


def build_document(source: Source, doc_id: str | None = None) -> Document:
    """Parse a `Source` into a `Document`. Deterministic: the same source gives the same text."""
    notes: list[Note] = []
    if source.blocks:
        pieces = _structured_pieces(source)
    else:
        raw_blocks, notes, vocabulary = layout(source.pages)
        pieces = _in_context(_layout_pieces(raw_blocks, vocabulary))

    parts: list[str] = []
    blocks: list[Block] = []
    page_starts: list[int] = [0]
    first_page = source.pages[0].number if source.pages else 1
    anchors: dict[int, int] = {}
    offset = 0
    for piece in pieces:
        if offset:
            parts.append("\n\n")
            offset += 2
        for at, page in piece.page_marks:
            while first_page + len(page_starts) - 1 < page:
                page_starts.append(offset + at)
        anchors.update({number: offset + pos for number, pos in piece.cites.items()})
        for note in piece.notes:  # structured sources: a note belongs to the paragraph that holds it
            number, _, note_text = note.partition(" ")
            n = int(number) if number.isdigit() else len(notes) + 1
            notes.append(Note(n, note_text if number.isdigit() else note, piece.page_marks[0][1], -1))
            anchors[n] = offset
        parts.append(piece.text)
        blocks.append(Block(piece.kind, offset, offset + len(piece.text), piece.party, piece.section, piece.speaker))
        offset += len(piece.text)
    text = "".join(parts)

    if source.blocks:
        blocks = [replace(b, attribution="XML: speaker and party as recorded",
                          speaker_role="member" if b.party else b.speaker_role) if b.party or b.speaker else b
                  for b in blocks]
    else:
        blocks = attribute_layout(text, blocks)
    blocks = resolve_from_document(text, split_questions_and_answers(text, blocks))
    meta = document_metadata(Path(source.path), text, source.meta)
    notes = [Note(n.number, n.text, n.page, anchors.get(n.number, -1)) for n in notes]
    return Document(
        doc_id=str(meta.get("doc_id") or doc_id or Path(source.path).stem),
        title=meta["title"], doc_type=meta["type"], date=meta.get("date"), source=source.path,
        sha256=source.sha256, text=text, blocks=tuple(blocks), page_starts=tuple(page_starts),
        first_page=int(meta.get("first_page") or first_page), notes=tuple(notes),
        dossier=meta.get("dossier"), number=meta.get("number"),
        subjects=header_subjects([text[b.start:b.end] for b in blocks if b.kind == "front"], meta["title"] or ""),
    )


def _take_marks(piece: str) -> tuple[str, dict[int, int]]:
    """Remove citation markers from a line; return where each cited note stood."""
    cited: dict[int, int] = {}
    out: list[str] = []
    pos = 0
    length = 0
    for m in re.finditer(f"{MARK_OPEN}(\\d+){MARK_CLOSE}", piece):
        out.append(piece[pos:m.start()])
        length += m.start() - pos
        cited[int(m.group(1))] = length
        pos = m.end()
    out.append(piece[pos:])
    return "".join(out), cited
