"""Shared fixtures: the core document, the shared corpus, isolated index folders, embedders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.embedding import FakeEmbedder

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


def rag_cli(*args, index=None, stdin=None, env=None):
    """`rag ARGS...` as a fresh process on the fake model; its CompletedProcess."""
    environ = {**os.environ, "RAG_MODEL": "fake:64", **(env or {})}
    if index is not None:
        environ["RAG_INDEX"] = str(index)
    return subprocess.run([sys.executable, "-m", "rag.cli", *map(str, args)], input=stdin, capture_output=True,
                          text=True, env=environ, timeout=300)


@pytest.fixture(scope="module")
def core_collection(tmp_path_factory):
    """The core document indexed alone on the fake model, loaded."""
    from rag.collection import Collection
    from rag.indexer import build_index

    folder = tmp_path_factory.mktemp("core-corpus")
    shutil.copy(CORE, folder / CORE.name)
    index = tmp_path_factory.mktemp("core-index")
    build_index([folder], index, embedder=FakeEmbedder(64))
    return Collection.load(index, embedder=FakeEmbedder(64))


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory):
    """The bundled corpus indexed by `rag index` on the fake model (once per session)."""
    index = tmp_path_factory.mktemp("cli-index")
    result = rag_cli("index", BUNDLED, "--quiet", index=index)
    assert result.returncode == 0, result.stderr
    assert "passages" in result.stdout
    return index


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A small folder: the core document and two short texts."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(CORE, folder / CORE.name)
    (folder / "brief.txt").write_text("De leden van de SP-fractie vragen naar de huurprijzen.\n\nWanneer komt de brief?\n")
    (folder / "motie.txt").write_text("Verzoekt de regering de dijken te versterken.\n")
    return folder


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the passages it embeds; optionally failing after some calls."""

    def __init__(self, fail_after: int | None = None):
        super().__init__(64)
        self.embedded = 0
        self.calls = 0
        self.fail_after = fail_after

    def encode_documents(self, texts, batch_size=32):
        self.calls += 1
        if self.fail_after is not None and self.calls > self.fail_after:
            raise RuntimeError("simulated crash during embedding")
        self.embedded += len(texts)
        return super().encode_documents(texts, batch_size)


def edit_manifest(index: Path, change) -> None:
    """Apply `change` to the current build's manifest, as a user editing the file would."""
    import json

    from rag.store import current_build

    path = current_build(index) / "manifest.json"
    manifest = json.loads(path.read_text())
    change(manifest)
    path.write_text(json.dumps(manifest))


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def milvus_server(tmp_path):
    """A Milvus server on 127.0.0.1 (Milvus Lite's gRPC server, another process, as a deployment's
    Milvus is): its `milvus://host:port` address; stopped after the test."""
    pytest.importorskip("milvus_lite")
    import socket
    import subprocess
    import sys
    import time

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(tmp_path / "server"),
                               "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the Milvus Lite server did not start")
    yield server, f"milvus://127.0.0.1:{port}"
    server.kill()
    server.wait()


@pytest.fixture
def milvus_index(fake_index, tmp_path):
    """A copy of the fake index, and a Milvus Lite file synced to it."""
    pytest.importorskip("milvus_lite")
    from rag.collection import Collection
    from rag.milvus import sync

    index = tmp_path / "index"
    shutil.copytree(fake_index, index)
    uri = f"milvus://{tmp_path / 'kv.db'}"
    report = sync(uri, Collection.load(index))
    return index, uri, report
