"""Questions embedded without torch or sentence-transformers, for a fast cold start.

A question needs one short forward pass; importing sentence-transformers (and torch) costs about 8 s
on a fresh process here, the forward pass milliseconds. `QueryEncoder` runs exactly what the full
path runs for a question to a covered model: the model folder's `tokenizer.json` (the same
`tokenizers` library the full path's fast tokenizer uses), its "query" prompt, the OpenVINO
compilation `rag.openvino_engine` cached for the model (int8, bf16 or f32), mean pooling over the
attention mask and L2 normalisation. OpenVINO's compiled-model cache (`CACHE_DIR`) makes the second
process's compilation cheap.

`QueryEncoder.load` returns None for a model it does not cover (another pooling, no
`tokenizer.json`, a lower-casing model, extra modules) or before the full path has converted the
model once; the caller then uses the full path.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from rag.embedding import normalised

_MODULES = ("Transformer", "Pooling", "Normalize")


def _json(path: Path) -> dict | list | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _covered(model_path: Path) -> tuple[dict[str, str], int] | None:
    """(prompts by name, max tokens) when the folder is a model this encoder reproduces exactly, else None."""
    modules = _json(model_path / "modules.json")
    if not isinstance(modules, list) or not 2 <= len(modules) <= 3:
        return None
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if kinds != list(_MODULES[:len(kinds)]):
        return None
    pooling = _json(model_path / modules[1].get("path", "1_Pooling") / "config.json") or {}
    modes = {k: v for k, v in pooling.items() if k.startswith("pooling_mode_")}
    if modes.get("pooling_mode_mean_tokens") is not True or any(v for k, v in modes.items()
                                                                 if k != "pooling_mode_mean_tokens"):
        return None
    if pooling.get("include_prompt") is False:
        return None  # the prompt's tokens left out of the mean: not reproduced here
    settings = _json(model_path / "sentence_bert_config.json") or {}
    if settings.get("do_lower_case"):
        return None
    if not (model_path / "tokenizer.json").is_file():
        return None
    prompts = (_json(model_path / "config_sentence_transformers.json") or {}).get("prompts") or {}
    return {str(k): str(v) for k, v in prompts.items()}, int(settings.get("max_seq_length") or 512)


class QueryEncoder:
    """Question → L2-normalised float32 vector, as `SentenceTransformerEmbedder.encode_queries` gives it;
    a text's token vectors as `SentenceTransformerEmbedder.encode_tokens` gives them."""

    def __init__(self, compiled, tokenizer, prompts: dict[str, str]):
        self._request = compiled.create_infer_request()
        self._tokenizer = tokenizer
        self._prompts = prompts
        self._lock = threading.Lock()

    @classmethod
    def load(cls, model_path: Path, precision: str) -> "QueryEncoder | None":
        """The encoder for the model folder in OpenVINO `precision` ("int8", "bf16", "f32"), or None."""
        covered = _covered(model_path)
        if covered is None:
            return None
        from rag import openvino_engine

        if not openvino_engine.available():
            return None
        compiled = openvino_engine.cached_compilation(model_path, precision)
        if compiled is None:
            return None
        from tokenizers import Tokenizer

        prompts, max_tokens = covered
        tokenizer = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        tokenizer.enable_truncation(max_length=max_tokens)
        tokenizer.no_padding()
        return cls(compiled, tokenizer, prompts)

    def _hidden(self, text: str, kind: str):
        """The encoding of the prompted text and its last layer's token vectors (one text: no padding, so
        nothing differs from a batch of one)."""
        encoding = self._tokenizer.encode(self._prompts.get(kind, "") + text)
        ids = np.array([encoding.ids], dtype=np.int64)
        mask = np.array([encoding.attention_mask], dtype=np.int64)
        with self._lock:
            hidden = np.array(self._request.infer({"input_ids": ids, "attention_mask": mask})[0], dtype=np.float32)
        return encoding, hidden[0]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            _, hidden = self._hidden(text, "query")
            rows.append(hidden.mean(axis=0))  # every token is attended: the mask's mean is the plain mean
        return normalised(np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32))

    def encode_tokens(self, text: str, kind: str = "query") -> np.ndarray:
        """The L2-normalised vectors of the text's own tokens (`rag.token_match.own_tokens`)."""
        from rag.token_match import own_tokens

        encoding, hidden = self._hidden(text, kind)
        return normalised(hidden[own_tokens(encoding.offsets, encoding.special_tokens_mask,
                                            len(self._prompts.get(kind, "")))])
