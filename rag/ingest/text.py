"""Plain text as extracted from a PDF: pages are separated by form feeds or runs of blank lines."""

from __future__ import annotations

import re

from rag.errors import DocumentError
from rag.types import RawPage

VERSION = 1  # bump when this reader's output changes: documents read by it are indexed again

# Extraction from PDF leaves two or more blank lines (or a form feed) at a page break; a paragraph
# break inside a page is a single blank line. (The core document has two where a page ends in
# repeated URLs, three elsewhere.)
PAGE_BREAK = re.compile(r"\f|\n(?:[ \t\r\u00a0]*\n){2,}")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else cp1252, which also covers latin-1 text."""
    if b"\x00" in data[:4096]:
        raise DocumentError("file looks binary (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def split_pages(text: str) -> list[RawPage]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [RawPage(number=i + 1, lines=tuple(page.split("\n"))) for i, page in enumerate(PAGE_BREAK.split(text))]


def read(data: bytes) -> tuple[list[RawPage], dict]:
    return split_pages(decode(data)), {}
