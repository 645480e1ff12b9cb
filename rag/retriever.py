"""Hybrid retrieval: dense (FAISS) and BM25 rankings fused by reciprocal rank fusion (RRF).

RRF score of a passage = Σ over rankings of 1 / (RRF_K + rank), rank counted from 1; RRF_K = 60
(Cormack et al., 2009) keeps a single first place from outweighing agreement between rankings.
Filters (party, document) are applied inside each ranking, so k hits come back whenever k match.
`HybridRetriever` is the langchain-core face of the same search.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.collection import Collection
from rag.query import Filters, Query, parse_question
from rag.types import Hit

RRF_K = 60
Mode = Literal["hybrid", "dense", "bm25"]


def _top(scores: np.ndarray, rows: np.ndarray | None, n: int, positive_only: bool) -> list[int]:
    """The n best rows; `scores[i]` is the score of `rows[i]` (of row i when `rows` is None)."""
    order = np.argsort(-scores, kind="stable")[:n]
    ids = order if rows is None else rows[order]
    return [int(row) for row, i in zip(ids, order) if not positive_only or scores[i] > 0]


def dense_ranking(collection: Collection, query: Query, n: int) -> list[int]:
    """Rows by cosine similarity to the query embedding, best first."""
    if not collection.chunks:
        return []
    qv = collection.embedder.encode_queries([query.search_text])[0].astype(np.float32)
    rows = collection.rows_where(query.filters)
    if rows is None:
        _, ids = collection.dense.search(qv[None, :], min(n, len(collection.chunks)))
        return [int(i) for i in ids[0] if i >= 0]
    if len(rows) == 0:
        return []
    return _top(np.asarray(collection.vectors[rows]) @ qv, rows, n, positive_only=False)


def lexical_ranking(collection: Collection, query: Query, n: int) -> list[int]:
    """Rows by BM25 score, best first; passages sharing no term with the query are left out."""
    if not collection.chunks:
        return []
    rows = collection.rows_where(query.filters)
    scores = collection.lexical.scores(query.search_text)
    return _top(scores if rows is None else scores[rows], rows, n, positive_only=True)


def rrf(rankings: list[list[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of rankings of row ids: (row, score), best first, ties by first seen."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def search(collection: Collection, query: Query, k: int = 5, mode: Mode = "hybrid") -> list[Hit]:
    """The k best passages for the query, without duplicate texts."""
    n = max(4 * k, 50)
    dense = dense_ranking(collection, query, n) if mode in ("hybrid", "dense") else []
    lexical = lexical_ranking(collection, query, n) if mode in ("hybrid", "bm25") else []
    dense_pos = {row: i + 1 for i, row in enumerate(dense)}
    lexical_pos = {row: i + 1 for i, row in enumerate(lexical)}
    hits: list[Hit] = []
    seen: set[str] = set()
    for row, score in rrf([r for r in (dense, lexical) if r]):
        chunk = collection.chunks[row]
        key = " ".join(chunk.text.split())
        if key in seen:
            continue
        seen.add(key)
        hits.append(Hit(chunk, score, len(hits) + 1, dense_pos.get(row), lexical_pos.get(row)))
        if len(hits) == k:
            break
    return hits


def hit_to_document(hit: Hit) -> LCDocument:
    c = hit.chunk
    return LCDocument(
        page_content=c.text,
        metadata={"rank": hit.rank, "score": hit.score, "doc_id": c.doc_id, "title": c.title, "party": c.party,
                  "section": c.section, "page": c.page, "page_end": c.page_end, "start": c.start, "end": c.end,
                  "chunk_id": c.chunk_id, "doc_type": c.doc_type, "date": c.date, "speaker": c.speaker},
    )


class HybridRetriever(BaseRetriever):
    """langchain-core retriever over a `Collection`; parties named in the question become filters."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    collection: Any
    k: int = 5
    mode: Mode = "hybrid"
    filters: Filters = Filters()

    def hits(self, question: str) -> list[Hit]:
        return search(self.collection, parse_question(question, self.filters), self.k, self.mode)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        return [hit_to_document(h) for h in self.hits(query)]
