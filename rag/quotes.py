"""Quotes: verbatim spans of a document, chosen from the retrieved passages.

A `Quote` is made only by `quote_span`, from a document's text and two offsets, so its text is
that document's text at those offsets, whatever selected it. `verify_quote` checks a quote
against the stored documents; the answer composer and the optional language model only ever
show quotes that pass it.

Selection, per passage: a passage of at most MAX_QUOTE_WORDS words is quoted whole (it is one
paragraph or one question: whole, the quote holds the answer more often: 0.60 → 0.69 of answers on the
whole corpus, 0.76 → 0.88 on the bundled one, README "Saying what is not there"). From a longer one, the
sentence sharing most (stemmed) words with the question, and, where that sentence is not itself a
question, the party's first question after it (in this genre the question is what staff want to read)
— joined into one span when they are adjacent — then widened by whole sentences on both sides up to
MAX_QUOTE_WORDS: the sentence that shares the question's words is often the one beside the answer
(0.69 → 0.75 of answers on the whole corpus, 0.88 → 0.94 on the bundled one; scoring sentences with the
embedder as well gained 0.01 more for 50 ms a question, not taken). MAX_QUOTE_WORDS 90 → 110: a historic
paragraph is often 90–110 words, and quoted whole it holds the answer more often (0.765 → 0.805 of answers on
the whole corpus; 130 words gave 0.83 at 2.5 quotes of 70 words an answer, 110 kept quotes short enough to
read during a debate).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

from rag.lexical import tokenize
from rag.query import Query
from rag.sentences import sentence_spans
from rag.store import DocRecord
from rag.types import Chunk, Hit, Quote

MAX_QUOTE_WORDS = 110


def quote_span(doc: DocRecord, chunk: Chunk, start: int, end: int, rank: int, speaker: str | None = None) -> Quote:
    """The quote of doc.text[start:end]; the span must lie inside the chunk's passage."""
    if not (chunk.start <= start < end <= chunk.end) or chunk.doc_id != doc.doc_id:
        raise ValueError(f"span {start}-{end} is not inside passage {chunk.chunk_id}")
    return Quote(doc.text[start:end], doc.doc_id, start, end, chunk.party, _page(doc, start), chunk.section,
                 chunk.title, chunk.chunk_id, rank, speaker if speaker is not None else chunk.speaker,
                 page_end=_page(doc, end - 1))


def _page(doc: DocRecord, offset: int) -> int:
    return doc.first_page + max(bisect_right(doc.page_starts, offset) - 1, 0)


def verify_quote(quote: Quote, documents: dict[str, DocRecord]) -> bool:
    """Whether the quote is its document's text at its offsets (and so are its answer or question)."""
    doc = documents.get(quote.doc_id)
    ok = doc is not None and doc.text[quote.start:quote.end] == quote.text and quote.text.strip() != ""
    return ok and all(linked is None or verify_quote(linked, documents) for linked in (quote.answer, quote.question))


def _overlap(sentence: str, terms: set[str]) -> float:
    tokens = set(tokenize([sentence])[0])
    return len(tokens & terms) / (len(terms) ** 0.5) if terms and tokens else 0.0


def select_span(doc: DocRecord, chunk: Chunk, query: Query) -> tuple[int, int]:
    """Document offsets of the part of the passage to quote (see the module docstring)."""
    spans = [(chunk.start + s, chunk.start + e) for s, e in sentence_spans(chunk.text)]
    if not spans or len(chunk.text.split()) <= MAX_QUOTE_WORDS:
        return chunk.start, chunk.end
    terms = set(tokenize([query.lexical_text])[0])
    scores = [_overlap(doc.text[s:e], terms) for s, e in spans]
    questions = [i for i, (s, e) in enumerate(spans) if doc.text[s:e].rstrip("”\"’') ").endswith("?")]
    best = max(range(len(spans)), key=lambda i: (scores[i] + (0.25 if i in questions else 0), -i))
    if scores[best] == 0 and questions:
        best = questions[0]  # no word in common (an English question): the party's first question
    chosen = [best]
    if best not in questions:
        following = [i for i in questions if i > best]
        if following:
            chosen.append(following[0])
    first, last = min(chosen), max(chosen)
    if _words(doc, spans, first, last) > MAX_QUOTE_WORDS:
        first = last = chosen[-1]  # two sentences far apart: the question alone
    return _span(doc, spans, first, last)


def _words(doc: DocRecord, spans: list[tuple[int, int]], first: int, last: int) -> int:
    return len(doc.text[spans[first][0]:spans[last][1]].split())


def _span(doc: DocRecord, spans: list[tuple[int, int]], first: int, last: int) -> tuple[int, int]:
    """Sentences first..last widened by whole sentences, before and after in turn, while the span
    stays within MAX_QUOTE_WORDS."""
    grew = True
    while grew:
        grew = False
        if first > 0 and _words(doc, spans, first - 1, last) <= MAX_QUOTE_WORDS:
            first, grew = first - 1, True
        if last + 1 < len(spans) and _words(doc, spans, first, last + 1) <= MAX_QUOTE_WORDS:
            last, grew = last + 1, True
    return spans[first][0], spans[last][1]


def quotes_for(hits: list[Hit], query: Query, documents: dict[str, DocRecord],
               pairs: dict[tuple, list[Chunk]] | None = None) -> list[Quote]:
    """One quote per hit, in rank order; a quoted written question carries the start of its answer,
    a quoted answer the question it answers (`pairs`: see `rag.chain._written_question_index`)."""
    quotes = []
    for hit in hits:
        chunk = hit.chunk
        doc = documents[chunk.doc_id]
        start, end = select_span(doc, chunk, query)
        quote = quote_span(doc, chunk, start, end, hit.rank)
        if chunk.role in ("question", "answer") and chunk.qa is not None and pairs:
            other_role = "answer" if chunk.role == "question" else "question"
            other = pairs.get((chunk.doc_id, chunk.section, chunk.qa, other_role))
            if other:
                first = other[0]
                linked = quote_span(doc, first, first.start, first.start + _words_end(first.text, 60), hit.rank)
                quote = replace(quote, **{other_role: linked})
        quotes.append(quote)
    return quotes


def _words_end(text: str, n: int) -> int:
    """Offset just after the last sentence ending within the first n words, else after the first."""
    limit = len(" ".join(text.split()[:n]))
    ends = [e for _, e in sentence_spans(text)]
    within = [e for e in ends if e <= limit]
    return within[-1] if within else (ends[0] if ends else len(text))
