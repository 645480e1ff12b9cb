"""The index on disk: plain files plus a manifest, written atomically and checked on load.

    INDEX_DIR/CURRENT              name of the active build (replaced atomically)
    INDEX_DIR/builds/<id>/         manifest.json, chunks.jsonl, documents.jsonl,
                                   vectors.npy, dense.faiss, bm25/
    INDEX_DIR/.lock                held by a build

Row i of chunks.jsonl = row i of vectors.npy = FAISS id i = BM25 document i.
A build writes a new folder and then replaces CURRENT, so a reader, or a build killed at any
moment, never sees a half-written index. The build it replaces is kept until the next build, so
readers that opened it keep reading it; older ones are removed.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from rag.dense import choose_kind, make_dense_index
from rag.errors import IndexMismatchError, IndexMissingError
from rag.types import Chunk

FORMAT_VERSION = 1
FILES = ("manifest.json", "chunks.jsonl", "documents.jsonl", "vectors.npy", "dense.faiss")


def is_remote(index) -> bool:
    """Whether an index location names a Milvus ("milvus://…", `rag.milvus_index`) rather than a folder."""
    return isinstance(index, str) and index.startswith("milvus://")


def index_location(value: str | Path) -> Path | str:
    """An index's location as given (an option, $RAG_INDEX): a Milvus URI as it is, else a folder."""
    return value if is_remote(value) else Path(value)


def default_index_dir() -> Path | str:
    """`$RAG_INDEX` (a folder, or a Milvus URI), else `index/` of the repository checkout this package
    runs from, else ./index."""
    if os.environ.get("RAG_INDEX"):
        return index_location(os.environ["RAG_INDEX"])
    repo_index = Path(__file__).resolve().parents[1] / "index"
    return repo_index if repo_index.is_dir() else Path("index")


def rebuild_hint(index_dir: Path) -> str:
    return f"rebuild it with `rag index PATH... --index {index_dir} --rebuild`"


@dataclass(frozen=True)
class DocRecord:
    """A document as stored: metadata, normalised text, page starts and footnotes."""

    doc_id: str
    title: str
    doc_type: str
    date: str | None
    source: str
    sha256: str
    text: str
    page_starts: tuple[int, ...]
    first_page: int
    notes: tuple[tuple[int, str], ...]
    parties: tuple[str, ...]
    passages: int
    dossier: str | None = None
    number: str | None = None
    parser: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, line: str) -> "DocRecord":
        d = json.loads(line)
        d["page_starts"] = tuple(d["page_starts"])
        d["notes"] = tuple(tuple(n) for n in d["notes"])
        d["parties"] = tuple(d["parties"])
        return cls(**d)


def chunk_to_json(chunk: Chunk) -> str:
    return json.dumps(asdict(chunk), ensure_ascii=False)


# Fields many passages share (a document's title, type and date; a party; a section): one string for
# all of them, not one per passage.
_SHARED = ("doc_id", "party", "section", "title", "doc_type", "date", "speaker", "role", "speaker_role", "attribution",
           "subjects")


def chunk_from_json(line: str) -> Chunk:
    d = json.loads(line)
    d["notes"] = tuple(d["notes"])
    d["mentions"] = tuple(sys.intern(m) for m in d.get("mentions", ()))
    for field in _SHARED:
        if isinstance(d.get(field), str):
            d[field] = sys.intern(d[field])
    return Chunk(**d)


def build_info(seconds: float) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for pkg in ("kamervragen", "sentence-transformers", "faiss-cpu", "bm25s", "torch"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    return {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "seconds": round(seconds, 3),
        "python": platform.python_version(), "machine": platform.machine(), "versions": versions,
    }


NPY_HEADER_BYTES = 128


def _npy_header(rows: int, dim: int) -> bytes:
    """A version-1.0 .npy header for a float32 [rows × dim] array, always NPY_HEADER_BYTES long,
    so it can be written first and rewritten with the final row count."""
    text = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, dim)
    text = text.ljust(NPY_HEADER_BYTES - 10 - 1) + "\n"
    return b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode("latin1")


