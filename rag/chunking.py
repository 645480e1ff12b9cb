"""Chunking: Document → Chunks. A chunk is a body paragraph inside one party section; a long
paragraph is split at sentence bounds into near-equal parts, and a fragment shorter than
`min_words` (an OCR line, a table row) is joined with the paragraphs after it that share its
context (party, section, speaker, question). OCR debris is left out, and no passage is a mere
fragment (fewer than `FRAGMENT_WORDS` words or `MIN_CHARS` letters): it joins a neighbour.
Invariant: chunk.text == doc.text[chunk.start:chunk.end]."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import asdict, dataclass, replace

from rag.metadata import SUBJECTS_CHARS
from rag.parties import find_parties
from rag.sentences import sentence_spans
from rag.types import Block, Chunk, Document

CHUNKER_VERSION = 20  # bump when parsing or chunking changes what passages are
MIN_CHARS = 5  # a paragraph with fewer letters and digits is debris, not text
FRAGMENT_WORDS = 8  # a passage shorter than this joins its neighbour
LIST_ENTRIES = 3  # heading-like lines opening with the same word that make a list
LEAD_WORDS = 16  # a nobody's line shorter than this before a speaker's turn leads that turn's passage


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
    for first, last in _without_fragments(doc, _groups(doc, settings.min_words)):
        for start, end in _split(doc.text, first.start, last.end, settings.max_words):
            if _letters(doc.text[start:end]) >= MIN_CHARS:  # a page of only numbers: nothing to find
                chunks.append(_make_chunk(doc, start, end, first))
    taken = [(c.start, c.end) for c in chunks]
    for blocks in _lists(doc, settings.max_words):
        start, end = blocks[0].start, blocks[-1].end
        if not any(s < end and start < e for s, e in taken):
            chunks.append(_make_chunk(doc, start, end, replace(blocks[0], section="")))
    return sorted(chunks, key=lambda c: c.start)


def _lists(doc: Document, max_words: int) -> list[list[Block]]:
    """Lists laid out as headings, in parts of at most `max_words` words: a run of heading-like lines with
    no text under them, of which at least `LIST_ENTRIES` open with the same word ("Naturalisatie van
    Aagaard, Ana Margarita en 24 anderen", "16137", "Naturalisatie van …": the bills a Senate paper lists),
    or two when the paper has such a list. They head nothing, so no passage would hold them. A paper's
    header lines, a signature or a page's running foot do not repeat within one run."""
    runs: list[list[Block]] = [[]]
    for block in doc.blocks:
        if block.kind in ("heading", "front"):
            runs[-1].append(block)
        elif runs[-1]:
            runs.append([])

    def lead(block: Block) -> str:
        return doc.text[block.start:block.end].split(maxsplit=1)[0].lower()

    entries = [[i for i, b in enumerate(run) if _entry(doc.text[b.start:b.end])] for run in runs]
    counts = [Counter(lead(run[i]) for i in listed) for run, listed in zip(runs, entries)]
    lists = {word for count in counts for word, n in count.items() if n >= LIST_ENTRIES}
    parts: list[list[Block]] = []
    for run, listed, count in zip(runs, entries, counts):
        # a short run of the paper's list (two of its bills between two paragraphs) is the list too
        listed = [i for i in listed if lead(run[i]) in lists and count[lead(run[i])] >= 2]
        if not listed:
            continue
        first = listed[0]
        if first and not _letters(doc.text[run[first - 1].start:run[first - 1].end]):
            first -= 1  # the bill's number before its title
        part: list[Block] = []
        words = 0
        for block in run[first:listed[-1] + 1]:
            n = len(doc.text[block.start:block.end].split())
            if part and words + n > max_words:
                parts.append(part)
                part, words = [], 0
            part.append(block)
            words += n
        parts.append(part)
    return [part for part in parts if len(doc.text[part[0].start:part[-1].end].split()) >= FRAGMENT_WORDS]


def _entry(line: str) -> bool:
    """A list's entry: three words or more, two of them words of letters (not "Nr. 5", "17 822")."""
    return len(line.split()) >= 3 and len(re.findall(r"[^\W\d_]{3,}", line)) >= 2



def _context(block: Block) -> tuple:
    return block.party, block.section, block.speaker, block.role, block.qa


def _groups(doc: Document, min_words: int) -> list[list[Block]]:
    """Runs of consecutive paragraphs, each run closed once it holds `min_words` words; OCR debris
    ("[284.", "'.": fewer than `MIN_CHARS` letters and digits, and not a word) is not text and is
    left out; a speaker's "Ja." is kept."""
    groups: list[list[Block]] = []
    words = 0
    previous: Block | None = None
    for block in doc.blocks:
        if block.kind != "paragraph":
            previous = None
            continue
        if _debris(doc.text[block.start:block.end]) and block.role is None:
            continue
        n = len(doc.text[block.start:block.end].split())
        if previous is not None and words < min_words and _context(previous) == _context(block):
            groups[-1].append(block)
            words += n
        else:
            groups.append([block])
            words = n
        previous = block
    return groups


def _debris(text: str) -> bool:
    """Fewer than MIN_CHARS letters and digits, and not a spoken word ("Ja.", "Nee." stay)."""
    return sum(c.isalnum() for c in text) < MIN_CHARS and not re.fullmatch(r"\W*[^\W\d_]{2,}\W*", text)


def _without_fragments(doc: Document, groups: list[list[Block]]) -> list[tuple[Block, Block]]:
    """(first, last) block of each passage; a run shorter than `FRAGMENT_WORDS` words or without
    `MIN_CHARS` letters (a list of numbers), too short to mean anything alone, joins a neighbour of
    the same party, section and speaker if there is one, else, when it is nobody's (OCR debris, a
    stray line), the one before it. Its text stays in the index. A short contribution of a speaker
    or party of its own stays a passage."""
    spans = [[g[0], g[-1]] for g in groups]
    i = 0
    while len(spans) > 1 and i < len(spans):
        first, last = spans[i]
        if _leads(doc.text, first, last, spans[i + 1][0] if i + 1 < len(spans) else None):
            spans[i + 1][0] = _with_context(first, spans[i + 1][0])
            del spans[i]
            continue
        if not _short(doc.text, first.start, last.end):
            i += 1
            continue
        context = _context(first)[:3]
        before = i > 0 and _context(spans[i - 1][1])[:3] == context
        after = i + 1 < len(spans) and _context(spans[i + 1][0])[:3] == context
        # Nobody's fragment, or one without real words ("Ja.", "[lO."), joins whatever stands next to it.
        loose = (first.party is None and first.speaker is None) or _letters(doc.text[first.start:last.end]) < MIN_CHARS
        if not (before or after or loose):
            i += 1  # a short contribution of its own (a party's one sentence) stays its own passage
            continue
        if before or (not after and i > 0):
            spans[i - 1][1] = last
            del spans[i]
        else:
            spans[i + 1][0] = first if after else _with_context(first, spans[i + 1][0])
            del spans[i]
    return [(first, last) for first, last in spans]


def _leads(text: str, first: Block, last: Block, following: Block | None) -> bool:
    """Whether a short line of nobody's introduces the turn right after it in the same section: the
    record's "In stemming komt de motie-Wassenberg (…, nr. 721)." before the chair's result, or a line
    that ends in a colon. Then it leads that passage, so the vote's result carries the motion's name.
    (Not before a member's turn: "Ik geef gelegenheid tot het afleggen van een stemverklaring" is the
    chair's, not the member's.)"""
    if following is None or following.speaker is None or first.speaker is not None or first.party is not None:
        return False
    line = text[first.start:last.end].strip()
    chair = following.speaker_role == "chair" or following.speaker.lower().startswith(("de voorzitter", "voorzitter"))
    return following.section == first.section and len(line.split()) < LEAD_WORDS and (chair or line.endswith(":"))


def _with_context(start: Block, context: Block) -> Block:
    """A block that starts where `start` does, in the context (party, section, speaker) of `context`."""
    return replace(context, start=start.start)


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
    return _join_short(text, spans)


def _join_short(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Parts of a split paragraph too short to stand alone ("1.") joined to the part before (or after)."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and (_short(text, s, e) or _short(text, *out[-1])):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _short(text: str, s: int, e: int) -> bool:
    part = text[s:e]
    return len(part.split()) < FRAGMENT_WORDS or _letters(part) < MIN_CHARS


def _letters(text: str) -> int:
    return sum(c.isalpha() for c in text)


def _make_chunk(doc: Document, start: int, end: int, block) -> Chunk:
    text = doc.text[start:end]
    digest = hashlib.sha256(f"{doc.doc_id}\0{start}\0{end}\0{text}".encode()).hexdigest()[:16]
    notes = tuple(f"{n.number} {n.text}" for n in doc.notes if start <= n.anchor <= end)
    return Chunk(
        chunk_id=digest, doc_id=doc.doc_id, text=text, start=start, end=end, party=block.party,
        section=block.section, page=doc.page_at(start), page_end=doc.page_at(end - 1), notes=notes,
        title=doc.title, doc_type=doc.doc_type, date=doc.date, speaker=block.speaker, role=block.role, qa=block.qa,
        speaker_role=block.speaker_role, attribution=block.attribution,
        mentions=tuple(dict.fromkeys(p for p, _, _ in find_parties(text))),
        subjects=" · ".join(doc.subjects)[:SUBJECTS_CHARS],
    )
