"""Index builds: files → documents → passages → vectors, written as a new build of the index.

Incremental: a document whose file (and sidecar) is byte-for-byte unchanged since the previous
build keeps its passages and vectors; only new or changed documents are parsed and embedded, and
documents whose files are gone are dropped. One build at a time (a lock); readers are never blocked.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from filelock import FileLock, Timeout

from rag.attribution import MemberTable, year_of
from rag.chunking import ChunkSettings, chunk_document
from rag.collection import Collection
from rag.embedding import Embedder, make_embedder
from rag.errors import DocumentError, IndexLockedError, RagError
from rag.ingest import SUPPORTED, parser_version, read_source, sidecar_bytes
from rag.lexical import BM25_SETTINGS, LexicalIndex
from rag.milvus import passage_record
from rag.store import BuildWriter, DocRecord, build_info
from rag.structure import build_document
from rag.types import INDEX_TABLE, Chunk

EMBED_BATCH = 256  # passages per encode call: enough for length-sorted batches
ENCODE_BATCH = 8  # the encoder's own batch (also on Ray: the same vectors)


@dataclass
class BuildReport:
    documents: int = 0
    passages: int = 0
    embedded_documents: int = 0
    embedded_passages: int = 0
    reused_documents: int = 0
    kept_passages: int = 0  # passages of changed documents whose text, unchanged, kept its vector
    dropped_documents: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    index_bytes: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    folder: str = ""
    unchanged: bool = False
    sent_to_backend: int = 0  # passages Ray's workers wrote to Milvus themselves

    @property
    def passages_per_second(self) -> float:
        return self.embedded_passages / self.seconds if self.seconds else 0.0


def uploads_dir(index_dir: Path) -> Path:
    """Where files added through the chat interface are kept; every build indexes them too."""
    return Path(index_dir) / "uploads"


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Files to index under `paths` (sorted), and the entries passed over with the reason.

    Hidden files and folders (".git", ".DS_Store") are left out; links to folders are not followed,
    so a link loop cannot trap the build; a broken link is reported.
    """
    files: list[Path] = []
    skipped: list[tuple[str, str]] = []
    for root in map(Path, paths):
        if not root.exists():
            raise RagError(f"No such file or folder: {root}.")
        candidates = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in candidates:
            if root.is_dir() and any(part.startswith(".") for part in path.relative_to(root).parts):
                continue
            if path.is_symlink() and not path.exists():
                skipped.append((str(path), "broken symbolic link"))
            elif path.is_dir():
                if path.is_symlink():
                    skipped.append((str(path), "symbolic link to a folder, not followed"))
            elif not path.is_file():
                skipped.append((str(path), "not a regular file"))
            elif path.suffix.lower() in SUPPORTED:
                files.append(path)
            elif path.suffix.lower() == ".json" and path.with_suffix("").suffix.lower() in SUPPORTED:
                continue  # a sidecar: read with its document
            else:
                skipped.append((str(path), f"unsupported file type {path.suffix or '(none)'}"))
    return files, skipped


def _file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes() + sidecar_bytes(path)).hexdigest()


def _previous(index_dir: Path, embedder: Embedder, settings: ChunkSettings) -> Collection | None:
    """The current build, if it exists and was made with the same model and chunker."""
    try:
        previous = Collection.load(index_dir, embedder=embedder, check_lexical=False)
    except RagError:
        return None
    if previous.manifest.get("chunker") != settings.to_dict():
        return None
    return previous


