"""Ingestion on a local Ray: the same passages and vectors as a local build, idempotent, and a
killed embedding worker replaced without losing anything."""

from __future__ import annotations

import os
import shutil
import signal
import threading

import numpy as np
import pytest

from conftest import BUNDLED, rag_cli
from rag.embedding import FakeEmbedder

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module (executors made inside it leave it running)."""
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield
    ray.shutdown()


def _build(folder, index, executor=None, embedder=None):
    from rag.embedding import FakeEmbedder
    from rag.indexer import build_index

    return build_index([folder], index, embedder=embedder or FakeEmbedder(64), executor=executor)


def _same_index(a, b, min_cosine: float = 0.999999):
    from rag.collection import Collection

    one, two = Collection.load(a, check_lexical=False), Collection.load(b, check_lexical=False)
    assert one.chunks == two.chunks  # frozen dataclasses: ids, texts, metadata
    va, vb = np.asarray(one.vectors, dtype=np.float32), np.asarray(two.vectors, dtype=np.float32)
    cosine = (va * vb).sum(1) / (np.linalg.norm(va, axis=1) * np.linalg.norm(vb, axis=1))
    assert len(one.chunks) > 50 and cosine.min() >= min_cosine


def test_ray_builds_the_same_index_and_reruns_add_nothing(local_ray, tmp_path):
    from rag.ray_ingest import RayExecutor

    _build(BUNDLED, tmp_path / "local")
    executor = RayExecutor(None, "fake:64")
    try:
        report = _build(BUNDLED, tmp_path / "ray", executor)
        assert report.embedded_documents == report.documents == 5
        _same_index(tmp_path / "local", tmp_path / "ray")
        again = _build(BUNDLED, tmp_path / "ray", executor)
        assert again.embedded_passages == 0  # unchanged documents are neither parsed nor embedded again
    finally:
        executor.close()
    assert ray.is_initialized()  # a Ray the executor did not start is left running


def test_a_killed_embedding_worker_is_replaced_and_nothing_is_lost(local_ray, tmp_path):
    from rag.ray_ingest import RayExecutor

    folder = tmp_path / "corpus"
    shutil.copytree(BUNDLED, folder)
    _build(folder, tmp_path / "local")
    executor = RayExecutor(None, "fake:64", workers=1)
    try:
        killed = _kill_a_worker_at_the_first_batch(executor)
        _build(folder, tmp_path / "ray", executor)
        assert killed and executor.worker_pids()[0] != killed[0]  # Ray started another
    finally:
        executor.close()
    _same_index(tmp_path / "local", tmp_path / "ray")


def _kill_a_worker_at_the_first_batch(executor) -> list[int]:
    """Kill the embedding worker's process as the build sends it its first batch (after parsing, whose
    tasks need the CPUs a worker holds); the pid killed, once it is."""
    killed, embed = [], executor.embed

    def embed_after_a_kill(texts, records=None):
        if not killed:
            killed.append(executor.worker_pids()[0])
            os.kill(killed[0], signal.SIGKILL)
        return embed(texts, records)

    executor.embed = embed_after_a_kill
    return killed


def test_an_executor_builds_again_after_its_workers_took_the_cpus(local_ray, tmp_path):
    """A second build with one executor: its embedding workers (made by the first build, holding every CPU
    of this two-CPU Ray) must not leave the parsing tasks waiting for ever."""
    from rag.ray_ingest import RayExecutor

    folder = tmp_path / "corpus"
    shutil.copytree(BUNDLED, folder)
    executor = RayExecutor(None, "fake:64", workers=1)
    built = []
    try:
        assert executor.worker_pids()  # the pool exists, holding both CPUs
        build = threading.Thread(target=lambda: built.append(_build(folder, tmp_path / "ray", executor)), daemon=True)
        build.start()
        build.join(120)  # alone, a few seconds
        assert built, "the build still waits for the CPUs its embedding workers hold"
    finally:
        executor.close()
    _build(folder, tmp_path / "local")
    _same_index(tmp_path / "local", tmp_path / "ray")


def test_ray_workers_write_to_a_milvus_server_themselves(local_ray, milvus_server, tmp_path):
    """With a Milvus server, each embedding worker writes the passages it embeds (as `sync` would store
    them from the local index, vectors and BM25 parts alike); the driver's sync then sends nothing. A
    killed worker is replaced, and a batch written twice stays one copy."""
    from rag.collection import Collection
    from rag.milvus import NAME, PassageSink, _client, identity_of, passage_record, prepare, sync, with_vectors
    from rag.ray_ingest import RayExecutor
    from rag.search_backend import parse_backend

    _, uri = milvus_server
    folder = tmp_path / "corpus"
    shutil.copytree(BUNDLED, folder)
    prepare(uri, identity_of("fake:64", 64))
    executor = RayExecutor(None, "fake:64", workers=1, sink=uri)
    try:
        killed = _kill_a_worker_at_the_first_batch(executor)
        report = _build(folder, tmp_path / "ray", executor)
        assert killed
    finally:
        executor.close()
    assert report.sent_to_backend == report.embedded_passages == report.passages > 50
    collection = Collection.load(tmp_path / "ray", embedder=FakeEmbedder(64))
    client = _client(parse_backend(uri)[1])
    ids = [c.chunk_id for c in collection.chunks]
    stored = {r["chunk_id"]: r for r in client.get(NAME, ids=ids, output_fields=["*"])}
    parts = collection.lexical.passage_parts()
    for row, chunk in enumerate(collection.chunks):
        want = with_vectors([passage_record(chunk, parts.getrow(row), row)], collection.vectors[row:row + 1])[0]
        got = stored[chunk.chunk_id]
        assert {k: got[k] for k in want if k not in ("dense", "sparse")} == \
            {k: v for k, v in want.items() if k not in ("dense", "sparse")}
        assert np.allclose(got["dense"], want["dense"], atol=1e-6)
        assert {int(t): w for t, w in got["sparse"].items()} == pytest.approx(want["sparse"], rel=1e-5)
    assert sync(uri, collection) == {"added": 0, "refreshed": 0, "changed": 0, "deleted": 0, "passages": len(ids)}
    PassageSink(uri).write([passage_record(c, parts.getrow(r), r) for r, c in enumerate(collection.chunks[:5])],
                           collection.vectors[:5])
    count = client.query(NAME, filter="", output_fields=["count(*)"], consistency_level="Strong")[0]["count(*)"]
    assert count == len(ids)


def test_ray_and_milvus_from_the_command_line(tmp_path):
    pytest.importorskip("milvus_lite")
    import json

    index, uri = tmp_path / "index", f"milvus://{tmp_path / 'kv.db'}"
    built = rag_cli("index", BUNDLED, "--quiet", "--ray", "--backend", uri, index=index, env={"RAY_ADDRESS": ""})
    assert built.returncode == 0, built.stderr
    assert "added, 0 deleted)" in built.stdout
    local = json.loads(rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--json", index=index,
                               env={"RAG_NO_SERVICE": "1"}).stdout)
    remote = json.loads(rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--json", "--backend", uri, index=index).stdout)
    assert remote["passages"] == local["passages"]


def test_ray_into_a_milvus_server_from_the_command_line(local_ray, milvus_server, tmp_path):
    """`rag index --ray-address` joins a running Ray (the module's: a second local Ray beside it can time
    out starting on 2 busy cores) and its workers fill the Milvus server."""
    import json

    _, uri = milvus_server
    index = tmp_path / "index"
    address = ray.get_runtime_context().gcs_address
    built = rag_cli("index", BUNDLED, "--quiet", "--ray-address", address, "--backend", uri, index=index)
    assert built.returncode == 0, built.stderr
    written = int(built.stdout.split(" passages written by the Ray workers")[0].rsplit(" ", 1)[1])
    assert written > 50 and f"{written} passages (0 added, 0 deleted)" in built.stdout, built.stdout
    local = json.loads(rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--json", index=index,
                               env={"RAG_NO_SERVICE": "1"}).stdout)
    remote = json.loads(rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--json", "--backend", uri, index=index).stdout)
    assert remote["passages"] == local["passages"]


def test_an_unreachable_ray_is_one_sentence(tmp_path):
    result = rag_cli("index", BUNDLED, "--quiet", "--ray-address", "127.0.0.1:9", index=tmp_path / "index")
    assert result.returncode == 1 and "Ray at 127.0.0.1:9 cannot be reached" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_ray_vectors_match_the_local_build_on_the_real_model(local_ray, real_index, tmp_path):
    from rag.embedding import make_embedder
    from rag.ray_ingest import RayExecutor

    embedder = make_embedder()
    executor = RayExecutor(None, embedder.name)
    try:
        _build(BUNDLED, tmp_path / "ray", executor, embedder)
    finally:
        executor.close()
    _same_index(real_index, tmp_path / "ray", min_cosine=0.999)


def test_the_benchmark_times_a_ray_build_beside_a_local_one(local_ray, monkeypatch):
    """`rag bench --ray`: both builds of the same corpus, their rates, the rate per worker and Ray's
    overhead, in the report and its table (the figures themselves are not asserted: noisy machines)."""
    from rag.bench import bench_ray, markdown

    monkeypatch.setenv("RAG_MODEL", "fake:64")
    ray_report = bench_ray(BUNDLED, workers=2)
    assert ray_report["passages"] == ray_report["ray_passages"] > 50
    assert ray_report["workers"] == 2 and ray_report["threads_per_worker"] == 1  # the module's Ray: 2 CPUs
    assert ray_report["local_s"] > 0 and ray_report["ray_s"] > 0 and ray_report["ray_passages_per_s"] > 0
    # both rates are rounded to 0.1: twice the per-worker one differs by at most 2 × 0.05 + 0.05
    assert abs(2 * ray_report["ray_passages_per_s_per_worker"] - ray_report["ray_passages_per_s"]) <= 0.15 + 1e-9
    assert ray_report["overhead_with_start"] >= ray_report["overhead"] > -1
    assert ray_report["written_by_workers"] == 0  # no Milvus server given
    table = markdown({"machine": {"cores": 2, "cpu": "x", "python": "3", "bf16": False, "ram_gb": 24},
                      "queries": {m: {"p50_ms": 1, "p95_ms": 2} for m in ("embed_query", "bm25", "dense", "hybrid", "chain")}
                      | {"chain_over_embed_p50": 1}, "ui": {"p50_ms": 1, "p95_ms": 2},
                      "cold_start": {"median_s": 1, "with_service_median_s": 1, "runs": 1},
                      "indexing": {"passages": 1, "dtype": "x", "pipeline_passages_per_s": 1, "raw_encoder_passages_per_s": 1,
                                   "pipeline_over_raw": 1, "plain_fp32_encode_passages_per_s": 1,
                                   "pipeline_over_plain_fp32": 1, "pipeline_fp32_passages_per_s": 1, "hybrid_mrr10": 1,
                                   "hybrid_mrr10_fp32_index": 1, "index_mb": 1, "peak_rss_mb": 1},
                      "ray": ray_report})
    assert f"({ray_report['passages']} passages): local / Ray (2 worker(s) × 1 threads)" in table
    assert "Ray's overhead over the local build" in table


def test_the_benchmark_s_ray_workers_write_to_a_milvus_server(local_ray, milvus_server, monkeypatch):
    """`rag bench --ray --backend milvus://host:port`: the workers write every passage they embed."""
    from rag.bench import bench_ray

    monkeypatch.setenv("RAG_MODEL", "fake:64")
    _, uri = milvus_server
    ray_report = bench_ray(BUNDLED, workers=1, sink=uri)
    assert ray_report["written_by_workers"] == ray_report["passages"] > 50
