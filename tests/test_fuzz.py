"""Every reader and the structure step accept any bytes: a document, or the project's own error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import BUNDLED
from rag.chunking import chunk_document
from rag.errors import DocumentError
from rag.ingest import read_source
from rag.structure import build_document

SEEDS = {
    ".txt": (BUNDLED / "vso-jbz-raad-2026-01-22.txt").read_bytes()[:3000],
    ".xml": (BUNDLED / "h-tk-20172018-70-6.xml").read_bytes(),
    ".pdf": (BUNDLED / "besluitenlijst_example4.pdf").read_bytes(),
    ".html": b"<html><body><div id='broodtekst'><h2>Inbreng van de leden van de CDA-fractie</h2><p>Vraag?</p>"
             b"</div></body></html>",
}


def _mutations(seed: bytes):
    """Random bytes, and the seed document cut short, spliced with junk or with bytes flipped."""
    cut = st.integers(0, len(seed)).map(lambda n: seed[:n])
    spliced = st.tuples(st.integers(0, len(seed)), st.binary(max_size=64)).map(lambda t: seed[:t[0]] + t[1] + seed[t[0]:])
    flipped = st.lists(st.tuples(st.integers(0, max(len(seed) - 1, 0)), st.integers(0, 255)), max_size=8).map(
        lambda edits: _flip(seed, edits))
    return st.one_of(st.binary(max_size=512), cut, spliced, flipped)


def _flip(seed: bytes, edits) -> bytes:
    data = bytearray(seed)
    for at, value in edits:
        if data:
            data[at] = value
    return bytes(data)


@pytest.mark.parametrize("suffix", sorted(SEEDS))
def test_readers_raise_only_document_errors(suffix, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(_mutations(SEEDS[suffix]))
    def check(data: bytes):
        path = folder / f"doc{suffix}"
        path.write_bytes(data)
        try:
            doc = build_document(read_source(path))
        except DocumentError:
            return
        for chunk in chunk_document(doc):
            assert doc.text[chunk.start:chunk.end] == chunk.text

    check()


def test_deeply_nested_xml_is_refused(tmp_path):
    path = tmp_path / "diep.xml"
    path.write_text("<officiele-publicatie><handelingen>" + "<tekst>" * 5000 + "x" + "</tekst>" * 5000
                    + "</handelingen></officiele-publicatie>")
    with pytest.raises(DocumentError):
        read_source(path)
