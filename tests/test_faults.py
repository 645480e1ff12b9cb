"""A build killed at any moment leaves the previous index loading and answering."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from rag.api import Assistant
from rag.collection import Collection
from rag.embedding import FakeEmbedder
from rag.indexer import build_index


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(600):
        (folder / f"doc-{i:04d}.txt").write_text(
            f"Inbreng van de leden van de SP-fractie\nDe leden van de SP-fractie vragen naar onderwerp {i}. "
            f"Wat is de stand van zaken rond dossier {i}? Kan de minister dat toelichten?\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("after", [0.3, 1.2, 1.5, 1.8, 2.2, 4.0])
def test_kill_9_during_a_build_keeps_the_previous_index(corpus, tmp_path, after):
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    before = [c.chunk_id for c in Collection.load(index, embedder=FakeEmbedder(64)).chunks]
    for path in list(corpus.iterdir())[:300]:
        path.write_text(path.read_text() + "Nieuwe vraag over de begroting?\n", encoding="utf-8")
    env = {**os.environ, "RAG_MODEL": "fake:64", "RAG_INDEX": str(index)}
    build = subprocess.Popen([sys.executable, "-m", "rag.cli", "index", str(corpus), "--quiet"], env=env,
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
    report = build_index([corpus], index, embedder=FakeEmbedder(64))
    assert report.documents == 600
    leftovers = [p.name for p in (index / "builds").iterdir() if p.name.endswith(".partial")]
    assert leftovers == []
