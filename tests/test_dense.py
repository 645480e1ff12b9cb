"""The dense index: chosen by size, every kind finds what exact search finds, and a build records it."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BUNDLED


def _vectors(n: int, dim: int = 32, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(20, dim))
    v = centres[rng.integers(0, 20, n)] + 0.3 * rng.normal(size=(n, dim))
    return np.ascontiguousarray(v / np.linalg.norm(v, axis=1, keepdims=True), dtype=np.float32)


def test_kind_is_chosen_by_size():
    from rag.dense import FLAT_MAX, choose_kind

    assert choose_kind(10) == "flat" and choose_kind(FLAT_MAX) == "flat"
    assert choose_kind(FLAT_MAX + 1) == "hnsw" and choose_kind(10_000_000) == "hnsw"


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf", "ivfpq"])
def test_every_kind_finds_each_stored_vector_first(kind):
    from rag.dense import index_kind, make_dense_index, search_dense

    vectors = _vectors(3000)
    index = make_dense_index(vectors, kind)
    assert index.ntotal == len(vectors) and index_kind(index) == kind
    for row in (0, 1234, 2999):
        ids = search_dense(index, vectors, vectors[row][None, :], 10, depth=64)
        assert ids[0] == row and len(ids) == 10
        assert np.all(np.diff(vectors[ids[ids >= 0]] @ vectors[row]) <= 1e-6)  # best first


def test_recall_of_the_default_depth_against_exact_search():
    from rag.dense import make_dense_index, search_dense
    from rag.scale import recall_at_k

    vectors, queries = _vectors(5000), _vectors(50, seed=1)
    exact = np.argsort(-(queries @ vectors.T), axis=1)[:, :10]
    index = make_dense_index(vectors, "hnsw")
    found = np.vstack([search_dense(index, vectors, q[None, :], 10) for q in queries])
    assert recall_at_k(found, exact) >= 0.95


def test_a_build_records_its_kind_and_a_large_one_gets_hnsw(tmp_path, monkeypatch, fake_embedder):
    import faiss

    import rag.dense
    from rag.collection import Collection
    from rag.indexer import build_index
    from rag.query import parse_question
    from rag.retriever import search

    build_index([BUNDLED], tmp_path / "flat", embedder=fake_embedder)
    monkeypatch.setattr(rag.dense, "FLAT_MAX", 10)
    build_index([BUNDLED], tmp_path / "hnsw", embedder=fake_embedder)
    flat = Collection.load(tmp_path / "flat", embedder=fake_embedder)
    hnsw = Collection.load(tmp_path / "hnsw", embedder=fake_embedder)
    assert flat.manifest["dense"] == {"kind": "flat"} and hnsw.manifest["dense"] == {"kind": "hnsw"}
    assert isinstance(hnsw.dense, faiss.IndexHNSWFlat)
    query = parse_question("Wat vroeg JA21 over Oeganda?")
    assert [h.chunk.chunk_id for h in search(hnsw, query, 3, "dense")] == \
        [h.chunk.chunk_id for h in search(flat, query, 3, "dense")]


def test_synthetic_vectors_stay_unit_length_and_near_the_real_ones():
    from rag.scale import synthetic_vectors

    real = _vectors(500)
    synthetic = synthetic_vectors(real, 2000)
    assert synthetic.shape == (2000, 32) and np.allclose(np.linalg.norm(synthetic, axis=1), 1, atol=1e-5)
    assert float(np.median((synthetic @ real.T).max(axis=1))) > 0.9
