"""PDF: the text layer of each page, via pypdf, as lines; page numbers are the PDF's own."""

from __future__ import annotations

import io
import logging

from rag.errors import DocumentError
from rag.types import RawPage

VERSION = 1  # bump when this reader's output changes: documents read by it are indexed again


def _page_lines(page) -> list[str]:
    """The page's text lines, with an empty line wherever the vertical gap shows a paragraph break.

    pypdf's text layer has no blank lines between paragraphs; the line positions do, so a gap
    clearly wider than the usual line spacing becomes the blank line that text extraction gives.
    """
    lines: list[list] = [["", None]]

    def visit(text, cm, tm, font_dict, font_size):
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        for i, part in enumerate(text.split("\n")):
            if i:
                lines.append(["", None])
            if part.strip() and lines[-1][1] is None:
                lines[-1][1] = y
            lines[-1][0] += part

    page.extract_text(visitor_text=visit)
    placed = [(i, y) for i, (_, y) in enumerate(lines) if y is not None]
    gaps = sorted(a[1] - b[1] for a, b in zip(placed, placed[1:]) if a[1] - b[1] > 0)
    spacing = gaps[len(gaps) // 2] if gaps else 0
    breaks = {i for (_, ya), (i, yb) in zip(placed, placed[1:]) if spacing and ya - yb > 1.6 * spacing}
    out: list[str] = []
    for i, (text, _) in enumerate(lines):
        if i in breaks and out and out[-1].strip():
            out.append("")
        out.append(text)
    return out


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
        pages = [RawPage(number=i + 1, lines=tuple(_page_lines(p))) for i, p in enumerate(reader.pages)]
        info = reader.metadata or {}
        title = str(info.get("/Title") or "").strip()
    except DocumentError:
        raise
    except PdfReadError as exc:
        raise DocumentError(f"PDF cannot be read ({exc})") from exc
    except Exception as exc:  # noqa: BLE001 - a damaged PDF makes pypdf raise almost anything
        raise DocumentError(f"PDF is damaged ({type(exc).__name__}: {str(exc)[:120]})") from exc
    if not any(line.strip() for page in pages for line in page.lines):
        raise DocumentError("PDF has no text layer (scanned images need OCR first)")
    return pages, ({"title": title} if title else {})
