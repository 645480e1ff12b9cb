"""The benchmark: indexing throughput against the raw encoder, warm query latency per method and for
the full chain, the chat interface's question → answer time, and cold start of `rag ask`.

Prints a Markdown table and writes a JSON report. Figures that compare two things are measured side
by side in the same run, and given as a ratio.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rag.collection import Collection
from rag.evaluation import default_question_files, load_questions
from rag.query import parse_question
from rag.retriever import search


def _pcts(values: list[float]) -> dict:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return {"p50_ms": round(1000 * statistics.median(values), 1), "p95_ms": round(1000 * p95, 1), "n": len(values)}


def bench_indexing(corpus: Path) -> dict:
    """Passages/s of a full build of `corpus`, and of the raw encoder on the same passages."""
    from rag.embedding import make_embedder
    from rag.indexer import build_index

    embedder = make_embedder()
    embedder.encode_queries(["warm-up"])
    with tempfile.TemporaryDirectory() as tmp:
        report = build_index([corpus], Path(tmp) / "index", embedder=embedder)
        collection = Collection.load(Path(tmp) / "index", embedder=embedder)
        texts = [c.embed_text for c in collection.chunks]
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        embedder.encode_documents(texts[i:i + 256], batch_size=8)
    raw = time.perf_counter() - started
    # The baseline: plain float32 SentenceTransformer.encode on the same passages.
    from rag.embedding import SentenceTransformerEmbedder

    plain = SentenceTransformerEmbedder(embedder.name, dtype="float32").model
    plain.encode(["warm-up"], prompt_name="document")
    started = time.perf_counter()
    plain.encode(texts, prompt_name="document", show_progress_bar=False)
    fp32_rate = len(texts) / (time.perf_counter() - started)
    pipeline_rate = report.embedded_passages / report.seconds
    raw_rate = len(texts) / raw
    return {"corpus": str(corpus), "documents": report.documents, "passages": report.passages,
            "pipeline_passages_per_s": round(pipeline_rate, 1), "raw_encoder_passages_per_s": round(raw_rate, 1),
            "plain_fp32_encode_passages_per_s": round(fp32_rate, 1),
            "pipeline_over_plain_fp32": round(pipeline_rate / fp32_rate, 2),
            "pipeline_over_raw": round(pipeline_rate / raw_rate, 3), "index_mb": round(report.index_bytes / 1e6, 2),
            "dtype": embedder.dtype,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def bench_queries(index_dir: Path, questions: list[str]) -> dict:
    """Warm latency per method, of the full chain, and of embedding the query alone."""
    from rag.chain import build_chain

    collection = Collection.load(index_dir)
    collection.embedder.encode_queries(["warm-up"])
    chain = build_chain(collection)
    times: dict[str, list[float]] = {m: [] for m in ("embed_query", "bm25", "dense", "hybrid", "chain")}
    for q in questions:
        t = time.perf_counter()
        collection.embedder.encode_queries([q])
        times["embed_query"].append(time.perf_counter() - t)
        for mode in ("bm25", "dense", "hybrid"):
            collection.__dict__.pop("_query_cache", None)  # every method pays for its own query embedding
            t = time.perf_counter()
            search(collection, parse_question(q), 5, mode)
            times[mode].append(time.perf_counter() - t)
        collection.__dict__.pop("_query_cache", None)
        t = time.perf_counter()
        chain.invoke(q)
        times["chain"].append(time.perf_counter() - t)
    out = {name: _pcts(values) for name, values in times.items()}
    out["chain_over_embed_p50"] = round(out["chain"]["p50_ms"] / out["embed_query"]["p50_ms"], 2)
    return out


def bench_ui(index_dir: Path, questions: list[str]) -> dict:
    """Server-side time from question to rendered answer (Markdown and passages HTML) in the app."""
    from rag.api import Assistant
    from ui.app import App

    app = App(Assistant(index_dir, chat_model=False))
    app.assistant.collection.embedder.encode_queries(["warm-up"])
    for q in questions:
        app.answer(q, [], [], None, None, "", "")
    return _pcts(app.timings)


def bench_cold_start(index_dir: Path, runs: int = 3) -> dict:
    """Wall time of `rag ask` as a fresh process, to the printed answer."""
    times = []
    env = {**os.environ, "RAG_INDEX": str(index_dir)}
    for _ in range(runs):
        t = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "rag.cli", "ask", "What did JA21 ask about Uganda?", "-k", "3"],
                                capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t)
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
    return {"median_s": round(statistics.median(times), 2), "runs": runs}


def run(index_dir: Path, corpus: Path, out: Path) -> dict:
    questions = [q.question for q in load_questions(default_question_files())]
    report = {
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine(),
                    "cores": os.cpu_count()},
        "indexing": bench_indexing(corpus),
        "queries": bench_queries(index_dir, questions),
        "ui": bench_ui(index_dir, questions[:30]),
        "cold_start": bench_cold_start(index_dir),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "bench.md").write_text(markdown(report), encoding="utf-8")
    return report


def markdown(r: dict) -> str:
    q, i = r["queries"], r["indexing"]
    rows = [
        "| what | figure |", "|---|---|",
        f"| indexing, full pipeline ({i['passages']} passages, {i['dtype']}) | {i['pipeline_passages_per_s']} passages/s |",
        f"| indexing, raw encoder on the same passages | {i['raw_encoder_passages_per_s']} passages/s |",
        f"| pipeline / raw encoder | {i['pipeline_over_raw']} |",
        f"| plain float32 `SentenceTransformer.encode`, same passages | {i['plain_fp32_encode_passages_per_s']} passages/s |",
        f"| pipeline / plain float32 | {i['pipeline_over_plain_fp32']} |",
        f"| index size / peak memory | {i['index_mb']} MB / {i['peak_rss_mb']} MB |",
    ]
    for name in ("embed_query", "bm25", "dense", "hybrid", "chain"):
        rows.append(f"| query, {name.replace('_', ' ')}: p50 / p95 | {q[name]['p50_ms']} / {q[name]['p95_ms']} ms |")
    rows += [f"| full chain p50 / query embedding p50 | {q['chain_over_embed_p50']} |",
             f"| UI, question → rendered answer: p50 / p95 | {r['ui']['p50_ms']} / {r['ui']['p95_ms']} ms |",
             f"| cold `rag ask` (fresh process, to printed answer) | {r['cold_start']['median_s']} s |"]
    m = r["machine"]
    return f"Machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}.\n\n" + "\n".join(rows) + "\n"

