"""Chunking: Document → Chunks. A chunk is a body paragraph inside one party section; a long
paragraph is split at sentence bounds into near-equal parts, and a fragment shorter than
`min_words` (an OCR line, a table row) is joined with the paragraphs after it that share its
context (party, section, speaker, question). Invariant: chunk.text == doc.text[chunk.start:chunk.end]."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

from rag.sentences import sentence_spans
from rag.types import Block, Chunk, Document

CHUNKER_VERSION = 3  # bump when parsing or chunking changes what passages are


@dataclass(frozen=True)
class ChunkSettings:
    """Chunker parameters; recorded in the index manifest, a change means a rebuild."""

    max_words: int = 160
    min_words: int = 12
    version: int = CHUNKER_VERSION

    def to_dict(self) -> dict:
        return asdict(self)


def chunk_document(doc: Document, settings: ChunkSettings = ChunkSettings()) -> list[Chunk]:
    """All passages of a document, in document order."""
    chunks: list[Chunk] = []
    for first, last in _groups(doc, settings.min_words):
        for start, end in _split(doc.text, first.start, last.end, settings.max_words):
            chunks.append(_make_chunk(doc, start, end, first))
    return chunks


def _context(block: Block) -> tuple:
    return block.party, block.section, block.speaker, block.role, block.qa


def _groups(doc: Document, min_words: int) -> list[tuple[Block, Block]]:
    """Runs of consecutive paragraphs, each run closed once it holds `min_words` words."""
    groups: list[list[Block]] = []
    words = 0
    previous: Block | None = None
    for block in doc.blocks:
        if block.kind != "paragraph":
            previous = None
            continue
        n = len(doc.text[block.start:block.end].split())
        if previous is not None and words < min_words and _context(previous) == _context(block):
            groups[-1].append(block)
            words += n
        else:
            groups.append([block])
            words = n
        previous = block
    return [(g[0], g[-1]) for g in groups]


def _split(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    words = len(text[start:end].split())
    if words <= max_words:
        return [(start, end)]
    sentences = sentence_spans(text, start, end)
    target = words / -(-words // max_words)  # near-equal parts, none above max_words
    spans: list[tuple[int, int]] = []
    current_start, current_words = sentences[0][0], 0
    for i, (s, e) in enumerate(sentences):
        n = len(text[s:e].split())
        if current_words and (current_words + n > max_words or current_words + n / 2 > target):
            spans.append((current_start, sentences[i - 1][1]))
            current_start, current_words = s, 0
        current_words += n
    spans.append((current_start, sentences[-1][1]))
    return spans


def _make_chunk(doc: Document, start: int, end: int, block) -> Chunk:
    text = doc.text[start:end]
    digest = hashlib.sha256(f"{doc.doc_id}\0{start}\0{end}\0{text}".encode()).hexdigest()[:16]
    notes = tuple(f"{n.number} {n.text}" for n in doc.notes if start <= n.anchor <= end)
    return Chunk(
        chunk_id=digest, doc_id=doc.doc_id, text=text, start=start, end=end, party=block.party,
        section=block.section, page=doc.page_at(start), page_end=doc.page_at(end - 1), notes=notes,
        title=doc.title, doc_type=doc.doc_type, date=doc.date, speaker=block.speaker, role=block.role, qa=block.qa,
    )
