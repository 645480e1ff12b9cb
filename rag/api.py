"""The Python API: `Assistant(index_dir).ask(question)` and the shortcut `rag.ask(question)`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rag.answer import compose_answer
from rag.collection import Collection
from rag.query import make_filters, parse_question
from rag.rerank import make_reranker
from rag.retriever import Mode, search
from rag.store import default_index_dir
from rag.types import Answer


class Assistant:
    """Answers questions from one index; loads the index and the model once."""

    def __init__(self, index_dir: Path | str | None = None, model: str | None = None,
                 collection: Collection | None = None, rerank: str | None = None):
        self.collection = collection or Collection.load(Path(index_dir or default_index_dir()), model=model)
        self.reranker = make_reranker(rerank)

    def ask(self, question: str, k: int = 5, parties=(), doc_ids=(), types=(), since: str | None = None,
            until: str | None = None, mode: Mode = "hybrid") -> Answer:
        """The answer to `question`: the k best passages matching the filters, and a text.

        Filters: parties (names or aliases), document ids, document types, date range (ISO prefixes).
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        query = parse_question(question, make_filters(parties, doc_ids, types, since, until))
        hits = self.reranker.rerank(self.collection, query, search(self.collection, query, k, mode))
        return compose_answer(query, hits)


@lru_cache(maxsize=4)
def _assistant(index_dir: str | None, model: str | None) -> Assistant:
    return Assistant(index_dir, model)


def ask(question: str, index: Path | str | None = None, k: int = 5, party: str | list[str] | None = None,
        doc: str | list[str] | None = None, type: str | list[str] | None = None, since: str | None = None,
        until: str | None = None, model: str | None = None) -> Answer:
    """Answer one question from the index at `index` (default: the repository's `index/`)."""
    def listed(value):
        return [value] if isinstance(value, str) else list(value or [])

    return _assistant(str(index) if index else None, model).ask(
        question, k=k, parties=listed(party), doc_ids=listed(doc), types=listed(type), since=since, until=until)
