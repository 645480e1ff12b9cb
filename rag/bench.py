"""The benchmark: indexing throughput against the raw encoder, warm query latency per method and for
the full chain, the chat interface's question → answer time, and cold start of `rag ask`; optionally a
search backend against the local index and a Ray build against a local one.

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

from rag import scale
from rag.collection import Collection
from rag.errors import RagError
from rag.evaluation import default_question_files, load_questions
from rag.query import parse_question
from rag.retriever import search


def _pcts(values: list[float]) -> dict:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))]
    return {"p50_ms": round(1000 * statistics.median(values), 1), "p95_ms": round(1000 * p95, 1), "n": len(values)}


def _build(corpus: Path, folder: Path, embedder, questions) -> tuple[dict, Collection]:
    """Build an index of `corpus` with `embedder`; its build report and hybrid MRR@10 on `questions`."""
    from rag.evaluation import evaluate_index
    from rag.indexer import build_index

    report = build_index([corpus], folder, embedder=embedder)
    collection = Collection.load(folder, embedder=embedder)
    try:
        mrr = evaluate_index(collection, questions)["methods"]["hybrid"]["overall"]["mrr@10"]
    except RagError:  # no question has its document in this corpus
        mrr = None
    return {"rate": report.embedded_passages / report.seconds, "report": report, "mrr": mrr,
            "outside_encoder": 1 - report.embed_seconds / report.seconds}, collection


def bench_indexing(corpus: Path, questions) -> dict:
    """Passages/s of a full build of `corpus` at the default precision and in float32, of the raw
    encoder and of plain float32 `SentenceTransformer.encode` on the same passages, and the hybrid
    MRR@10 of both builds on the questions whose documents the corpus holds."""
    from rag.embedding import SentenceTransformerEmbedder, make_embedder

    embedder = make_embedder()
    embedder.encode_queries(["warm-up"])
    fp32 = SentenceTransformerEmbedder(embedder.name, dtype="float32", engine="torch")
    fp32.encode_queries(["warm-up"])
    with tempfile.TemporaryDirectory() as tmp:
        default, collection = _build(corpus, Path(tmp) / "default", embedder, questions)
        texts = [c.embed_text for c in collection.chunks]
        same = embedder.dtype == "float32" and getattr(embedder, "engine", "torch") == "torch"
        full32 = default if same else _build(corpus, Path(tmp) / "fp32", fp32, questions)[0]
    started = time.perf_counter()
    for i in range(0, len(texts), 256):
        embedder.encode_documents(texts[i:i + 256], batch_size=8)
    raw_rate = len(texts) / (time.perf_counter() - started)
    plain = fp32.model  # the baseline: plain float32 SentenceTransformer.encode, its defaults
    started = time.perf_counter()
    plain.encode(texts, prompt_name="document", show_progress_bar=False)
    fp32_rate = len(texts) / (time.perf_counter() - started)
    report = default["report"]
    return {"corpus": str(corpus), "documents": report.documents, "passages": report.passages,
            "dtype": embedder.dtype, "engine": getattr(embedder, "engine", "none"),
            "pipeline_passages_per_s": round(default["rate"], 1),
            "raw_encoder_passages_per_s": round(raw_rate, 1),
            "plain_fp32_encode_passages_per_s": round(fp32_rate, 1),
            "pipeline_fp32_passages_per_s": round(full32["rate"], 1),
            "pipeline_over_plain_fp32": round(default["rate"] / fp32_rate, 2),
            "pipeline_over_raw": round(default["rate"] / raw_rate, 3),
            # The build's own time outside encode calls: parsing, chunking, BM25, writing. The raw
            # encoder runs after the build, on shapes the engine has seen: the ratio above is noisy.
            "share_outside_encoder": round(default["outside_encoder"], 3),
            "hybrid_mrr10": default["mrr"], "hybrid_mrr10_fp32_index": full32["mrr"],
            "index_mb": round(report.index_bytes / 1e6, 2),
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
    embed = out["embed_query"]["p50_ms"]
    out["chain_over_embed_p50"] = round(out["chain"]["p50_ms"] / embed, 2) if embed else None
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


def _time_ask(env: dict, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "rag.cli", "ask", "What did JA21 ask about Uganda?", "-k", "3"],
                                capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - t)
        if result.returncode != 0:
            raise RuntimeError(result.stderr)
    return round(statistics.median(times), 2)


def bench_cold_start(index_dir: Path, runs: int = 5) -> dict:
    """Median wall time of `rag ask` as a fresh process, to the printed answer: alone (questions
    embedded without torch, `rag.query_encoder`), alone on the full sentence-transformers path, and
    through a running `rag serve`."""
    from rag.service import ask_service, socket_path

    env = {**os.environ, "RAG_INDEX": str(index_dir)}
    _time_ask({**env, "RAG_NO_SERVICE": "1"}, 1)  # once, so that OpenVINO's compiled-model cache is there
    alone = _time_ask({**env, "RAG_NO_SERVICE": "1"}, runs)
    full = _time_ask({**env, "RAG_NO_SERVICE": "1", "RAG_DIRECT_QUERIES": "0"}, runs)
    server = subprocess.Popen([sys.executable, "-m", "rag.cli", "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while ask_service(index_dir, {"ping": True}) is None:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"`rag serve` did not start on {socket_path(index_dir)}")
            time.sleep(0.2)
        served = _time_ask(env, runs)
    finally:
        server.terminate()
        server.wait(30)
    return {"median_s": alone, "full_path_median_s": full, "with_service_median_s": served, "runs": runs}


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    from rag.embedding import bf16_supported

    return {"python": platform.python_version(), "cpu": cpu, "cores": os.cpu_count(),
            "bf16": bf16_supported(), "ram_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)}


def bench_backend(index_dir: Path, backend: str, questions: list[str]) -> dict:
    """A search backend (`rag.search_backend`) against the local index: the time to fill it from the
    index (a full sync into an empty backend, then a re-sync), as a share of the local build's own
    time; warm hybrid and full-chain latency on both; whether both return the same top 5."""
    from rag.chain import build_chain
    from rag.milvus import sync

    local = Collection.load(index_dir)
    local.embedder.encode_queries(["warm-up"])
    t = time.perf_counter()
    filled = sync(backend, local)
    fill_s = time.perf_counter() - t
    t = time.perf_counter()
    sync(backend, local)
    resync_s = time.perf_counter() - t
    remote = Collection.load(index_dir, embedder=local.embedder).use_backend(backend)
    out: dict = {"backend": backend, "passages": len(local.chunks), "added": filled["added"],
                 "fill_s": round(fill_s, 2), "resync_s": round(resync_s, 2)}
    build_s = local.manifest.get("build", {}).get("seconds")
    if build_s and filled["added"] == len(local.chunks):
        out["fill_over_local_build"] = round(fill_s / build_s, 3)
    same = 0
    for name, collection in (("local", local), ("backend", remote)):
        chain = build_chain(collection)
        hybrid, whole = [], []
        for q in questions:
            t = time.perf_counter()
            search(collection, parse_question(q), 5)
            hybrid.append(time.perf_counter() - t)
            t = time.perf_counter()
            chain.invoke(q)
            whole.append(time.perf_counter() - t)
        out[name] = {"hybrid": _pcts(hybrid), "chain": _pcts(whole)}
    for q in questions:
        same += [h.chunk.chunk_id for h in search(local, parse_question(q), 5)] == \
            [h.chunk.chunk_id for h in search(remote, parse_question(q), 5)]
    out["same_top5"] = round(same / len(questions), 4) if questions else None
    return out


def bench_ray(corpus: Path, workers: int | None = None, address: str | None = None, sink: str | None = None) -> dict:
    """A full build of `corpus` locally and on Ray (`rag index --ray`), side by side with the same model:
    passages/s of each, per embedding worker, and Ray's overhead over the local build: the build itself
    (its pool of workers started, each loading its model, once parsing is done: parsing has every CPU
    until then) and with Ray's own start. `sink`: a Milvus server the workers write to as they embed."""
    from rag.embedding import make_embedder
    from rag.indexer import build_index
    from rag.ray_ingest import RayExecutor

    embedder = make_embedder()
    embedder.encode_queries(["warm-up"])
    with tempfile.TemporaryDirectory() as tmp:
        local = build_index([corpus], Path(tmp) / "local", embedder=embedder)
        started = time.perf_counter()
        executor = RayExecutor(address, embedder.name, workers, sink=sink)
        ready = time.perf_counter() - started
        try:
            ray = build_index([corpus], Path(tmp) / "ray", embedder=embedder, executor=executor)
        finally:
            executor.close()
    local_rate, ray_rate = local.passages_per_second, ray.passages_per_second
    return {"corpus": str(corpus), "documents": local.documents, "passages": local.passages,
            "ray_passages": ray.passages, "workers": executor.workers, "threads_per_worker": executor.threads,
            "local_s": round(local.seconds, 1), "ray_s": round(ray.seconds, 1), "ray_start_s": round(ready, 1),
            "local_passages_per_s": round(local_rate, 1), "ray_passages_per_s": round(ray_rate, 1),
            "ray_passages_per_s_per_worker": round(ray_rate / executor.workers, 1),
            "overhead": round(ray.seconds / local.seconds - 1, 3),
            "overhead_with_start": round((ray.seconds + ready) / local.seconds - 1, 3),
            "written_by_workers": ray.sent_to_backend}


