"""The answering chain, as a langchain-core Runnable: question → query → passages → quotes → answer.

    chain = build_chain(collection)
    result = chain.invoke({"question": "What did JA21 ask about Uganda?"})   # or just the string
    result["answer"].text, result["quotes"], result["hits"]

Each step adds its output beside its input (like `RunnablePassthrough.assign`), so the retrieved
passages and the quotes stay available next to the answer. The steps run in the caller's thread:
`assign` runs each step in a thread pool, which cost 15 ms a question here (the model's OpenMP
threads start anew in every new thread), as much as embedding the question. Extractive by default: no language
model is needed. With a chat model (any langchain-core chat model, `rag.llm.chat_model_from_env`)
a short summary is written over the quotes; every quotation in it is checked against the sources
and removed when it is not verbatim.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, replace

from langchain_core.runnables import Runnable, RunnableLambda

from rag.answer import compose_answer, judge, judge_for, matches, quotable
from rag.collection import Collection
from rag.query import Filters, make_filters, parse_question
from rag.quotes import quotes_for, verify_quote
from rag.rerank import NoReranker, Reranker
from rag.judge import logistic_judge_for
from rag.retriever import Mode, Standing, search_with_margin, with_members
from rag.types import Chunk, Hit


@dataclass(frozen=True)
class Retrieval:
    hits: tuple[Hit, ...]
    status: str
    others: tuple[Hit, ...] = ()
    standing: Standing = Standing()


def _as_input(value) -> dict:
    return {"question": value} if isinstance(value, str) else dict(value)


def build_chain(collection: Collection, k: int = 5, mode: Mode = "hybrid", reranker: Reranker | None = None,
                chat_model=None) -> Runnable:
    """The chain over one collection. Input: a question, or {"question", "filters", "k"}."""
    reranker = reranker or NoReranker()
    pairs = _written_question_index(collection)
    follows = _after_heads(collection)
    rule = judge_for(collection.manifest["model"]["name"])
    fitted = logistic_judge_for(collection.manifest["model"]["name"])

    def parse(x: dict):
        filters = x.get("filters") or Filters()
        if isinstance(filters, dict):
            filters = make_filters(**filters)
        return with_members(collection, parse_question(x["question"], filters))

    def retrieve(x: dict) -> Retrieval:
        query, n = x["query"], x.get("k") or k
        hits, standing = search_with_margin(collection, query, n, mode)
        hits = reranker.rerank(collection, query, hits)
        status = judge(hits, query, rule, standing, fitted, collection)
        others: list[Hit] = []
        if status == "party_missing":
            unfiltered = replace(query, filters=query.filters.without_parties())
            found, wider = search_with_margin(collection, unfiltered, 2 * n, mode)
            found = [h for h in found if h.chunk.party not in query.parties][:n]
            others = [h for h in found if matches(h, unfiltered, rule, wider.margin if h is found[0] else 0.0)]
        return Retrieval(tuple(hits), status, tuple(others), standing)

    def quote(x: dict):
        retrieval: Retrieval = x["retrieval"]
        if retrieval.status == "found":
            chosen = quotable(list(retrieval.hits), x["query"], rule)
        else:
            chosen = list(retrieval.others)
        chosen = _with_what_follows(chosen, follows)
        quotes = quotes_for(chosen, x["query"], collection.documents, pairs)
        return [q for q in quotes if verify_quote(q, collection.documents)]

    def answer(x: dict):
        retrieval: Retrieval = x["retrieval"]
        quotes = x["quotes"]
        summary = None
        if chat_model is not None and quotes:
            from rag.llm import summarise

            summary = summarise(chat_model, x["query"].question, quotes, collection.documents)
        return compose_answer(x["query"], list(retrieval.hits), quotes, retrieval.status, list(retrieval.others),
                              summary)

    return (RunnableLambda(_as_input, name="input") | _assign("query", parse) | _assign("retrieval", retrieve)
            | _assign("quotes", quote) | _assign("answer", answer))


def _assign(key: str, step) -> Runnable:
    """A step that adds `key: step(input)` to its input dict, in the calling thread."""
    return RunnableLambda(lambda x: {**x, key: step(x)}, name=key)


def _written_question_index(collection: Collection) -> dict[tuple, list[Chunk]]:
    """(doc_id, section, number, role) → passages, for written questions and their answers; the
    section (the "Vragen van …" heading) tells apart the sets on one Aanhangsel page."""
    index: dict[tuple, list[Chunk]] = {}
    for chunk in collection.chunks:
        if chunk.role in ("question", "answer") and chunk.qa is not None:
            index.setdefault((chunk.doc_id, chunk.section, chunk.qa, chunk.role), []).append(chunk)
    return index


# A document's first passage of at most this many words is its head: "Vragen van de heer Tummers (P.v.d.A.)
# inzake plannen tot sloop van de Obrecht-kerk", "Wij bieden U hiernevens … een ontwerp van wet betreffende
# nadere uitbreiding van den landstorm": it says what the paper is about, the passage after it what it says.
HEAD_WORDS = 60


def _after_heads(collection: Collection) -> dict[str, Chunk]:
    """Per document's head (its first passage, when short: `HEAD_WORDS`), the passage after it."""
    by_document: dict[str, list[Chunk]] = {}
    for chunk in collection.chunks:
        by_document.setdefault(chunk.doc_id, []).append(chunk)
    follows = {}
    for chunks in by_document.values():
        if len(chunks) > 1:
            head, after = heapq.nsmallest(2, chunks, key=lambda c: c.start)
            if len(head.text.split()) <= HEAD_WORDS:
                follows[head.chunk_id] = after
    return follows


def _with_what_follows(hits: list[Hit], follows: dict[str, Chunk]) -> list[Hit]:
    """The hits to quote, each document head followed by the passage after it (unless quoted already)."""
    quoted = {h.chunk.chunk_id for h in hits}
    out = []
    for hit in hits:
        out.append(hit)
        after = follows.get(hit.chunk.chunk_id)
        if after is not None and after.chunk_id not in quoted:
            quoted.add(after.chunk_id)
            out.append(Hit(after, hit.score, hit.rank))
    return out
