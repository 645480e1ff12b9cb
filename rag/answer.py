"""Answer text from retrieved passages: the best passage quoted whole, with its citation.

(The extractive answer from selected sentences, grouped by party, replaces this in the chain.)
"""

from __future__ import annotations

from rag.query import Query
from rag.types import Answer, Chunk, Hit


def citation(chunk: Chunk) -> str:
    """"JA21, <title>, p. 9–10" — speaker and party (or "no party"), document, section, pages."""
    pages = f"p. {chunk.page}" if chunk.page == chunk.page_end else f"p. {chunk.page}–{chunk.page_end}"
    if chunk.speaker:
        who = f"{chunk.speaker} ({chunk.party})" if chunk.party else chunk.speaker
    else:
        who = chunk.party or "no party"
    section = f", {chunk.section}" if chunk.section else ""
    return f"{who}, {chunk.title or chunk.doc_id}{section}, {pages}"


def compose_answer(query: Query, hits: list[Hit]) -> Answer:
    if not hits:
        scope = f" from {', '.join(query.parties)}" if query.parties else ""
        return Answer(query.question, f"No passage{scope} in the index matches this question.", (), query.parties)
    best = hits[0].chunk
    text = f"Best match ({citation(best)}):\n“{best.text}”"
    return Answer(query.question, text, tuple(hits), query.parties)
