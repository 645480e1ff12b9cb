"""Optional reranking of the fused candidates, behind one small interface.

No cross-encoder weights can be had offline here, so the default is no reranking. The one
reranker offered re-scores the top candidates by their best-matching sentence: a long passage
whose single sentence answers the question is lifted above a passage that is loosely about the
topic throughout. It embeds the sentences of the top `depth` passages per question, so it costs
one extra encoder call; its effect on the evaluation set is stated in the README.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

import numpy as np

from rag.collection import Collection
from rag.errors import QuestionError
from rag.query import Query
from rag.sentences import sentence_spans
from rag.types import Hit


class Reranker(Protocol):
    name: str

    def rerank(self, collection: Collection, query: Query, hits: list[Hit]) -> list[Hit]:
        """The same hits in a new order, ranks renumbered; never adds or drops a hit."""
        ...


class NoReranker:
    name = "none"

    def rerank(self, collection: Collection, query: Query, hits: list[Hit]) -> list[Hit]:
        return hits


class SentenceReranker:
    """Score = (1 − weight) × fused score (normalised to the best) + weight × best sentence cosine
    (normalised over the candidates), for the top `depth` hits; the rest keep their order below."""

    name = "sentence"

    def __init__(self, depth: int = 10, weight: float = 0.5):
        self.depth = depth
        self.weight = weight

    def rerank(self, collection: Collection, query: Query, hits: list[Hit]) -> list[Hit]:
        head, tail = hits[: self.depth], hits[self.depth:]
        if len(head) < 2 or collection.embedder is None:
            return hits
        sentences, owner = [], []
        for i, hit in enumerate(head):
            for s, e in sentence_spans(hit.chunk.text):
                sentences.append(hit.chunk.text[s:e])
                owner.append(i)
        vectors = collection.embedder.encode_documents(sentences)
        sims = vectors @ collection.query_vector(query.search_text)
        best = np.full(len(head), -1.0)
        for i, sim in zip(owner, sims):
            best[i] = max(best[i], float(sim))
        fused = np.array([h.score for h in head])
        fused = fused / fused.max() if fused.max() > 0 else fused
        spread = best.max() - best.min()
        sentence = (best - best.min()) / spread if spread > 1e-9 else np.zeros_like(best)
        score = (1 - self.weight) * fused + self.weight * sentence
        order = np.argsort(-score, kind="stable")
        reranked = [replace(head[i], score=float(score[i])) for i in order] + tail
        return [replace(h, rank=n + 1) for n, h in enumerate(reranked)]


def make_reranker(name: str | None) -> Reranker:
    if name in (None, "", "none"):
        return NoReranker()
    if name == "sentence":
        return SentenceReranker()
    raise QuestionError(f"Unknown reranker {name!r}; use none or sentence.")
