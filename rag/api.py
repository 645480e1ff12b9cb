"""The Python API: `Assistant(index_dir).ask(question)` and the shortcut `rag.ask(question)`."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from rag.answer import TEXTS, language

from rag.chain import build_chain
from rag.collection import Collection
from rag.llm import chat_model_from_env
from rag.followup import searched_question
from rag.query import clean_question, make_filters
from rag.rerank import make_reranker
from rag.retriever import Mode
from rag.store import default_index_dir, index_location, is_remote
from rag.types import Answer


RECHECK_SECONDS = float(os.environ.get("RAG_RECHECK_SECONDS", "10"))  # how often a query node looks for a new build


class Assistant:
    """Answers questions from one index; loads the index and the model once."""

    def __init__(self, index_dir: Path | str | None = None, model: str | None = None,
                 collection: Collection | None = None, rerank: str | None = None, chat_model=None,
                 backend: str | None = None):
        """`backend`: where the searches run ("local", "milvus:///path.db", "milvus://host:port";
        `rag.search_backend`)."""
        self.backend = backend
        # a folder, or "milvus://…" (`rag.milvus_index`)
        self.collection = collection or Collection.load(index_location(index_dir) if index_dir else default_index_dir(),
                                                        model=model)
        if backend:
            self.collection.use_backend(backend)
        self.reranker = make_reranker(rerank)
        self.rerank = rerank or "none"
        # None: the model $RAG_CHAT_MODEL names (if any); False: none, whatever the environment says.
        self.chat_model = chat_model_from_env() if chat_model is None else (chat_model or None)
        self._chains: dict[str, object] = {}
        self._checked = time.monotonic()
        self._reloading = threading.Lock()

    def reload(self) -> None:
        """Open the index again (after a build), keeping the loaded model."""
        old = self.collection
        self.collection = Collection.load(old.index_dir, embedder=old.embedder)
        if self.backend:
            self.collection.use_backend(self.backend)
        self._chains = {}

    def _follow_remote(self) -> None:
        """An index served from Milvus is published anew by another machine: at most every
        RECHECK_SECONDS, see whether a newer build is there, and load it (its term ids, passages and
        documents belong together)."""
        if not is_remote(self.collection.index_dir) or time.monotonic() - self._checked < RECHECK_SECONDS:
            return
        with self._reloading:
            if time.monotonic() - self._checked < RECHECK_SECONDS:
                return  # another question's thread just looked
            self._checked = time.monotonic()
            if not self.collection.is_current():
                self.reload()

    def chain(self, mode: Mode = "hybrid"):
        """The langchain-core Runnable that answers (see `rag.chain`)."""
        if mode not in self._chains:
            self._chains[mode] = build_chain(self.collection, mode=mode, reranker=self.reranker,
                                             chat_model=self.chat_model)
        return self._chains[mode]

    def ask(self, question: str, k: int = 5, parties=(), doc_ids=(), types=(), since: str | None = None,
            until: str | None = None, mode: Mode = "hybrid", history: Sequence[str] = ()) -> Answer:
        """The answer to `question`: the k best passages matching the filters, and a text.

        Filters: parties (names or aliases), document ids, document types, date range (ISO prefixes).
        `history`: the user's earlier questions in this conversation; a follow-up ("En de VVD?") is
        resolved against them (`rag.followup`), and the answer says what was searched.
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        self._follow_remote()
        filters = make_filters(parties, doc_ids, types, since, until)
        turn = clean_question(question)
        searched = searched_question([h for h in history if h and h.strip()], turn).question if history else turn
        answer = self.chain(mode).invoke({"question": searched, "filters": filters, "k": k})["answer"]
        if searched == turn:
            return answer
        label = TEXTS[language(searched)]["searched"]
        return replace(answer, asked=turn, text=f"_{label}: {searched}_\n\n{answer.text}")


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
