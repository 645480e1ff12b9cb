"""The dense index: which FAISS index a build gets for its size, and searching it.

Up to FLAT_MAX passages, exact search (`IndexFlatIP`) is fast enough (14 ms at 100,000 here) and
has nothing to tune. Above, HNSW (M = 32, efConstruction = 80) searched with efSearch = DEFAULT_EF:
at 1,000,000 passages 6.8 ms a question with recall@10 0.971 against exact search (exact: 228 ms).
Measured by `rag bench --scale` (README, "Speed") on vectors made from the model's own: e5's
questions lie apart from its passages, so HNSW needs a deep search (efSearch 512 gave 0.78) and IVF
many probes (512 of 4,000 lists for 0.978 at 12.6 ms). Inner product on normalised vectors is
cosine similarity throughout.

"ivf" and "ivfpq" (product-quantised codes, 105 MB a million, re-ranked exactly from the
memory-mapped vectors file; 0.954 at 9.7 ms) are kept for comparison and for machines where the
vectors do not fit in memory; they are never chosen automatically.
"""

from __future__ import annotations

import math

import numpy as np

FLAT_MAX = 200_000
DEFAULT_NPROBE = 512
DEFAULT_EF = 2048
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
RERANK_FACTOR = 10  # ivfpq: exact scores for this many × k candidates


def choose_kind(n: int) -> str:
    """The index kind a build of n passages gets."""
    return "flat" if n <= FLAT_MAX else "hnsw"


def nlist_for(n: int) -> int:
    return max(1, int(4 * math.sqrt(n)))


def make_dense_index(vectors: np.ndarray, kind: str):
    """A FAISS index of `kind` ("flat", "ivf", "ivfpq", "hnsw") holding the rows of `vectors`
    (float32, normalised; may be memory-mapped), row i as id i."""
    import faiss

    n, dim = vectors.shape
    if kind == "flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    elif kind in ("ivf", "ivfpq"):
        nlist = nlist_for(n)
        codes = "Flat" if kind == "ivf" else f"PQ{dim // 4}"
        index = faiss.index_factory(dim, f"IVF{nlist},{codes}", faiss.METRIC_INNER_PRODUCT)
        # faiss wants ≥ 39 training points a list; 64 a list, evenly spread, is plenty.
        sample = np.linspace(0, n - 1, min(n, 64 * nlist)).astype(np.int64)
        index.train(np.ascontiguousarray(vectors[sample], dtype=np.float32))
    else:
        raise ValueError(f"unknown dense index kind {kind!r}")
    for start in range(0, n, 65536):
        index.add(np.ascontiguousarray(vectors[start:start + 65536], dtype=np.float32))
    return index


def index_kind(index) -> str:
    import faiss

    if isinstance(index, faiss.IndexHNSWFlat):
        return "hnsw"
    if isinstance(index, faiss.IndexIVFPQ):
        return "ivfpq"
    if isinstance(index, faiss.IndexIVF):
        return "ivf"
    return "flat"


def search_dense(index, vectors: np.ndarray, query: np.ndarray, k: int, depth: int | None = None) -> np.ndarray:
    """Row ids of the k best rows for `query` ([1 × dim]), best first (−1 pads a short result).

    `depth`: lists probed (IVF) or efSearch (HNSW); None takes the measured defaults.
    """
    import faiss

    kind = index_kind(index)
    if kind == "flat":
        return index.search(query, k)[1][0]
    if kind == "hnsw":
        params = faiss.SearchParametersHNSW(efSearch=max(depth or DEFAULT_EF, k))
        return index.search(query, k, params=params)[1][0]
    params = faiss.SearchParametersIVF(nprobe=depth or DEFAULT_NPROBE)
    if kind == "ivf":
        return index.search(query, k, params=params)[1][0]
    ids = index.search(query, k * RERANK_FACTOR, params=params)[1][0]
    ids = np.sort(ids[ids >= 0])
    exact = np.asarray(vectors[ids]) @ query[0]
    return ids[np.argsort(-exact, kind="stable")[:k]]
