"""Domain types of the pipeline: parse → structure → chunk → embed → store → retrieve → answer.

All frozen. Offsets are character offsets into `Document.text`, the document's normalised text,
so that `doc.text[chunk.start:chunk.end] == chunk.text` always holds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawPage:
    """One page of a source file as its reader saw it: lines, in order."""

    number: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class SourceBlock:
    """A unit of a structured source (XML, HTML): a heading or a paragraph with what it knows."""

    kind: str  # "heading", "party", "part" or "paragraph"
    text: str
    party: str | None = None
    speaker: str | None = None
    section: str = ""
    page: int = 1
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    """What a reader returns: pages of lines (layout text) or structured blocks, plus metadata."""

    path: str
    sha256: str
    pages: tuple[RawPage, ...] = ()
    meta: dict = field(default_factory=dict)
    blocks: tuple[SourceBlock, ...] = ()


@dataclass(frozen=True)
class Note:
    """A footnote: its number, its text, and where in `Document.text` it is cited (or -1)."""

    number: int
    text: str
    page: int
    anchor: int


@dataclass(frozen=True)
class Block:
    """A span of `Document.text`: a heading or a body paragraph, with its structural context.

    `role` is "question" or "answer" in written questions, where `qa` numbers the pair.
    `speaker_role` says who speaks ("member", "fraction", "minister", "chair", "committee", "members"
    for members without a party); `attribution` says how the speaker and party were found.
    """

    kind: str  # "part", "party", "heading" or "paragraph"
    start: int
    end: int
    party: str | None
    section: str
    speaker: str | None = None
    role: str | None = None
    qa: int | None = None
    speaker_role: str | None = None
    attribution: str | None = None


@dataclass(frozen=True)
class Document:
    """A parsed document: normalised body text, its blocks, page starts and footnotes."""

    doc_id: str
    title: str
    doc_type: str
    date: str | None
    source: str
    sha256: str
    text: str
    blocks: tuple[Block, ...]
    page_starts: tuple[int, ...]  # page_starts[i] = offset where page first_page + i begins
    first_page: int = 1
    notes: tuple[Note, ...] = ()
    dossier: str | None = None
    number: str | None = None
    subjects: tuple[str, ...] = ()  # what the header names beside the title (`rag.metadata.header_subjects`)

    def page_at(self, offset: int) -> int:
        """The page number on which the character at `offset` stands."""
        return self.first_page + max(bisect_right(self.page_starts, offset) - 1, 0)

    @property
    def parties(self) -> tuple[str, ...]:
        seen = dict.fromkeys(b.party for b in self.blocks if b.party)
        return tuple(seen)


@dataclass(frozen=True, slots=True)  # slots: an index holds one per passage (millions on the archive)
class Chunk:
    """A passage: a verbatim span of one document with party, section and pages."""

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    party: str | None
    section: str
    page: int
    page_end: int
    notes: tuple[str, ...] = ()
    title: str = ""
    doc_type: str = ""
    date: str | None = None
    speaker: str | None = None
    role: str | None = None
    qa: int | None = None
    speaker_role: str | None = None
    attribution: str | None = None  # how party and speaker were found (see rag.attribution)
    mentions: tuple[str, ...] = ()  # parties the passage's text names (canonical)
    subjects: str = ""  # its document's header subjects beside the title, searched with the passage

    @property
    def pages(self) -> str:
        return page_range(self.page, self.page_end)

    @property
    def embed_text(self) -> str:
        """The text given to the embedder (and BM25): the verbatim passage, led by its document's
        title and year, and its speaker or party and section; a passage of a historic paper rarely
        names the bill it is about, its title does."""
        if self.speaker:
            # A party from the index-wide member table can change with the index: not embedded.
            party = None if (self.attribution or "").startswith(INDEX_TABLE) else self.party
            who = f"{self.speaker} ({party})" if party else self.speaker
        else:
            who = party_label(self.party)
        context = " – ".join(x for x in (who, self.section) if x)
        year = (self.date or "")[:4]
        document = f"{self.title} ({year})" if year and year not in self.title else self.title
        if self.section and (self.title in self.section or self.section in self.title):
            document = ""  # an agenda item's debate: its title is the section already
        elif _holds_title(self.text, self.title):
            # the paper's heading passage: the title once, or it outweighs the question asked below it
            document = f"({year})" if year and year not in self.text[:800] else ""
        return "\n".join(x for x in (document, self.subjects, context, self.text) if x)


INDEX_TABLE = "member table of the index"
# The speaker of a debate's chair (Handelingen, VLOS, a historic debate's "De Voorzitter:"): never a party's voice.
CHAIR = "De voorzitter"
_MORE_QUESTIONS = re.compile(r" \(en \d+ andere vragen\)$")


def _holds_title(text: str, title: str) -> bool:
    """Whether a passage's opening holds its document's title (case and spacing aside)."""
    title = " ".join(_MORE_QUESTIONS.sub("", title).lower().split())
    return len(title) > 20 and title in " ".join(text[:800].lower().split())


PAGE = {"nl": "blz.", "en": "p."}


def page_range(page: int, page_end: int | None, lang: str = "en") -> str:
    """"p. 9" or "p. 9–10" ("blz. 9–10" in Dutch), as citations show pages."""
    end = page_end or page
    return f"{PAGE[lang]} {page}" if end == page else f"{PAGE[lang]} {page}–{end}"


def party_label(party: str | None) -> str:
    return f"Inbreng van de leden van de {party}-fractie" if party else ""


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its score and rank, and each retriever's rank and raw score
    (rank None = not among that retriever's candidates; score None = retriever not used)."""

    chunk: Chunk
    score: float
    rank: int
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float | None = None
    lexical_score: float | None = None


@dataclass(frozen=True)
class Quote:
    """A verbatim span `[start, end)` of document `doc_id`, with where it stands and who wrote it.

    `answer` is the reply quoted beside a question (written questions with their answers), and
    `question` the question quoted beside a reply.
    """

    text: str
    doc_id: str
    start: int
    end: int
    party: str | None
    page: int
    section: str
    title: str
    chunk_id: str
    rank: int
    speaker: str | None = None
    answer: "Quote | None" = None
    page_end: int | None = None
    question: "Quote | None" = None  # the written question an answer replies to

    @property
    def pages(self) -> str:
        return page_range(self.page, self.page_end)

    def to_json(self) -> dict:
        out = {"text": self.text, "doc_id": self.doc_id, "title": self.title, "party": self.party,
               "speaker": self.speaker, "page": self.page, "page_end": self.page_end or self.page,
               "section": self.section, "start": self.start, "end": self.end}
        if self.answer is not None:
            out["answer"] = self.answer.to_json()
        if self.question is not None:
            out["question"] = self.question.to_json()
        return out


@dataclass(frozen=True)
class Answer:
    """The reply to one question: its text, the verbatim quotes it consists of, the passages.

    status: "found"; "party_missing" (the named party has no matching passage: `others` holds the
    closest passages of other parties); "not_found" (nothing matches well enough to quote).
    """

    question: str
    text: str
    hits: tuple[Hit, ...]
    parties: tuple[str, ...] = ()
    quotes: tuple[Quote, ...] = ()
    status: str = "found"
    others: tuple[Hit, ...] = ()
    summary: str | None = None
    asked: str | None = None  # a follow-up as typed, when `question` is what was searched for it (rag.followup)
