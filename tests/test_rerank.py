"""Rerankers reorder, never add or drop; unknown names are refused."""

from __future__ import annotations

import pytest

from rag.errors import QuestionError
from rag.query import parse_question
from rag.rerank import NoReranker, SentenceReranker, make_reranker
from rag.retriever import search


@pytest.fixture(scope="module")
def collection(core_collection):
    return core_collection


def test_sentence_reranker_keeps_the_same_hits_renumbered(collection):
    query = parse_question("Oeganda Letter of Intent transithub")
    hits = search(collection, query, 12)
    reranked = SentenceReranker(depth=8).rerank(collection, query, hits)
    assert sorted(h.chunk.chunk_id for h in reranked) == sorted(h.chunk.chunk_id for h in hits)
    assert [h.rank for h in reranked] == list(range(1, 13))
    assert [h.chunk.chunk_id for h in reranked[8:]] == [h.chunk.chunk_id for h in hits[8:]]
    assert "Oeganda" in reranked[0].chunk.text


def test_no_reranker_is_the_identity(collection):
    query = parse_question("terugkeer")
    hits = search(collection, query, 5)
    assert NoReranker().rerank(collection, query, hits) is hits


def test_reranker_names():
    assert make_reranker(None).name == "none" and make_reranker("sentence").name == "sentence"
    with pytest.raises(QuestionError, match="Unknown reranker"):
        make_reranker("colbert")
