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
    report = {"machine": {"cores": 2, "cpu": "x", "python": "3"}, "queries": queries, "ui": ui,
              "cold_start": {"median_s": 1.0}, "indexing": {
                  "passages": 10, "dtype": "float32", "pipeline_passages_per_s": 1, "raw_encoder_passages_per_s": 1,
                  "pipeline_over_raw": 1, "plain_fp32_encode_passages_per_s": 1, "pipeline_over_plain_fp32": 1,
                  "index_mb": 1, "peak_rss_mb": 1}}
    table = markdown(report)
    assert "| query, chain: p50 / p95 |" in table and "UI, question → rendered answer" in table
