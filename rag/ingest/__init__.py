"""Readers: one per file format, each turning a file into a `Source` (pages of lines + metadata).

`read_source(path)` picks the reader by extension; `SUPPORTED` lists the extensions. A reader
raises `DocumentError` with the reason when a file cannot be read; the build reports it and goes on.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rag.errors import DocumentError
from rag.types import Source

MAX_FILE_BYTES = 50 * 1024 * 1024


def _modules():
    from rag.ingest import html, pdf, text, xml

    return {".txt": text, ".pdf": pdf, ".xml": xml, ".html": html, ".htm": html}


def _readers():
    return {suffix: module.read for suffix, module in _modules().items()}


def parser_version(path: Path) -> str:
    """Which code turns this file into passages: its reader's and the structure rules' versions.

    Stored with every indexed document; a document is embedded again when this changes.
    """
    from rag.structure import STRUCTURE_VERSION

    module = _modules().get(Path(path).suffix.lower())
    return f"{module.__name__.rsplit('.', 1)[-1]}-{module.VERSION}+structure-{STRUCTURE_VERSION}" if module else ""


SUPPORTED = (".txt", ".pdf", ".xml", ".html", ".htm")
STRUCTURED = (".xml", ".html", ".htm")


def read_source(path: Path) -> Source:
    """Read one file into a `Source`, merging metadata from a sidecar `<file>.json` if present."""
    path = Path(path)
    reader = _readers().get(path.suffix.lower())
    if reader is None:
        raise DocumentError(f"unsupported file type {path.suffix or '(none)'}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DocumentError(f"file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read file ({exc.strerror or exc})") from exc
    if not data.strip():
        raise DocumentError("file is empty")
    content, meta = reader(data)
    meta = {**{k: v for k, v in meta.items() if v}, **read_sidecar(path)}
    sha = hashlib.sha256(data + sidecar_bytes(path)).hexdigest()
    if path.suffix.lower() in STRUCTURED:
        return Source(path=str(path), sha256=sha, meta=meta, blocks=tuple(content))
    return Source(path=str(path), sha256=sha, pages=tuple(content), meta=meta)


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def sidecar_bytes(path: Path) -> bytes:
    side = sidecar_path(path)
    return side.read_bytes() if side.is_file() else b""


def read_sidecar(path: Path) -> dict:
    """Metadata from `<file>.json` beside the file (title, type, date, dossier, number, doc_id, first_page)."""
    raw = sidecar_bytes(path)
    if not raw:
        return {}
    try:
        meta = json.loads(raw)
    except ValueError as exc:
        raise DocumentError(f"sidecar {sidecar_path(path).name} is not valid JSON ({exc})") from exc
    if not isinstance(meta, dict):
        raise DocumentError(f"sidecar {sidecar_path(path).name} must hold a JSON object")
    return meta