class BuildWriter:
    """Writes one build folder as documents and vectors come in; `commit()` makes it current.

    Vectors go to disk batch by batch, so a build holds no more than one batch in memory.
    """

    def __init__(self, index_dir: Path):
        self.index_dir = Path(index_dir)
        builds = self.index_dir / "builds"
        builds.mkdir(parents=True, exist_ok=True)
        self.build_id = f"{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
        self.folder = builds / f"{self.build_id}.partial"
        self.folder.mkdir()
        self._chunks = (self.folder / "chunks.jsonl").open("w", encoding="utf-8")
        self._docs = (self.folder / "documents.jsonl").open("w", encoding="utf-8")
        self._vectors = (self.folder / "vectors.npy").open("wb")
        self._vectors.write(_npy_header(0, 0))
        self.rows = 0
        self.dim: int | None = None

    def add_document(self, record: DocRecord, chunks: Iterable[Chunk]) -> None:
        self._docs.write(record.to_json() + "\n")
        for chunk in chunks:
            self._chunks.write(chunk_to_json(chunk) + "\n")

    def add_vectors(self, vectors: np.ndarray) -> None:
        """Append rows (float32, [n × dim]) in passage order."""
        if not len(vectors):
            return
        vectors = np.ascontiguousarray(vectors, dtype="<f4")
        if self.dim is None:
            self.dim = vectors.shape[1]
        elif vectors.shape[1] != self.dim:
            raise ValueError(f"vector dimension {vectors.shape[1]} differs from {self.dim}")
        self._vectors.write(vectors.tobytes())
        self.rows += len(vectors)

    def close_files(self) -> None:
        self._vectors.seek(0)
        self._vectors.write(_npy_header(self.rows, self.dim or 0))
        for f in (self._chunks, self._docs, self._vectors):
            f.flush()
            os.fsync(f.fileno())
            f.close()

    def commit(self, lexical, manifest: dict) -> Path:
        import faiss

        vectors = np.load(self.folder / "vectors.npy", mmap_mode="r")
        kind = choose_kind(len(vectors))
        faiss.write_index(make_dense_index(vectors, kind), str(self.folder / "dense.faiss"))
        lexical.save(self.folder / "bm25")
        manifest = {**manifest, "format_version": FORMAT_VERSION, "build_id": self.build_id, "dense": {"kind": kind},
                    "files": {name: (self.folder / name).stat().st_size for name in FILES if name != "manifest.json"}}
        _write_atomic(self.folder / "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        _fsync_dir(self.folder)
        final = self.folder.with_name(self.build_id)
        self.folder.rename(final)
        try:
            previous = current_build(self.index_dir)
        except (IndexMissingError, IndexMismatchError):
            previous = None
        _write_atomic(self.index_dir / "CURRENT", self.build_id + "\n")
        _fsync_dir(self.index_dir)
        # The build just replaced stays: a reader that opened it (a `rag ask` loading its model, a
        # service between questions) reads its files lazily and must still find them.
        self._remove_old(keep={final, previous})
        return final

    def abort(self) -> None:
        for f in (self._chunks, self._docs, self._vectors):
            if not f.closed:
                f.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _remove_old(self, keep: set[Path | None]) -> None:
        for folder in (self.index_dir / "builds").iterdir():
            if folder not in keep:
                shutil.rmtree(folder, ignore_errors=True)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(3)}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_build(index_dir: Path) -> Path:
    """The folder of the active build; a clear error when there is none."""
    index_dir = Path(index_dir)
    pointer = index_dir / "CURRENT"
    if not pointer.is_file():
        raise IndexMissingError(f"No index at {index_dir}; build one with `rag index PATH... --index {index_dir}`.")
    folder = index_dir / "builds" / pointer.read_text(encoding="utf-8").strip()
    if not folder.is_dir():
        raise IndexMismatchError(f"The index at {index_dir} names a build that is missing ({folder.name}); "
                                 f"{rebuild_hint(index_dir)}.")
    return folder


def read_manifest(index_dir: Path) -> tuple[Path, dict]:
    """The active build's folder and manifest, checked for format and completeness."""
    folder = current_build(index_dir)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexMismatchError(f"The index manifest {folder / 'manifest.json'} is unreadable ({exc}); "
                                 f"{rebuild_hint(index_dir)}.") from exc
    if not isinstance(manifest, dict) or manifest.get("format_version") != FORMAT_VERSION:
        found = manifest.get("format_version") if isinstance(manifest, dict) else None
        raise IndexMismatchError(f"The index at {index_dir} has format version {found}, this program reads "
                                 f"{FORMAT_VERSION}; {rebuild_hint(index_dir)}.")
    for name, size in manifest.get("files", {}).items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != size:
            raise IndexMismatchError(f"The index file {path} is missing or damaged (size differs from the "
                                     f"manifest); {rebuild_hint(index_dir)}.")
    return folder, manifest


def iter_jsonl(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield line
