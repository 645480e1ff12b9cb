"""The Python API: `Assistant(index_dir).ask(question)` and the shortcut `rag.ask(question)`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from rag.answer import compose_answer
from rag.collection import Collection
from rag.query import parse_question
from rag.retriever import Mode, search
from rag.store import default_index_dir
from rag.types import Answer


class Assistant:
    """Answers questions from one index; loads the index and the model once."""

    def __init__(self, index_dir: Path | str | None = None, model: str | None = None,
                 collection: Collection | None = None):
        self.collection = collection or Collection.load(Path(index_dir or default_index_dir()), model=model)

    def ask(self, question: str, k: int = 5, parties: tuple[str, ...] | list[str] = (),
            doc_ids: tuple[str, ...] | list[str] = (), mode: Mode = "hybrid") -> Answer:
        """The answer to `question`: the k best passages (filtered by parties/documents) and a text."""
        if k < 1:
            raise ValueError("k must be at least 1")
        query = parse_question(question, tuple(parties), tuple(doc_ids))
        return compose_answer(query, search(self.collection, query, k, mode))


@lru_cache(maxsize=4)
def _assistant(index_dir: str | None, model: str | None) -> Assistant:
    return Assistant(index_dir, model)


def ask(question: str, index: Path | str | None = None, k: int = 5, party: str | list[str] | None = None,
        model: str | None = None) -> Answer:
    """Answer one question from the index at `index` (default: the repository's `index/`)."""
    parties = [party] if isinstance(party, str) else list(party or [])
    return _assistant(str(index) if index else None, model).ask(question, k=k, parties=parties)