def build_index(
    paths: Iterable[Path],
    index_dir: Path,
    embedder: Embedder | None = None,
    settings: ChunkSettings = ChunkSettings(),
    rebuild: bool = False,
    progress: Callable[[str, int, int, BuildReport], None] | None = None,
    executor=None,
) -> BuildReport:
    """Index the files under `paths` into `index_dir`, reusing unchanged documents unless `rebuild`.
    `executor` (`rag.ray_ingest.RayExecutor`): parse and embed on Ray; the result is the same."""
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    index_dir = Path(index_dir)
    uploads = uploads_dir(index_dir)
    if uploads.is_dir() and uploads.resolve() not in {p.resolve() for p in paths}:
        paths.append(uploads)  # files added in the chat interface stay indexed whatever is indexed next
    index_dir.mkdir(parents=True, exist_ok=True)
    embedder = embedder or make_embedder()
    lock = FileLock(str(index_dir / ".lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise IndexLockedError(f"Another build is running on {index_dir}; wait for it to finish.") from exc
    try:
        files, skipped = discover(paths)
        report = BuildReport(skipped=skipped)
        previous = None if rebuild else _previous(index_dir, embedder, settings)
        if previous is not None and _same_files(files, previous):
            return _unchanged_report(previous, report, started)
        writer = BuildWriter(index_dir)
        try:
            hashes, lexical = _write_documents(files, writer, previous, embedder, settings, report, progress,
                                               executor)
            writer.close_files()
            if not writer.rows:
                listed = ", ".join(str(p) for p in paths)
                raise RagError(f"Nothing to index under {listed}: no passages in {report.documents} readable "
                               f"documents ({len(report.skipped)} files skipped); the index is unchanged.")
            manifest = {
                "model": {"name": embedder.name, "dim": int(writer.dim), "dtype": embedder.dtype,
                          "engine": getattr(embedder, "engine", "none")},
                "chunker": settings.to_dict(),
                "bm25": BM25_SETTINGS,
                "counts": {"documents": report.documents, "passages": writer.rows},
                "roots": [str(Path(p).resolve()) for p in paths],
                "documents": hashes,
            }
            report.seconds = time.perf_counter() - started
            manifest["build"] = build_info(report.seconds)
            folder = writer.commit(lexical, manifest)
        except BaseException:
            writer.abort()
            raise
        report.passages = writer.rows
        report.dropped_documents = len(set(previous.documents) - set(hashes)) if previous else 0
        report.folder = str(folder)
        report.index_bytes = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        report.seconds = time.perf_counter() - started
        return report
    finally:
        lock.release()


def _same_files(files: list[Path], previous: Collection) -> bool:
    """Whether the files are exactly those of the previous build, byte for byte."""
    known = {r.source: (r.sha256, r.parser) for r in previous.documents.values()}
    if previous.manifest.get("bm25") != BM25_SETTINGS or set(known) != {str(p) for p in files}:
        return False
    try:
        return all((_file_hash(p), parser_version(p)) == known[str(p)] for p in files)
    except OSError:
        return False


def _unchanged_report(previous: Collection, report: BuildReport, started: float) -> BuildReport:
    report.unchanged = True
    report.documents = report.reused_documents = len(previous.documents)
    report.passages = len(previous.chunks)
    report.folder = str(previous.folder)
    report.index_bytes = sum(p.stat().st_size for p in previous.folder.rglob("*") if p.is_file())
    report.seconds = time.perf_counter() - started
    return report


def _write_documents(files, writer, previous, embedder, settings, report, progress, executor=None):
    """Write every document and its passages and vectors; returns ({doc_id: {source, sha256}}, the BM25
    index of all passages, or None when there are none).

    Two passes: the first reads every new or changed file and gathers the index-wide member table
    (`rag.attribution.MemberTable`) from all documents, kept or new; the second gives members whose
    party their own document does not state the party the table knows for that period, then
    embeds and writes. `executor` (`rag.ray_ingest.RayExecutor`): parse and embed there instead; with
    a `sink` (a Milvus server), its workers also write the passages they embed to Milvus.
    """
    by_source = {r.source: r for r in previous.documents.values()} if previous else {}
    prev_rows: dict[str, list[int]] = {}
    if previous:
        for row, chunk in enumerate(previous.chunks):
            prev_rows.setdefault(chunk.doc_id, []).append(row)
    entries: list[tuple[Path, object]] = []  # (path, reused DocRecord or new Document)
    members = MemberTable()
    used_ids: set[str] = set()
    for path, entry in _read_all(files, by_source, used_ids, report, progress, executor):
        entries.append((path, entry))
        year = year_of(entry.date)
        members.add_text(entry.text, year)
        if isinstance(entry, DocRecord):
            for row in prev_rows.get(entry.doc_id, ()):
                c = previous.chunks[row]
                from_index = (c.attribution or "").startswith(INDEX_TABLE)
                if c.speaker and c.party and c.speaker_role == "member" and not from_index:
                    members.add(c.speaker, c.party, year)
        else:
            for b in entry.blocks:
                if b.speaker and b.party and b.speaker_role == "member":
                    members.add(b.speaker, b.party, year)

    # Every document's record and passages first: BM25 needs them all (the mean passage length), and
    # Ray's workers that write to Milvus need each passage's BM25 parts with its text.
    planned: list[tuple[Path, DocRecord, list[Chunk], list[int] | None]] = []  # reused rows, or None: new
    for path, entry in entries:
        if isinstance(entry, DocRecord):
            rows = prev_rows.get(entry.doc_id, [])
            planned.append((path, entry, [_with_index_party(previous.chunks[r], members) for r in rows], rows))
            continue
        doc = entry
        chunks = [_with_index_party(c, members) for c in chunk_document(doc, settings)]
        record = DocRecord(
            doc_id=doc.doc_id, title=doc.title, doc_type=doc.doc_type, date=doc.date, source=str(path),
            sha256=doc.sha256, text=doc.text, page_starts=doc.page_starts, first_page=doc.first_page,
            notes=tuple((n.number, n.text) for n in doc.notes), parties=doc.parties,
            passages=len(chunks), dossier=doc.dossier, number=doc.number, parser=parser_version(path),
        )
        planned.append((path, record, chunks, None))
    texts = [c.embed_text for _, _, chunks, _ in planned for c in chunks]
    known = previous.lexical.vocabulary()[0] if previous is not None else None  # term ids kept (`LexicalIndex.build`)
    lexical = LexicalIndex.build(texts, known) if texts else None
    sink = getattr(executor, "sink", None)
    parts = lexical.passage_parts() if sink and lexical is not None else None

    hashes: dict[str, dict] = {}
    pending: list[tuple[int, Chunk]] = []  # (row, passage) to embed
    kept = _vector_rows(previous) if executor is None else {}

    def flush():
        if pending:
            t0 = time.perf_counter()
            if executor:
                batch = [c.embed_text for _, c in pending]
                records = ([passage_record(c, parts.getrow(row), row) for row, c in pending]
                           if parts is not None else None)
                vectors = executor.embed(batch, records)
                report.sent_to_backend += len(records or ())
                report.embedded_passages += len(pending)
            else:
                old = [kept.get(c.embed_text) for _, c in pending]
                new = [c.embed_text for (_, c), r in zip(pending, old) if r is None]
                fresh = embedder.encode_documents(new, batch_size=ENCODE_BATCH) if new else None
                vectors = _in_order(old, fresh, previous)
                report.embedded_passages += len(new)
                report.kept_passages += len(pending) - len(new)
            writer.add_vectors(vectors)
            report.embed_seconds += time.perf_counter() - t0
            pending.clear()

    row = 0
    for i, (path, record, chunks, rows) in enumerate(planned):
        if progress:
            progress(str(path), i, len(planned), report)
        if rows is not None:
            flush()  # vector rows must stay in passage order
            writer.add_vectors(np.asarray(previous.vectors[rows], dtype=np.float32))
            report.reused_documents += 1
        else:
            pending.extend(zip(range(row, row + len(chunks)), chunks))
            report.embedded_documents += 1
            if len(pending) >= EMBED_BATCH:
                flush()
        row += len(chunks)
        writer.add_document(record, chunks)
        hashes[record.doc_id] = {"source": record.source, "sha256": record.sha256}
        report.documents += 1
    flush()
    if progress:
        progress("", len(files), len(files), report)
    return hashes, lexical


def _vector_rows(previous: Collection | None) -> dict[str, int]:
    """The previous build's row of each text it embedded: a parser change re-reads every document, but a
    passage whose text to embed is the same keeps its vector (the same model: `_previous`), so a rebuild
    embeds only what changed. Not with an executor, whose workers also write what they embed to its backend."""
    rows: dict[str, int] = {}
    for row, chunk in enumerate(previous.chunks if previous is not None else ()):
        rows.setdefault(chunk.embed_text, row)
    return rows


def _in_order(old: list[int | None], fresh: np.ndarray | None, previous: Collection | None) -> np.ndarray:
    """The vectors of a batch in passage order: the previous build's row where `old` names one, else the next
    fresh vector."""
    if fresh is None:
        return np.asarray(previous.vectors[old], dtype=np.float32)
    out = np.empty((len(old), fresh.shape[1]), dtype=np.float32)
    new = [i for i, r in enumerate(old) if r is None]
    out[new] = fresh
    reused = [i for i, r in enumerate(old) if r is not None]
    if reused:
        out[reused] = previous.vectors[[old[i] for i in reused]]
    return out


def _read_all(files, by_source: dict, used_ids: set[str], report: BuildReport, progress, executor=None):
    """(path, reused DocRecord or parsed Document) for every readable file, in order; the others are
    reported as skipped. Parsing runs here, or in the executor's workers, all files at once."""
    planned: list[tuple[Path, object]] = []
    for i, path in enumerate(files):
        if progress:
            progress(str(path), i, len(files), report)
        plan = _plan(path, by_source, used_ids, report)
        if plan is None:
            continue
        used_ids.add(plan if isinstance(plan, str) else plan.doc_id)
        planned.append((path, plan))
    jobs = [(str(path), plan) for path, plan in planned if isinstance(plan, str)]
    parsed = iter(executor.parse(jobs)) if executor else None
    for path, plan in planned:
        if not isinstance(plan, str):
            yield path, plan
            continue
        entry = next(parsed) if parsed is not None else parse_document(str(path), plan)
        if isinstance(entry, tuple):
            report.skipped.append(entry)
            continue
        if entry.doc_id != plan:  # the sidecar named it
            if entry.doc_id in used_ids:  # another file's (a copy with its sidecar): this one keeps its own
                entry = replace(entry, doc_id=plan)
            else:
                used_ids.add(entry.doc_id)
        yield path, entry


def parse_document(path: str, doc_id: str):
    """One file parsed (here, or in a Ray task): its Document, or (path, why it is skipped)."""
    try:
        return build_document(read_source(Path(path)), doc_id=doc_id)
    except DocumentError as exc:
        return (path, str(exc))
    except (RecursionError, MemoryError, ValueError, IndexError, KeyError, AttributeError, TypeError) as exc:
        # One file that trips the parser must not stop the build: it is reported instead.
        return (path, f"cannot be parsed ({type(exc).__name__}: {str(exc)[:120]})")


def _plan(path: Path, by_source: dict, used_ids: set[str], report: BuildReport):
    """The previous build's record of an unchanged file, or the doc id to parse it under; None
    (reported) if unreadable."""
    try:
        sha = _file_hash(path)
    except OSError as exc:
        report.skipped.append((str(path), f"cannot read file ({exc.strerror or exc})"))
        return None
    old = by_source.get(str(path))
    if old is not None and old.sha256 == sha and old.parser == parser_version(path) and old.doc_id not in used_ids:
        return old
    return _unique_id(path, used_ids)


def _with_index_party(chunk: Chunk, members: MemberTable) -> Chunk:
    """A member's passage without a party from its own document gets the index-wide table's party."""
    from_index = (chunk.attribution or "").startswith(INDEX_TABLE)
    if not chunk.speaker or (chunk.party and not from_index) or chunk.speaker_role != "member":
        return chunk
    found = members.party_of(chunk.speaker, year_of(chunk.date))
    if found is None:
        return replace(chunk, party=None, attribution="member named, party unknown") if from_index else chunk
    party, how = found
    return replace(chunk, party=party, attribution=how)


def _unique_id(path: Path, used) -> str:
    base = path.stem
    if base not in used:
        return base
    return f"{base}-{hashlib.sha256(str(path).encode()).hexdigest()[:6]}"
