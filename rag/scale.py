"""The scale benchmark: FAISS index kinds and BM25 at passage counts beyond the corpus (100k, 1M).

Vectors are made from a real index's passage vectors, so they keep the model's geometry (e5
vectors fill a narrow cone; random Gaussian or clustered vectors do not, and gave misleading
HNSW recall): each synthetic vector is a real one moved by a fifth of the difference of two
others, normalised. A fifth was calibrated on the whole shared corpus (56,749 real vectors and as
many synthetic ones): the eval questions' best and 10th-best cosines (0.866 / 0.835 real, 0.857 /
0.830 synthetic) and IVF's recall@10 at 8, 32 and 128 probes (0.49 / 0.71 / 0.92 real, 0.43 / 0.71 /
0.92 synthetic) agree; half the difference made search harder than real data (recall@10 0.78 at
128 probes). Queries are the eval questions embedded by the index's model. Recall@10 of every
kind is measured against exact (flat) search over the same vectors; latency is one question at a
time, as the chain asks. BM25 is built by the project's own `LexicalIndex` over the index's
passage texts repeated to the count (vocabulary and lengths stay real; build time and latency are
what count here).
"""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import dataclass

import numpy as np

from rag.collection import Collection
from rag.dense import choose_kind, make_dense_index, search_dense

K = 10
TARGET_RECALL = 0.95


def synthetic_vectors(real: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """n unit vectors near the real ones: real[i] + 0.2 (real[j] − real[k]), normalised."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        i, j, k = (rng.integers(0, len(real), m) for _ in range(3))
        block = real[i] + 0.2 * (real[j] - real[k])
        out[start:start + m] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    return float(np.mean([len(set(f[f >= 0]) & set(t)) / len(t) for f, t in zip(found, truth)]))


@dataclass(frozen=True)
class Timed:
    p50_ms: float
    ids: np.ndarray


def _timed_search(search, queries: np.ndarray) -> Timed:
    times, rows = [], []
    for q in queries:
        t = time.perf_counter()
        rows.append(search(q[None, :]))
        times.append(time.perf_counter() - t)
    return Timed(round(1000 * statistics.median(times), 2), np.vstack(rows))


def bench_dense(vectors: np.ndarray, queries: np.ndarray, kinds: list[str]) -> list[dict]:
    """Build time, size, p50 and recall@10 against flat for each index kind (its search depth
    swept until recall@10 reaches TARGET_RECALL)."""
    import faiss

    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(vectors)
    _, truth = flat.search(queries, K)
    rows = []
    for kind in kinds:
        started = time.perf_counter()
        index = flat if kind == "flat" else make_dense_index(vectors, kind)
        build_s = time.perf_counter() - started
        size = len(faiss.serialize_index(index))
        for depth in ((None,) if kind == "flat" else (16, 32, 64, 128, 256, 512, 1024, 2048)):
            timed = _timed_search(lambda q: search_dense(index, vectors, q, K, depth), queries)
            recall = recall_at_k(timed.ids, truth)
            rows.append({"n": len(vectors), "kind": kind, "depth": depth, "build_s": round(build_s, 1),
                         "bytes_per_vector": round(size / len(vectors), 1),
                         "mb_per_million": round(size / len(vectors) * 1e6 / 2**20),
                         "p50_ms": timed.p50_ms, "recall_at_10": round(recall, 4)})
            if recall >= TARGET_RECALL:
                break
        if index is not flat:
            del index
            gc.collect()
    return rows


def bench_bm25(texts: list[str], n: int, questions: list[str]) -> dict:
    from rag.lexical import LexicalIndex

    corpus = [texts[i % len(texts)] for i in range(n)]
    started = time.perf_counter()
    index = LexicalIndex.build(corpus)
    build_s = time.perf_counter() - started
    del corpus
    times = []
    for q in questions:
        t = time.perf_counter()
        scores = index.scores(q)
        np.argpartition(-scores, K)[:K]
        times.append(time.perf_counter() - t)
    return {"n": n, "build_s": round(build_s, 1), "p50_ms": round(1000 * statistics.median(times), 2)}


def run(collection: Collection, sizes: list[int], questions: list[str], kinds: list[str] | None = None,
        bm25: bool = True, log=print) -> dict:
    real = np.ascontiguousarray(collection.vectors, dtype=np.float32)
    queries = collection.embedder.encode_queries(questions)
    texts = [c.embed_text for c in collection.chunks]
    report: dict = {"real_vectors": len(real), "queries": len(queries), "dense": [], "bm25": [],
                    "chosen": {str(n): choose_kind(n) for n in sizes}}
    for n in sizes:
        vectors = synthetic_vectors(real, n)
        for row in bench_dense(vectors, queries, kinds or ["flat", "hnsw", "ivf", "ivfpq"]):
            log(row)
            report["dense"].append(row)
        del vectors
        gc.collect()
        if bm25:
            row = bench_bm25(texts, n, questions)
            log(row)
            report["bm25"].append(row)
    return report


def markdown(report: dict) -> str:
    lines = ["| passages | index | search depth | build | memory / 1M passages | p50 | recall@10 vs flat |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for r in report["dense"]:
        lines.append(f"| {r['n']:,} | {r['kind']} | {r['depth'] or '–'} | {r['build_s']} s | "
                     f"{r['mb_per_million']:,} MB | {r['p50_ms']} ms | {r['recall_at_10']:.3f} |")
    if report["bm25"]:
        lines += ["", "| passages | BM25 build | BM25 p50 (scores of every passage + top 10) |", "|---:|---:|---:|"]
        lines += [f"| {r['n']:,} | {r['build_s']} s | {r['p50_ms']} ms |" for r in report["bm25"]]
    return "\n".join(lines) + "\n"
