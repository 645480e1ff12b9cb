"""Index builds: manifest, checked loading, incremental re-indexing, atomic swap, lock."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from conftest import CountingEmbedder, edit_manifest

from rag.collection import Collection
from rag.embedding import FakeEmbedder
from rag.indexer import build_index
from rag.store import FORMAT_VERSION, current_build


def test_build_writes_manifest_and_aligned_files(corpus, tmp_path):
    report = build_index([corpus], tmp_path / "idx", embedder=FakeEmbedder(64))
    collection = Collection.load(tmp_path / "idx", embedder=FakeEmbedder(64))
    manifest = collection.manifest
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["model"] == {"name": "fake:64", "dim": 64, "dtype": "float32", "engine": "none"}
    assert manifest["chunker"]["max_words"] > 0 and manifest["chunker"]["version"] >= 1
    assert set(manifest["documents"]) == {"vso-jbz-raad-2026-01-22", "brief", "motie"}
    assert all(len(d["sha256"]) == 64 for d in manifest["documents"].values())
    assert manifest["build"]["seconds"] >= 0 and "sentence-transformers" in manifest["build"]["versions"]
    assert report.documents == 3 and report.passages == len(collection.chunks) == collection.vectors.shape[0]
    assert collection.dense.ntotal == len(collection.chunks)
    for chunk in collection.chunks:
        assert collection.documents[chunk.doc_id].text[chunk.start:chunk.end] == chunk.text


def test_reindex_embeds_only_new_or_changed_documents(corpus, tmp_path):
    index = tmp_path / "idx"
    first = CountingEmbedder()
    build_index([corpus], index, embedder=first)
    before = Collection.load(index, embedder=FakeEmbedder(64))
    core_rows = [i for i, c in enumerate(before.chunks) if c.doc_id == "vso-jbz-raad-2026-01-22"]
    core_vectors = np.array(before.vectors[core_rows])

    (corpus / "brief.txt").write_text("De leden van de SP-fractie vragen naar de huren.\n")
    (corpus / "motie.txt").unlink()
    (corpus / "nieuw.txt").write_text("Inbreng van de leden van de D66-fractie\nDe leden vragen naar onderwijs.\n")
    second = CountingEmbedder()
    report = build_index([corpus], index, embedder=second)

    assert (report.embedded_documents, report.reused_documents, report.dropped_documents) == (2, 1, 1)
    assert second.embedded == 2 < first.embedded
    after = Collection.load(index, embedder=FakeEmbedder(64))
    assert set(after.documents) == {"vso-jbz-raad-2026-01-22", "brief", "nieuw"}
    rows = [i for i, c in enumerate(after.chunks) if c.doc_id == "vso-jbz-raad-2026-01-22"]
    np.testing.assert_array_equal(np.array(after.vectors[rows]), core_vectors)
    assert any(c.party == "D66" for c in after.chunks)
    # The replaced build stays for readers that opened it; the one before it goes.
    assert sorted((index / "builds").iterdir()) == sorted([current_build(index), before.folder])
    build_index([corpus], index, embedder=FakeEmbedder(64), rebuild=True)
    assert before.folder not in (index / "builds").iterdir() and len(list((index / "builds").iterdir())) == 2


def test_rerun_with_nothing_changed_writes_nothing(corpus, tmp_path):
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    folder = current_build(index)
    counting = CountingEmbedder()
    report = build_index([corpus], index, embedder=counting)
    assert report.unchanged and counting.calls == 0 and current_build(index) == folder


def test_unreadable_and_unsupported_files_are_reported_not_fatal(corpus, tmp_path):
    (corpus / "leeg.txt").write_text("   \n")
    (corpus / "plaatje.png").write_bytes(b"\x89PNG")
    (corpus / "kapot.pdf").write_bytes(b"%PDF-1.4 garbage")
    report = build_index([corpus], tmp_path / "idx", embedder=FakeEmbedder(64))
    reasons = {Path(p).name: r for p, r in report.skipped}
    assert reasons["leeg.txt"] == "file is empty"
    assert reasons["plaatje.png"].startswith("unsupported file type")
    assert "PDF" in reasons["kapot.pdf"]
    assert report.documents == 3


def test_cp1252_text_is_decoded(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "oud.txt").write_bytes("De leden van de CDA-fractie vragen naar de financiële gevolgen.".encode("cp1252"))
    build_index([folder], tmp_path / "idx", embedder=FakeEmbedder(64))
    chunks = Collection.load(tmp_path / "idx", embedder=FakeEmbedder(64)).chunks
    assert "financiële" in chunks[0].text


def test_new_reader_version_reindexes_only_its_documents(corpus, tmp_path, monkeypatch):
    from conftest import BUNDLED

    shutil.copy(BUNDLED / "h-tk-20172018-70-6.xml", corpus / "handelingen.xml")
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    import rag.ingest.xml

    monkeypatch.setattr(rag.ingest.xml, "VERSION", rag.ingest.xml.VERSION + 1)
    report = build_index([corpus], index, embedder=FakeEmbedder(64))
    assert not report.unchanged
    assert (report.embedded_documents, report.reused_documents) == (1, 3)


def test_new_structure_rules_embed_only_the_passages_whose_text_changed(corpus, tmp_path, monkeypatch):
    """A parser change re-reads every document; a passage it leaves as it was keeps its vector."""
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    before = Collection.load(index, embedder=FakeEmbedder(64))
    import rag.structure

    monkeypatch.setattr(rag.structure, "STRUCTURE_VERSION", rag.structure.STRUCTURE_VERSION + 1)
    with (corpus / "brief.txt").open("a", encoding="utf-8") as f:
        f.write("\nDe leden van de SP-fractie vroegen wat de regering aan de stijgende huren in Groningen doet.\n")
    counting = CountingEmbedder()
    report = build_index([corpus], index, embedder=counting)
    after = Collection.load(index, embedder=FakeEmbedder(64))
    new = [c for c in after.chunks if c.embed_text not in {b.embed_text for b in before.chunks}]
    assert report.embedded_documents == 3 and new and any("Groningen" in c.text for c in new)
    assert counting.embedded == report.embedded_passages == len(new)
    assert report.kept_passages == len(after.chunks) - len(new) > 0
    # the same vectors, in the same order, as a build from nothing
    build_index([corpus], tmp_path / "fresh", embedder=FakeEmbedder(64))
    fresh = Collection.load(tmp_path / "fresh", embedder=FakeEmbedder(64))
    assert [c.embed_text for c in fresh.chunks] == [c.embed_text for c in after.chunks]
    np.testing.assert_allclose(np.array(after.vectors), np.array(fresh.vectors), atol=1e-6)


def test_new_bm25_settings_rebuild_bm25_without_embedding_again(corpus, tmp_path):
    index = tmp_path / "idx"
    build_index([corpus], index, embedder=FakeEmbedder(64))
    edit_manifest(index, lambda m: m["bm25"].update(stopwords="old"))
    counting = CountingEmbedder()
    report = build_index([corpus], index, embedder=counting)
    assert not report.unchanged and counting.embedded == 0 and report.reused_documents == 3
    Collection.load(index, embedder=FakeEmbedder(64))  # loads: BM25 was rebuilt with today's settings


def test_links_hidden_files_and_odd_names(tmp_path):
    folder = tmp_path / "c"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "-rare naam é.txt").write_text("De leden van de SP-fractie vragen naar de huren.\n")
    (folder / "sub" / "lus").symlink_to(folder)  # a link loop
    (folder / "weg.txt").symlink_to(folder / "bestaat-niet.txt")
    (folder / ".verborgen.txt").write_text("geheim")
    report = build_index([folder], tmp_path / "idx", embedder=FakeEmbedder(64))
    reasons = {Path(p).name: r for p, r in report.skipped}
    assert report.documents == 1
    assert reasons == {"lus": "symbolic link to a folder, not followed", "weg.txt": "broken symbolic link"}


def test_uploaded_files_stay_indexed_when_other_folders_are_indexed(corpus, tmp_path):
    index = tmp_path / "idx"
    (index / "uploads").mkdir(parents=True)
    (index / "uploads" / "eigen.txt").write_text("De leden van de SP-fractie vragen naar sneeuwschuivers op Texel.\n")
    build_index([corpus], index, embedder=FakeEmbedder(64))
    assert "eigen" in Collection.load(index, embedder=FakeEmbedder(64)).documents


def test_a_copied_file_with_its_sidecar_is_a_document_of_its_own(tmp_path):
    """A sidecar names the document; a copy of file and sidecar names the same one. Both are indexed,
    the copy under its own id: no document hides another, every passage belongs to one."""
    import shutil

    from conftest import BUNDLED
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from rag.indexer import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("vso-jbz-raad-2026-01-22.txt", "vso-jbz-raad-2026-01-22.txt.json"):
        shutil.copy(BUNDLED / name, corpus / name)
        shutil.copy(BUNDLED / name, corpus / name.replace("vso-", "kopie-vso-"))
    build_index([corpus], tmp_path / "index", embedder=FakeEmbedder(64))
    collection = Collection.load(tmp_path / "index", embedder=FakeEmbedder(64))
    assert len(collection.documents) == 2
    assert {c.doc_id for c in collection.chunks} == set(collection.documents)
    counts = [sum(c.doc_id == d for c in collection.chunks) for d in collection.documents]
    assert counts[0] == counts[1] > 0