def run(index_dir: Path, corpus: Path, out: Path, scale_sizes: list[int] = (), backend: str | None = None,
        ray: bool = False, ray_address: str | None = None, workers: int | None = None) -> dict:
    """The whole benchmark; writes bench.json and bench.md (with the scale part when asked) to `out`."""
    questions = load_questions(default_question_files())
    texts = [q.question for q in questions]
    report = {
        "machine": machine(),
        "indexing": bench_indexing(corpus, questions),
        "queries": bench_queries(index_dir, texts),
        "ui": bench_ui(index_dir, texts[:30]),
        "cold_start": bench_cold_start(index_dir),
    }
    if scale_sizes:
        report["scale"] = scale.run(Collection.load(index_dir), list(scale_sizes), texts, log=lambda row: None)
    if backend:
        report["backend"] = bench_backend(index_dir, backend, texts)
    if ray:
        from rag.search_backend import server_address

        report["ray"] = bench_ray(corpus, workers, ray_address, server_address(backend))
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (out / "bench.md").write_text(markdown(report), encoding="utf-8")
    return report


def markdown(r: dict) -> str:
    q, i = r["queries"], r["indexing"]
    rows = [
        "| what | figure |", "|---|---|",
        f"| indexing, full pipeline ({i['passages']} passages, {i.get('engine', 'torch')} {i['dtype']}) | "
        f"{i['pipeline_passages_per_s']} passages/s |",
        f"| indexing, raw encoder on the same passages | {i['raw_encoder_passages_per_s']} passages/s |",
        f"| pipeline / raw encoder | {i['pipeline_over_raw']} |",
        f"| share of the build spent outside the encoder (our code) | {i.get('share_outside_encoder', '–')} |",
        f"| plain float32 `SentenceTransformer.encode`, same passages | "
        f"{i['plain_fp32_encode_passages_per_s']} passages/s |",
        f"| pipeline / plain float32 | {i['pipeline_over_plain_fp32']} |",
        f"| full pipeline in plain float32 (torch), same passages | {i['pipeline_fp32_passages_per_s']} passages/s |",
        f"| hybrid MRR@10 on the eval questions in this corpus: this index / plain float32 index | "
        f"{i['hybrid_mrr10']} / {i['hybrid_mrr10_fp32_index']} |",
        f"| index size / peak memory | {i['index_mb']} MB / {i['peak_rss_mb']} MB |",
    ]
    for name in ("embed_query", "bm25", "dense", "hybrid", "chain"):
        rows.append(f"| query, {name.replace('_', ' ')}: p50 / p95 | {q[name]['p50_ms']} / {q[name]['p95_ms']} ms |")
    rows += [f"| full chain p50 / query embedding p50 | {q['chain_over_embed_p50']} |",
             f"| UI, question → rendered answer: p50 / p95 | {r['ui']['p50_ms']} / {r['ui']['p95_ms']} ms |",
             f"| cold `rag ask` (fresh process, to printed answer; median of {r['cold_start']['runs']}) | "
             f"{r['cold_start']['median_s']} s |",
             f"| cold `rag ask` on the full sentence-transformers path (`RAG_DIRECT_QUERIES=0`) | "
             f"{r['cold_start'].get('full_path_median_s', '–')} s |",
             f"| cold `rag ask` with `rag serve` (or `rag ui`) running | "
             f"{r['cold_start']['with_service_median_s']} s |"]
    if "backend" in r:
        b = r["backend"]
        rows += [f"| {b['backend']}: fill from the index ({b['passages']} passages) / re-sync (nothing changed) | "
                 f"{b['fill_s']} s / {b['resync_s']} s |",
                 f"| fill time / the local build's own time | {b.get('fill_over_local_build', '–')} |",
                 f"| hybrid search p50 / p95: local / backend | {b['local']['hybrid']['p50_ms']} / "
                 f"{b['local']['hybrid']['p95_ms']} ms / {b['backend']['hybrid']['p50_ms']} / "
                 f"{b['backend']['hybrid']['p95_ms']} ms |",
                 f"| full chain p50 / p95: local / backend | {b['local']['chain']['p50_ms']} / "
                 f"{b['local']['chain']['p95_ms']} ms / {b['backend']['chain']['p50_ms']} / "
                 f"{b['backend']['chain']['p95_ms']} ms |",
                 f"| same top 5 as the local index | {b['same_top5']} |"]
    if "ray" in r:
        y = r["ray"]
        rows += [f"| build of {y['corpus']} ({y['passages']} passages): local / Ray ({y['workers']} worker(s) × "
                 f"{y['threads_per_worker']} threads) | {y['local_s']} s ({y['local_passages_per_s']} passages/s) / "
                 f"{y['ray_s']} s ({y['ray_passages_per_s']} passages/s, "
                 f"{y['ray_passages_per_s_per_worker']} per worker) |",
                 f"| Ray's overhead over the local build: pool started / with Ray's start ({y['ray_start_s']} s) | "
                 f"{100 * y['overhead']:+.1f} % / {100 * y['overhead_with_start']:+.1f} % |"]
    m = r["machine"]
    head = (f"Machine: {m['cores']} cores, {m['cpu']} (bfloat16: {'yes' if m['bf16'] else 'no'}), {m['ram_gb']} GB, "
            f"Python {m['python']}.\n\n")
    return head + "\n".join(rows) + "\n" + (f"\n{scale.markdown(r['scale'])}" if "scale" in r else "")

