"""The benchmark runs and reports what it claims (timings themselves are not asserted: noisy machines)."""

from __future__ import annotations

from conftest import BUNDLED

from rag.bench import bench_queries, bench_ui, markdown
from rag.embedding import FakeEmbedder
from rag.indexer import build_index


def test_query_and_ui_benchmarks_report_percentiles(tmp_path):
    build_index([BUNDLED], tmp_path / "idx", embedder=FakeEmbedder(64))
    questions = ["Wat vroeg JA21 over Oeganda?", "dierproeven", "speelautomaten"]
    queries = bench_queries(tmp_path / "idx", questions)
    assert set(queries) >= {"embed_query", "bm25", "dense", "hybrid", "chain", "chain_over_embed_p50"}
    assert all(queries[m]["n"] == 3 and queries[m]["p95_ms"] >= queries[m]["p50_ms"] >= 0
               for m in ("bm25", "dense", "hybrid", "chain"))
    ui = bench_ui(tmp_path / "idx", questions)
    assert ui["n"] == 3
    report = {"machine": {"cores": 2, "cpu": "x", "python": "3", "bf16": False, "ram_gb": 24}, "queries": queries,
              "ui": ui, "cold_start": {"median_s": 1.0, "full_path_median_s": 9.0, "with_service_median_s": 0.5, "runs": 5}, "indexing": {
                  "passages": 10, "dtype": "float32", "pipeline_passages_per_s": 1, "raw_encoder_passages_per_s": 1,
                  "pipeline_over_raw": 1, "plain_fp32_encode_passages_per_s": 1, "pipeline_over_plain_fp32": 1,
                  "pipeline_fp32_passages_per_s": 1, "hybrid_mrr10": 0.9, "hybrid_mrr10_fp32_index": 0.91,
                  "index_mb": 1, "peak_rss_mb": 1}}
    table = markdown(report)
    assert "| query, chain: p50 / p95 |" in table and "UI, question → rendered answer" in table
    assert "| cold `rag ask` with `rag serve` (or `rag ui`) running | 0.5 s |" in table
    assert "(`RAG_DIRECT_QUERIES=0`) | 9.0 s |" in table
    assert "0.9 / 0.91" in table


def test_cold_start_is_timed_alone_and_through_the_service(tmp_path, monkeypatch):
    from rag.bench import bench_cold_start

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.setenv("RAG_MODEL", "fake:64")
    build_index([BUNDLED], tmp_path / "idx", embedder=FakeEmbedder(64))
    cold = bench_cold_start(tmp_path / "idx", runs=1)
    assert cold["median_s"] > 0 and cold["full_path_median_s"] > 0 and cold["with_service_median_s"] > 0
    assert not list((tmp_path / "run").iterdir()), "the service removes its socket when stopped"


def test_scale_benchmark_measures_recall_against_exact_search(tmp_path):
    from rag import scale
    from rag.collection import Collection

    embedder = FakeEmbedder(64)
    build_index([BUNDLED], tmp_path / "idx", embedder=embedder)
    report = scale.run(Collection.load(tmp_path / "idx", embedder=embedder), [3000],
                       ["Wat vroeg JA21 over Oeganda?", "dierproeven", "speelautomaten"], ["flat", "hnsw"],
                       log=lambda row: None)
    flat = [r for r in report["dense"] if r["kind"] == "flat"]
    hnsw = [r for r in report["dense"] if r["kind"] == "hnsw"]
    assert len(flat) == 1 and flat[0]["recall_at_10"] == 1.0 and flat[0]["n"] == 3000
    assert hnsw and hnsw[-1]["recall_at_10"] >= scale.TARGET_RECALL or hnsw[-1]["depth"] == 2048
    assert report["bm25"][0]["n"] == 3000 and report["chosen"] == {"3000": "flat"}
    assert "| 3,000 | hnsw |" in scale.markdown(report)
