"""The answering chain, as a langchain-core Runnable: question → query → passages → quotes → answer.

    chain = build_chain(collection)
    result = chain.invoke({"question": "What did JA21 ask about Uganda?"})   # or just the string
    result["answer"].text, result["quotes"], result["hits"]

Each step adds its output beside the input (`RunnablePassthrough.assign`), so the retrieved
passages and the quotes stay available next to the answer. Extractive by default: no language
model is needed. With a chat model (any langchain-core chat model, `rag.llm.chat_model_from_env`)
a short summary is written over the quotes; every quotation in it is checked against the sources
and removed when it is not verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.runnables import Runnable, RunnableLambda, RunnablePassthrough

from rag.answer import compose_answer, judge, judge_for, matches, quotable
from rag.collection import Collection
from rag.query import Filters, make_filters, parse_question
from rag.quotes import quotes_for, verify_quote
from rag.rerank import NoReranker, Reranker
from rag.retriever import Mode, search
from rag.types import Chunk, Hit


@dataclass(frozen=True)
class Retrieval:
    hits: tuple[Hit, ...]
    status: str
    others: tuple[Hit, ...] = ()


def _as_input(value) -> dict:
    return {"question": value} if isinstance(value, str) else dict(value)


def build_chain(collection: Collection, k: int = 5, mode: Mode = "hybrid", reranker: Reranker | None = None,
                chat_model=None) -> Runnable:
    """The chain over one collection. Input: a question, or {"question", "filters", "k"}."""
    reranker = reranker or NoReranker()
    answers = _answer_index(collection)
    rule = judge_for(collection.manifest["model"]["name"])

    def parse(x: dict):
        filters = x.get("filters") or Filters()
        if isinstance(filters, dict):
            filters = make_filters(**filters)
        return parse_question(x["question"], filters)

    def retrieve(x: dict) -> Retrieval:
        query, n = x["query"], x.get("k") or k
        hits = reranker.rerank(collection, query, search(collection, query, n, mode))
        status = judge(hits, query, rule)
        others: list[Hit] = []
        if status == "party_missing":
            from dataclasses import replace

            unfiltered = replace(query, filters=replace(query.filters, parties=()))
            others = [h for h in search(collection, unfiltered, n, mode) if h.chunk.party not in query.parties]
            others = [h for h in others if matches(h, unfiltered, rule)]
        return Retrieval(tuple(hits), status, tuple(others))

    def quote(x: dict):
        retrieval: Retrieval = x["retrieval"]
        chosen = quotable(list(retrieval.hits if retrieval.status == "found" else retrieval.others), x["query"], rule)
        quotes = quotes_for(chosen, x["query"], collection.documents, answers)
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

    return (RunnableLambda(_as_input)
            | RunnablePassthrough.assign(query=RunnableLambda(parse))
            .assign(retrieval=RunnableLambda(retrieve))
            .assign(quotes=RunnableLambda(quote))
            .assign(answer=RunnableLambda(answer)))


def _answer_index(collection: Collection) -> dict[tuple[str, int], list[Chunk]]:
    """(doc_id, question number) → the answer passages, for written questions with answers."""
    index: dict[tuple[str, int], list[Chunk]] = {}
    for chunk in collection.chunks:
        if chunk.role == "answer" and chunk.qa is not None:
            index.setdefault((chunk.doc_id, chunk.qa), []).append(chunk)
    return index
