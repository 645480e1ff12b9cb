"""Shared fixtures: the core document, the shared corpus, isolated index folders, embedders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "rag" / "corpus"
CORE = BUNDLED / "vso-jbz-raad-2026-01-22.txt"
SHARED = REPO.parent / "shared" / "corpus"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_index(tmp_path, monkeypatch):
    """No test touches the repository's own index/ by accident."""
    monkeypatch.setenv("RAG_INDEX", str(tmp_path / "default-index"))


@pytest.fixture(scope="session")
def core_document():
    from rag.ingest import read_source
    from rag.structure import build_document

    return build_document(read_source(CORE))


@pytest.fixture(scope="session")
def core_chunks(core_document):
    from rag.chunking import chunk_document

    return chunk_document(core_document)


@pytest.fixture
def fake_embedder():
    from rag.embedding import FakeEmbedder

    return FakeEmbedder(64)


@pytest.fixture(scope="session")
def shared_corpus():
    if not SHARED.is_dir():
        pytest.skip("../shared/corpus is not beside the repository")
    return SHARED


@pytest.fixture(scope="session")
def real_index(tmp_path_factory):
    """The bundled corpus indexed with the real default model (built once per test session)."""
    from rag.indexer import build_index

    folder = tmp_path_factory.mktemp("real-index")
    build_index([BUNDLED], folder)
    return folder
