"""Faults around the index: nothing a user has indexed is lost, and every refusal says what to run.

A build killed (kill -9) at several moments, crashing, or running beside another build; readers
answering while a build runs; a missing, truncated or edited index, and one built with another
model, chunker or BM25 settings.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import CountingEmbedder, edit_manifest
from filelock import FileLock

from rag.api import Assistant
from rag.collection import Collection
from rag.embedding import FakeEmbedder
from rag.errors import IndexLockedError, IndexMismatchError, IndexMissingError, RagError
from rag.indexer import build_index
from rag.store import FORMAT_VERSION, current_build


def _write_docs(folder: Path, n: int) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"doc-{i:04d}.txt").write_text(
            f"Inbreng van de leden van de SP-fractie\nDe leden van de SP-fractie vragen naar onderwerp {i}. "
            f"Wat is de stand van zaken rond dossier {i}? Kan de minister dat toelichten?\n", encoding="utf-8")
    return folder


@pytest.fixture
def many_docs(tmp_path):
    """600 short documents: a fake-model build takes a few seconds, long enough to kill."""
    return _write_docs(tmp_path / "many", 600)


@pytest.fixture
def more_docs(tmp_path):
    """3,000 short documents: a build long enough for a second process to start beside it."""
    return _write_docs(tmp_path / "more", 3000)


@pytest.mark.parametrize("after", [0.3, 1.2, 1.5, 1.8, 2.2, 4.0])
def test_kill_9_during_a_build_keeps_the_previous_index(many_docs, tmp_path, after):
    index = tmp_path / "idx"
    build_index([many_docs], index, embedder=FakeEmbedder(64))
    before = [c.chunk_id for c in Collection.load(index, embedder=FakeEmbedder(64)).chunks]
    for path in list(many_docs.iterdir())[:300]:
        path.write_text(path.read_text() + "Nieuwe vraag over de begroting?\n", encoding="utf-8")
    env = {**os.environ, "RAG_MODEL": "fake:64", "RAG_INDEX": str(index)}
    build = subprocess.Popen([sys.executable, "-m", "rag.cli", "index", str(many_docs), "--quiet"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    build.send_signal(signal.SIGKILL)
    build.wait()
    collection = Collection.load(index, embedder=FakeEmbedder(64))
    after_kill = [c.chunk_id for c in collection.chunks]
    assert after_kill == before or len(after_kill) == len(before)  # the old build, or the finished new one
    answer = Assistant(collection=collection, chat_model=False).ask("stand van zaken rond dossier 17", k=3)
    assert answer.hits
    # The lock died with the process: the next build runs and finishes.
    report = build_index([many_docs], index, embedder=FakeEmbedder(64))
    assert report.documents == 600
    leftovers = [p.name for p in (index / "builds").iterdir() if p.name.endswith(".partial")]
    assert leftovers == []


def test_interrupted_build_leaves_previous_index_intact(corpus, tmp_path):
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    before = [c.chunk_id for c in Collection.load(index, embedder=FakeEmbedder(64)).chunks]
    (corpus / "brief.txt").write_text("Iets anders.\n")
    with pytest.raises(RuntimeError, match="simulated crash"):
        build_index([corpus], index, embedder=CountingEmbedder(fail_after=0), rebuild=True)
    assert [c.chunk_id for c in Collection.load(index, embedder=FakeEmbedder(64)).chunks] == before
    assert [p.name for p in (index / "builds").iterdir() if p.name.endswith(".partial")] == []


def test_second_build_is_refused_while_one_runs(corpus, tmp_path):
    index = tmp_path / "idx"
    index.mkdir()
    with FileLock(str(index / ".lock")):
        with pytest.raises(IndexLockedError, match="Another build"):
            build_index([corpus], index, embedder=FakeEmbedder(64))


def test_missing_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexMissingError, match=r"rag index PATH\.\.\. --index"):
        Collection.load(tmp_path / "nothing")


@pytest.mark.parametrize("change, message", [
    (lambda m: m.update(format_version=FORMAT_VERSION + 1), "format version"),
    (lambda m: m["chunker"].update(version=999), "chunker version"),
])
def test_manifest_mismatch_is_refused_with_the_rebuild_command(corpus, tmp_path, change, message):
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    edit_manifest(index, change)
    with pytest.raises(IndexMismatchError, match=message) as err:
        Collection.load(index, embedder=FakeEmbedder(64))
    assert f"rag index PATH... --index {index} --rebuild" in str(err.value)


def test_other_bm25_settings_are_refused_with_the_index_command(corpus, tmp_path):
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    edit_manifest(index, lambda m: m["bm25"].update(k1=9.0))
    with pytest.raises(IndexMismatchError, match=rf"BM25 settings; run `rag index PATH\.\.\. --index {index}`"):
        Collection.load(index, embedder=FakeEmbedder(64))


def test_other_model_is_refused(corpus, tmp_path):
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    with pytest.raises(IndexMismatchError, match="built with model 'fake:64'"):
        Collection.load(index, model="fake:32")
    with pytest.raises(IndexMismatchError, match="built with model"):
        Collection.load(index, embedder=FakeEmbedder(32))


@pytest.mark.parametrize("name", ["vectors.npy", "chunks.jsonl", "dense.faiss"])
def test_truncated_index_file_is_named(corpus, tmp_path, name):
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    path = current_build(index) / name
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexMismatchError, match=name):
        Collection.load(index, embedder=FakeEmbedder(64))


def test_nothing_to_index_is_a_clear_error_and_keeps_the_index(corpus, tmp_path):
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    empty = tmp_path / "leeg"
    empty.mkdir()
    (empty / "plaatje.png").write_bytes(b"\x89PNG")
    with pytest.raises(RagError, match="Nothing to index under .*1 files skipped"):
        build_index([empty], index, embedder=FakeEmbedder(64))
    assert len(Collection.load(index, embedder=FakeEmbedder(64)).documents) == 3


def _start_build(folder: Path, index: Path) -> subprocess.Popen:
    env = {**os.environ, "RAG_MODEL": "fake:64", "RAG_INDEX": str(index)}
    return subprocess.Popen([sys.executable, "-m", "rag.cli", "index", str(folder), "--quiet"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_lock(index: Path, build: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not list((index / "builds").glob("*.partial")):
        assert build.poll() is None and time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.05)


def test_two_builds_at_once_the_second_is_refused_and_the_first_finishes(more_docs, tmp_path):
    index = tmp_path / "idx"
    first = _start_build(more_docs, index)
    _wait_for_lock(index, first)
    second = _start_build(more_docs, index)
    _, err = second.communicate(timeout=120)
    assert second.returncode == 5
    assert err.strip().splitlines() == [f"error: Another build is running on {index}; wait for it to finish."]
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert len(Collection.load(index, embedder=FakeEmbedder(64)).documents) == 3000


def test_readers_keep_answering_while_a_build_runs(more_docs, tmp_path):
    many_docs = more_docs
    index = tmp_path / "idx"
    build_index([many_docs], index, embedder=FakeEmbedder(64))
    # 1,500 changed documents: a build of several seconds on any machine, so readers ask it many times
    # (with 200, a slow first read on a fresh clone left time for only two)
    for path in list(many_docs.iterdir())[:1500]:
        path.write_text(path.read_text() + "Een nieuwe vraag over de zeehondencreche?\n", encoding="utf-8")
    build = _start_build(many_docs, index)
    _wait_for_lock(index, build)
    answered, failures = 0, []

    def read() -> None:  # a fresh reader each time, as `rag ask` is; and one long-lived assistant
        nonlocal answered
        assistant = Assistant(collection=Collection.load(index, embedder=FakeEmbedder(64)), chat_model=False)
        while build.poll() is None:
            try:
                fresh = Collection.load(index, embedder=FakeEmbedder(64))
                hits = Assistant(collection=fresh, chat_model=False).ask("dossier 17", k=2).hits
                assert hits and assistant.ask("onderwerp 42", k=2).hits
                answered += 1
            except Exception as exc:  # noqa: BLE001 - collected and reported below
                failures.append(repr(exc))
            time.sleep(0.02)

    reader = threading.Thread(target=read)
    reader.start()
    build.communicate(timeout=300)
    reader.join(60)
    assert build.returncode == 0
    assert failures == [] and answered >= 3
    fresh = Assistant(collection=Collection.load(index, embedder=FakeEmbedder(64)), chat_model=False)
    assert "zeehondencreche" in fresh.ask("zeehondencreche", k=1).hits[0].chunk.text
