"""The search backend seam: the local index and Milvus (Milvus Lite in a file) answer alike."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from conftest import BUNDLED, free_port, rag_cli
from rag.errors import QuestionError
from rag.search_backend import LocalBackend, parse_backend

QUESTIONS = ["Wat vroeg JA21 over Oeganda?", "What did the VVD ask about safe countries of origin?", "dierproeven",
             "Wat vroeg de BBB over Syrië?", "terugkeer naar Afghanistan", "Wat zei Klaver over brexit?"]


def test_backend_addresses():
    assert parse_backend(None) == ("local", None) == parse_backend("local")
    assert parse_backend("milvus:///srv/kv.db") == ("milvus", "/srv/kv.db")
    assert parse_backend("milvus://milvus.example:19530") == ("milvus", "http://milvus.example:19530")
    for bad in ("milvus://", "postgres://x", "kv.db"):
        with pytest.raises(QuestionError, match="Unknown backend"):
            parse_backend(bad)


def test_the_local_backend_is_exact(fake_index):
    from rag.collection import Collection

    collection = Collection.load(fake_index)
    backend = LocalBackend(collection)
    vector = collection.query_vector("terugkeer naar Syrië")
    every = np.asarray(collection.vectors) @ vector
    assert backend.dense_top(vector, 5, None) == [int(i) for i in np.argsort(-every, kind="stable")[:5]]
    rows = np.arange(10, 40)
    assert backend.dense_top(vector, 3, rows) == [int(rows[i]) for i in np.argsort(-every[rows], kind="stable")[:3]]
    bm25 = collection.lexical.scores("terugkeer Syrië")
    top = backend.lexical_top("terugkeer Syrië", 5, None)
    assert top == [int(i) for i in np.argsort(-bm25, kind="stable")[:5] if bm25[i] > 0]
    assert np.allclose(backend.lexical_scores("terugkeer Syrië", np.array(top)), bm25[top])


def _top(collection, question, **filters):
    from rag.query import make_filters, parse_question
    from rag.retriever import search

    hits = search(collection, parse_question(question, make_filters(**filters)), 5)
    return [(h.chunk.chunk_id, round(h.score, 4)) for h in hits]


def test_milvus_answers_as_the_local_index(milvus_index):
    from rag.collection import Collection

    index, uri, report = milvus_index
    local = Collection.load(index)
    assert report == {"added": len(local.chunks), "refreshed": 0, "changed": 0, "deleted": 0,
                      "passages": len(local.chunks)}
    remote = Collection.load(index).use_backend(uri)
    assert remote.backend.name == "milvus" and remote.backend.count() == len(local.chunks)
    for question in QUESTIONS:
        assert _top(remote, question) == _top(local, question), question
    assert _top(remote, "terugkeer", parties=["CDA"]) == _top(local, "terugkeer", parties=["CDA"])
    assert _top(remote, "stemmingen", types=["Handelingen"]) == _top(local, "stemmingen", types=["Handelingen"])
    assert _top(remote, "speelautomaten", since="1990", until="1995") == _top(local, "speelautomaten", since="1990",
                                                                                until="1995")


def test_sync_is_idempotent_and_follows_the_index(milvus_index, tmp_path):
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from rag.indexer import build_index
    from rag.milvus import sync

    index, uri, _ = milvus_index
    assert sync(uri, Collection.load(index))["added"] == 0  # a re-run sends nothing
    smaller = tmp_path / "smaller"
    shutil.copytree(BUNDLED, smaller)
    (smaller / "sgd-0000011416.txt").unlink()
    build_index([smaller], index, embedder=FakeEmbedder(64))
    shrunk = Collection.load(index)
    result = sync(uri, shrunk)
    assert result["deleted"] > 0 and result["passages"] == len(shrunk.chunks) == result["refreshed"]
    assert result["added"] == 0 and sync(uri, shrunk)["refreshed"] == 0  # nothing changed since: nothing sent
    remote = Collection.load(index).use_backend(uri)
    assert remote.backend.count() == len(shrunk.chunks)
    # BM25's weights are the whole index's (its IDF): the passages that stayed are scored as locally
    for question in QUESTIONS:
        assert _top(remote, question) == _top(shrunk, question), question


def test_a_milvus_that_does_not_match_or_answer_is_one_sentence(fake_index, tmp_path):
    pytest.importorskip("milvus_lite")
    empty = f"milvus://{tmp_path / 'empty.db'}"
    result = rag_cli("ask", "Oeganda", "--backend", empty, index=fake_index)
    assert result.returncode == 4 and "has no collection 'kamervragen'" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = rag_cli("ask", "Oeganda", "--backend", "milvus://127.0.0.1:9", index=fake_index)
    assert result.returncode == 6 and "cannot be reached" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    result = rag_cli("ask", "Oeganda", "--backend", "mysql://x", index=fake_index)
    assert result.returncode == 2 and "Unknown backend" in result.stderr


def test_rag_index_and_ask_with_milvus_lite(tmp_path):
    pytest.importorskip("milvus_lite")
    import json

    index, uri = tmp_path / "index", f"milvus://{tmp_path / 'kv.db'}"
    built = rag_cli("index", BUNDLED, "--quiet", "--backend", uri, index=index)
    assert built.returncode == 0, built.stderr
    assert "added" in built.stdout and "0 deleted" in built.stdout
    again = rag_cli("index", BUNDLED, "--quiet", "--backend", uri, index=index)
    assert "(0 added, 0 deleted)" in again.stdout
    local = json.loads(rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--json", index=index,
                               env={"RAG_NO_SERVICE": "1"}).stdout)
    remote = json.loads(rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--json", index=index,
                                env={"RAG_BACKEND": uri}).stdout)
    assert remote["passages"] == local["passages"] and remote["answer"] == local["answer"]


def test_rag_index_and_ask_with_a_milvus_server(milvus_server, tmp_path):
    """The address form a deployment uses (host:port, over the network, the server another process);
    a server that goes down is one sentence and exit code 6."""
    import json

    server, uri = milvus_server
    index = tmp_path / "index"
    built = rag_cli("index", BUNDLED, "--quiet", "--backend", uri, index=index)
    assert built.returncode == 0, built.stderr
    again = rag_cli("index", BUNDLED, "--quiet", "--backend", uri, index=index)
    assert "(0 added, 0 deleted)" in again.stdout and not again.stderr.strip()  # no library warnings either
    local = json.loads(rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--json", index=index,
                               env={"RAG_NO_SERVICE": "1"}).stdout)
    remote = json.loads(rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--json", "--backend", uri,
                                index=index).stdout)
    assert remote["passages"] == local["passages"] and remote["answer"] == local["answer"]
    server.kill()
    server.wait()
    down = rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--backend", uri, index=index)
    assert down.returncode == 6 and "Milvus at http://127.0.0.1:" in down.stderr, down.stderr
    assert "Traceback" not in down.stderr and len(down.stderr.strip().splitlines()) == 1


def test_the_interface_and_the_service_answer_through_a_milvus_server(milvus_server, tmp_path, monkeypatch):
    """The chat interface's `/ask` endpoint (gradio_client) and the warm service (`rag serve`'s
    `Service`) over the Milvus server answer as the local index does."""
    from gradio_client import Client

    from rag.api import Assistant
    from rag.embedding import FakeEmbedder
    from rag.indexer import build_index
    from rag.milvus import sync
    from rag.output import render_answer
    from rag.service import Service, ask_service
    from ui.app import App, build_app

    _, uri = milvus_server
    index = tmp_path / "index"
    build_index([BUNDLED], index, embedder=FakeEmbedder(64))
    local = Assistant(index, model="fake:64", chat_model=False)
    sync(uri, local.collection)
    remote = Assistant(index, model="fake:64", chat_model=False, backend=uri)
    assert type(remote.collection.backend).__name__ == "MilvusBackend"
    demo = build_app(App(remote))
    demo.queue()
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=free_port(), prevent_thread_lock=True, quiet=True)
    try:
        client = Client(url, verbose=False)
        for question in QUESTIONS[:3]:
            served = client.predict(question, 5, api_name="/ask")
            alone = App(local).ask_json(question, 5)
            assert served["passages"] == alone["passages"] and served["answer"] == alone["answer"], question
    finally:
        demo.close()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    service = Service(remote, render_answer).start()
    try:
        question = "Wat vroeg JA21 over Oeganda?"
        reply = ask_service(index, {"question": question, "options": {"k": 3}, "json": True})
        assert reply == {"output": render_answer(local.ask(question, k=3), True), "exit_code": 0, "stderr": False}
    finally:
        service.stop()


def test_the_benchmark_compares_the_backend_with_the_local_index(fake_index, tmp_path):
    pytest.importorskip("milvus_lite")
    from rag.bench import bench_backend, markdown

    report = bench_backend(fake_index, f"milvus://{tmp_path / 'kv.db'}", QUESTIONS)
    assert report["added"] == report["passages"] > 0 and report["same_top5"] == 1.0
    assert report["backend"]["hybrid"]["n"] == len(QUESTIONS) and report["resync_s"] < report["fill_s"]
    table = markdown({"machine": {"cores": 2, "cpu": "x", "bf16": False, "ram_gb": 1, "python": "3"},
                      "indexing": {k: 0 for k in ("passages", "dtype", "pipeline_passages_per_s",
                                                  "raw_encoder_passages_per_s", "pipeline_over_raw",
                                                  "plain_fp32_encode_passages_per_s", "pipeline_over_plain_fp32",
                                                  "pipeline_fp32_passages_per_s", "hybrid_mrr10",
                                                  "hybrid_mrr10_fp32_index", "index_mb", "peak_rss_mb")},
                      "queries": {**{m: {"p50_ms": 1, "p95_ms": 2} for m in ("embed_query", "bm25", "dense",
                                                                              "hybrid", "chain")},
                                  "chain_over_embed_p50": 1},
                      "ui": {"p50_ms": 1, "p95_ms": 2}, "cold_start": {"runs": 1, "median_s": 1,
                                                                         "with_service_median_s": 1},
                      "backend": report})
    assert "same top 5 as the local index | 1.0" in table


def test_the_sparse_form_of_bm25_gives_the_local_scores(fake_index):
    """What a backend stores (each passage's term-frequency parts) times a question's term counts ×
    IDF is the local BM25 score of every passage."""
    from rag.collection import Collection

    lexical = Collection.load(fake_index).lexical
    parts = lexical.passage_parts()
    for text in ("terugkeer naar Syrië Syrië", "Oeganda transithub", "zzzonbekend"):
        weights = lexical.question_weights(text)
        product = np.zeros(parts.shape[0], dtype=np.float64)
        for term, weight in weights.items():
            product += weight * parts[:, term].toarray().ravel()
        assert np.allclose(product, lexical.scores(text), atol=1e-5)
    assert parts.max() < 1  # a part: tf / (tf + k1 (1 − b + b · length / mean length))
    assert lexical.term_counts("Syrië Syrië") and max(lexical.term_counts("Syrië Syrië").values()) == 2.0


def test_milvus_bm25_function_is_measured_against_the_project_bm25(fake_index, tmp_path):
    """eval/milvus_bm25.py ranks the labelled questions both ways and prints both figures."""
    pytest.importorskip("milvus_lite")
    import os
    import re
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "eval" / "milvus_bm25.py"
    result = subprocess.run([sys.executable, str(script), "--index", str(fake_index), "--db", str(tmp_path / "f.db")],
                            capture_output=True, text=True, timeout=300, env={**os.environ, "RAG_MODEL": "fake:64"})
    assert result.returncode == 0, result.stderr
    row = re.search(r"^all\s+(\d+) \|\s+([\d.]+)\s+([\d.]+) \|\s+([\d.]+)\s+([\d.]+)$", result.stdout, re.M)
    assert row, result.stdout
    questions, local_recall, _, milvus_recall, milvus_mrr = int(row[1]), *map(float, row.groups()[1:])
    assert questions >= 50  # the core questions, labelled on the bundled corpus
    assert local_recall > 0.6 and milvus_recall > 0.6 and 0 < milvus_mrr <= 1  # Milvus's BM25 found them too


def _filters_to_check(collection):
    from dataclasses import replace

    from rag.query import Filters, make_filters

    member = next(name for name in ("Graus", "Klaver", "Madlener") if collection.member_names and
                  collection.member_names.search(name))
    return [
        make_filters(parties=["CDA", "VVD"]),
        replace(make_filters(parties=["CDA", "VVD"]), named_in_question=True),  # also unattributed passages naming them
        replace(make_filters(parties=["CDA", "VVD"]), named_in_question=True, about_votes=True),  # a vote's result too
        replace(make_filters(parties=["SP", "CDA"]), named_in_question=True),  # not the chair naming the SP
        make_filters(types=["handelingen"]),
        make_filters(since="1990", until="1995"),
        make_filters(since="2018-01", until="2018"),
        make_filters(doc_ids=["vso-jbz-raad-2026-01-22", "sgd-0000170895"]),
        Filters(speakers=(member,)),
        replace(make_filters(parties=["GL-PvdA"], types=["verslag schriftelijk overleg"], since="2026"),
                named_in_question=True),
    ]


def test_filters_are_milvus_expressions_on_the_stored_metadata(milvus_index):
    """What a wide filtered search sends to Milvus names exactly the passages the local filter does."""
    from rag.collection import Collection
    from rag.milvus import NAME, _client, filter_expression

    index, uri, _ = milvus_index
    collection = Collection.load(index)
    client = _client(uri[len("milvus://"):])
    strict, soft, votes = (len(collection.rows_where(f)) for f in _filters_to_check(collection)[:3])
    assert strict < soft < votes  # each party rule admits more here, so each is checked
    for filters in _filters_to_check(collection):
        expression = filter_expression(collection, filters)
        found = client.query(NAME, filter=expression, output_fields=["chunk_id"], limit=16384)
        local = {collection.chunks[r].chunk_id for r in collection.rows_where(filters)}
        assert local, filters  # each filter admits some passages here
        assert {r["chunk_id"] for r in found} == local, (filters, expression)


def test_a_wide_filter_is_searched_by_its_expression(milvus_index, monkeypatch):
    """Subsets above MAX_IN passages go to Milvus as metadata filters, not id lists: same answers."""
    from rag import milvus
    from rag.collection import Collection

    index, uri, _ = milvus_index
    local, remote = Collection.load(index), Collection.load(index).use_backend(uri)
    sent: list[str] = []
    search = remote.backend.client.search
    monkeypatch.setattr(remote.backend.client, "search", lambda *a, **k: sent.append(k["filter"]) or search(*a, **k))
    monkeypatch.setattr(milvus, "MAX_IN", 3)
    checks = [("terugkeer", {"parties": ["CDA"]}), ("stemmingen", {"types": ["Handelingen"]}),
              ("speelautomaten", {"since": "1990", "until": "1995"})]
    for question, filters in checks:
        assert _top(remote, question, **filters) == _top(local, question, **filters), filters
    assert sent and not any("chunk_id in" in f for f in sent)
    assert any("doc_type in" in f for f in sent) and any('date >= "1990"' in f for f in sent)


def test_a_collection_of_an_older_layout_is_made_again(milvus_index):
    import json

    from rag.collection import Collection
    from rag.errors import IndexMismatchError
    from rag.milvus import IDENTITY, NAME, MilvusBackend, _client, sync

    index, uri, _ = milvus_index
    client = _client(uri[len("milvus://"):])
    identity = json.loads(client.describe_collection(NAME)["properties"][IDENTITY])
    client.alter_collection_properties(NAME, properties={IDENTITY: json.dumps({**identity, "schema": 1})})
    collection = Collection.load(index)
    with pytest.raises(IndexMismatchError, match="older layout"):
        MilvusBackend.open(uri[len("milvus://"):], collection)
    report = sync(uri, collection)
    assert report["added"] == report["passages"] == len(collection.chunks)  # made again from the local index
    assert MilvusBackend.open(uri[len("milvus://"):], collection).count() == len(collection.chunks)


def test_a_questions_second_bm25_text_reads_no_passage_again(milvus_index, monkeypatch):
    """The subject score (the question less its dates) scores the candidates already read, with
    the same figures as the local index."""
    from rag.collection import Collection

    index, uri, _ = milvus_index
    local, remote = Collection.load(index), Collection.load(index).use_backend(uri)
    backend = remote.backend
    reads: list[int] = []
    fetch = backend._fetch
    monkeypatch.setattr(backend, "_fetch", lambda rows, field: reads.append(len(rows)) or fetch(rows, field))
    rows = np.arange(0, 40)
    first = backend.lexical_scores("terugkeer naar Syrië in 2025", rows)
    second = backend.lexical_scores("terugkeer naar Syrië", rows)
    assert reads == [40]  # one read, for the first text
    assert np.allclose(first, local.backend.lexical_scores("terugkeer naar Syrië in 2025", rows), atol=1e-4)
    assert np.allclose(second, local.backend.lexical_scores("terugkeer naar Syrië", rows), atol=1e-4)


def test_passages_added_without_moving_the_mean_length_send_only_themselves(tmp_path):
    """The stored parts do not hold the IDF: new passages change every IDF, yet the ones already in
    Milvus stay right and are not sent again, as long as the mean passage length holds (here: every
    file again under another name, so the mean is the same)."""
    pytest.importorskip("milvus_lite")
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from rag.indexer import build_index
    from rag.milvus import sync

    corpus, index, uri = tmp_path / "corpus", tmp_path / "index", f"milvus://{tmp_path / 'kv.db'}"
    corpus.mkdir()
    texts = {"a.txt": "De leden van de CDA-fractie vragen naar de terugkeer van asielzoekers naar Syrië en de "
                      "veiligheid daar.",
             "b.txt": "De leden van de VVD-fractie vragen naar de kosten van de opvang in Griekenland en Italië "
                      "dit jaar.",
             "c.txt": "De minister antwoordt dat de terugkeer naar Syrië nog niet veilig is volgens het ambtsbericht."}
    for name, text in texts.items():
        (corpus / name).write_text(text + "\n", encoding="utf-8")
    build_index([corpus], index, embedder=FakeEmbedder(64))
    first = sync(uri, Collection.load(index, embedder=FakeEmbedder(64)))
    for name, text in texts.items():
        (corpus / f"kopie-{name}").write_text(text + "\n", encoding="utf-8")
    build_index([corpus], index, embedder=FakeEmbedder(64))
    local = Collection.load(index, embedder=FakeEmbedder(64))
    second = sync(uri, local)
    assert second["added"] == first["added"] == len(local.chunks) // 2 and second["refreshed"] == 0
    remote = Collection.load(index, embedder=FakeEmbedder(64)).use_backend(uri)
    for text in ("terugkeer Syrië", "opvang Griekenland", "ambtsbericht veilig"):
        rows = np.arange(len(local.chunks))
        in_milvus, here = remote.backend.lexical_scores(text, rows), local.backend.lexical_scores(text, rows)
        assert np.allclose(in_milvus, here, atol=1e-4)
