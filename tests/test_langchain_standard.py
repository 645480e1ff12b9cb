"""langchain-tests' standard retriever suite against `HybridRetriever` (the core document on the fake
model): invoke/ainvoke return Documents, `k` in the constructor and in `invoke(q, k=…)` is honoured."""

from __future__ import annotations

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from rag.collection import Collection
from rag.retriever import HybridRetriever


class TestHybridRetrieverStandard(RetrieversIntegrationTests):
    collection: Collection | None = None

    @pytest.fixture(autouse=True)
    def _with_collection(self, core_collection):
        type(self).collection = core_collection

    @property
    def retriever_constructor(self) -> type[HybridRetriever]:
        return HybridRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"collection": self.collection, "k": 5}

    @property
    def retriever_query_example(self) -> str:
        return "Wat vroeg JA21 over de Letter of Intent met Oeganda?"


def test_invoke_k_overrides_the_constructor_k(core_collection):
    retriever = HybridRetriever(collection=core_collection, k=5)
    question = "Wat vroeg JA21 over de Letter of Intent met Oeganda?"
    assert len(retriever.invoke(question, k=1)) == 1
    assert len(retriever.invoke(question)) == 5
    assert retriever.invoke(question, k=2)[0].page_content == retriever.invoke(question)[0].page_content
