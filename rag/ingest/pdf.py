"""PDF: the text layer of each page, via pypdf, as lines; page numbers are the PDF's own."""

from __future__ import annotations

import io
import logging

from rag.errors import DocumentError
from rag.types import RawPage


def read(data: bytes) -> tuple[list[RawPage], dict]:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as exc:  # pragma: no cover - pypdf is a dependency
        raise DocumentError("reading PDFs needs pypdf: pip install pypdf") from exc
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("PDF is encrypted")
        pages = [RawPage(number=i + 1, lines=tuple((p.extract_text() or "").split("\n")))
                 for i, p in enumerate(reader.pages)]
        info = reader.metadata or {}
        title = str(info.get("/Title") or "").strip()
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DocumentError(f"PDF cannot be read ({type(exc).__name__}: {exc})") from exc
    if not any(line.strip() for page in pages for line in page.lines):
        raise DocumentError("PDF has no text layer (scanned images need OCR first)")
    return pages, ({"title": title} if title else {})
