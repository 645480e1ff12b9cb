"""Where the searches run: the seam between retrieval and the engine that holds the vectors and terms.

`rag.retriever.candidates` asks a backend four things, over passage rows (row i is passage i of the
index; `rows` None means every passage):
- `dense_top(vector, n, rows, where)`: the n rows nearest the question's vector, best first;
- `lexical_top(text, n, rows, where)`: the n rows with the highest BM25 score (> 0), best first;
- `dense_scores(vector, rows)` / `lexical_scores(text, rows)`: both scores of given rows.
Fusion, filters, preferences and answers stay in the project's code, so every backend answers alike.
`where` (a `rag.query.Filters`, or None) says what `rows` are in the passages' own terms (party, type,
date, documents): a backend whose engine filters by metadata (Milvus) searches a wide subset by it
instead of by a list of every row; `rows` stays the truth, and both must name the same passages.

`LocalBackend` (the default) is the index folder itself: FAISS and the bm25s index. `MilvusBackend`
(`rag.milvus`) runs the same searches in Milvus; `make_backend("milvus:///path/kv.db")` (Milvus Lite)
or `make_backend("milvus://host:19530")` (a Milvus server or cluster) picks it.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from rag.dense import search_dense
from rag.errors import QuestionError


class SearchBackend(Protocol):
    name: str

    def dense_top(self, vector: np.ndarray, n: int, rows: np.ndarray | None, where=None) -> list[int]: ...

    def lexical_top(self, text: str, n: int, rows: np.ndarray | None, where=None) -> list[int]: ...

    def dense_scores(self, vector: np.ndarray, rows: np.ndarray) -> np.ndarray: ...

    def lexical_scores(self, text: str, rows: np.ndarray) -> np.ndarray: ...

    def count(self) -> int: ...


def top_rows(scores: np.ndarray, rows: np.ndarray, n: int, positive_only: bool) -> list[int]:
    """The rows of the n highest scores (`scores[i]` belongs to `rows[i]`), best first; ties by row."""
    order = np.argsort(-scores, kind="stable")[:n]
    return [int(rows[i]) for i in order if not positive_only or scores[i] > 0]


class LocalBackend:
    """The searches over the index folder: FAISS over every passage (exact over a filtered subset),
    bm25s scores of every passage for a text (kept for the last text: the four calls of one question
    share them)."""

    name = "local"

    def __init__(self, collection):
        self.collection = collection
        self._last: tuple[str, np.ndarray] | None = None

    def _bm25(self, text: str) -> np.ndarray:
        last = self._last  # one read: the interface answers several questions at once
        if last is None or last[0] != text:
            last = (text, self.collection.lexical.scores(text))
            self._last = last
        return last[1]

    def dense_top(self, vector: np.ndarray, n: int, rows: np.ndarray | None, where=None) -> list[int]:
        c = self.collection
        if rows is None:
            ids = search_dense(c.dense, c.vectors, vector[None, :], min(n, len(c.chunks)))
            return [int(i) for i in ids if i >= 0]
        return top_rows(np.asarray(c.vectors[rows]) @ vector, rows, n, positive_only=False)

    def lexical_top(self, text: str, n: int, rows: np.ndarray | None, where=None) -> list[int]:
        bm25 = self._bm25(text)
        if rows is None:
            return top_rows(bm25, np.arange(len(bm25)), n, positive_only=True)
        return top_rows(bm25[rows], rows, n, positive_only=True)

    def dense_scores(self, vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.collection.vectors[rows]) @ vector

    def lexical_scores(self, text: str, rows: np.ndarray) -> np.ndarray:
        return self._bm25(text)[rows]

    def count(self) -> int:
        return len(self.collection.chunks)


def parse_backend(uri: str | None) -> tuple[str, str | None]:
    """("local", None) or ("milvus", URI for pymilvus): "milvus:///abs/path.db" is Milvus Lite in that
    file, "milvus://host:port" a Milvus server (http)."""
    if not uri or uri == "local":
        return "local", None
    if uri.startswith("milvus://"):
        rest = uri[len("milvus://"):]
        if rest.startswith("/"):
            return "milvus", rest
        if rest:
            return "milvus", f"http://{rest}"
    raise QuestionError(f"Unknown backend {uri!r}; use local, milvus:///path/to/file.db (Milvus Lite) or "
                        f"milvus://host:19530 (a Milvus server).")


def server_address(uri: str | None) -> str | None:
    """The backend URI when it names a Milvus server (which Ray's workers can write to), else None:
    the local index, or a Milvus Lite file (one process's)."""
    target = parse_backend(uri)[1]
    return uri if target and target.startswith("http") else None


def make_backend(collection, uri: str | None) -> SearchBackend:
    """The backend `uri` names for this collection (see `parse_backend`)."""
    kind, target = parse_backend(uri)
    if kind == "local":
        return LocalBackend(collection)
    from rag.milvus import MilvusBackend

    return MilvusBackend.open(target, collection)
