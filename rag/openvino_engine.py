"""Run a sentence-transformers model's transformer on OpenVINO, keeping sentence-transformers for
everything around it (tokenising, batching, prompts, pooling, normalising).

This is what sentence-transformers' own `backend="openvino"` does, without its optimum-intel
dependency, which cannot be installed beside torch 2.13 and transformers 5.24. Measured here (2 cores,
AVX512-BF16, 384 passages of the shared corpus, batches of 8): OpenVINO bf16 2.57× and OpenVINO f32
1.58× plain float32 `SentenceTransformer.encode`, against 2.1× for torch in bfloat16; cosine to the
float32 vectors ≥ 0.9999 (README, "Speed").

The converted (and quantised) model is cached beside the provisioned models (`rag.models.cache_dir()`,
in `openvino/`), keyed by the model folder, its weights and the OpenVINO version: only the first load
converts.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import sys
import threading
import warnings
from pathlib import Path

import numpy as np


CALIBRATION_VERSION = 1  # bump when calibration_texts changes: the int8 model is quantised again


def available() -> bool:
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


def _cache_dir(model_path: Path) -> Path:
    import openvino

    weights = sorted(p for p in model_path.rglob("*") if p.is_file() and p.suffix in (".safetensors", ".bin"))
    key = hashlib.sha256("\n".join([str(model_path.resolve()), openvino.__version__] + [
        f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in weights]).encode()).hexdigest()[:16]
    from rag.models import cache_dir

    return cache_dir() / "openvino" / key


def _convert(hf_model, tokenizer):
    import openvino as ov
    import torch

    class _Forward(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask):
            return self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    example = tokenizer(["een voorbeeld", "nog een iets langer voorbeeld"], return_tensors="pt", padding=True)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer warnings about shape checks: the shapes stay dynamic
        return ov.convert_model(_Forward(hf_model.float().eval()),
                                example_input={"input_ids": example["input_ids"],
                                               "attention_mask": example["attention_mask"]})


def int8_supported() -> bool:
    """Whether OpenVINO runs int8 natively on this CPU (VNNI)."""
    import openvino as ov

    return "INT8" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


def calibration_texts(st_model) -> list[str]:
    """What int8 quantisation calibrates on: the bundled corpus's passages as documents, and their
    first sentences as questions, with the model's prompts (fixed data: the same model everywhere)."""
    from rag.chunking import chunk_document
    from rag.ingest import SUPPORTED, read_source
    from rag.sentences import sentence_spans
    from rag.structure import build_document

    prompts = st_model.prompts or {}
    texts: list[str] = []
    corpus = Path(__file__).resolve().parent / "corpus"
    for path in sorted(p for p in corpus.iterdir() if p.suffix.lower() in SUPPORTED):
        for chunk in chunk_document(build_document(read_source(path))):
            texts.append(prompts.get("document", "") + chunk.embed_text)
            spans = sentence_spans(chunk.text)
            if spans:
                texts.append(prompts.get("query", "") + chunk.text[spans[0][0]:spans[0][1]])
    return texts


def _quantize(model, st_model):
    import nncf

    tokenizer = st_model.tokenizer
    items = []
    for text in calibration_texts(st_model):
        encoded = tokenizer([text], return_tensors="np", truncation=True, max_length=512)
        items.append({"input_ids": encoded["input_ids"].astype(np.int64),
                      "attention_mask": encoded["attention_mask"].astype(np.int64)})
    print("Quantising the model to int8, once for this machine (about a minute)…", file=sys.stderr, flush=True)
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return nncf.quantize(model, nncf.Dataset(items), model_type=nncf.ModelType.TRANSFORMER,
                             subset_size=len(items))


def _save(model, folder: Path, name: str) -> None:
    import openvino as ov

    tmp = folder / f".{name}.{os.getpid()}.tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    ov.save_model(model, str(tmp / "model.xml"), compress_to_fp16=False)
    for suffix in (".bin", ".xml"):  # .xml last: it is what marks the model as there
        os.replace(tmp / f"model{suffix}", folder / f"{name}{suffix}")
    tmp.rmdir()


def compiled_model(st_model, model_path: Path, precision: str):
    """The model's transformer compiled by OpenVINO for the CPU in `precision` ("int8", "bf16" or
    "f32"); int8 is quantised once (static, calibrated on `calibration_texts`) and cached."""
    import openvino as ov

    folder = _cache_dir(model_path)
    folder.mkdir(parents=True, exist_ok=True)
    name = _model_name(precision)
    if not (folder / f"{name}.xml").exists():
        if not (folder / "model.xml").exists():
            _save(_convert(st_model[0].auto_model, st_model.tokenizer), folder, "model")
        if precision == "int8":
            _save(_quantize(ov.Core().read_model(str(folder / "model.xml")), st_model), folder, name)
    return _compile(folder, name, precision)


def cached_compilation(model_path: Path, precision: str):
    """The compiled model when an earlier `compiled_model` left it in the cache, else None; needs
    neither torch nor sentence-transformers (`rag.query_encoder`)."""
    folder = _cache_dir(model_path)
    name = _model_name(precision)
    return _compile(folder, name, precision) if (folder / f"{name}.xml").exists() else None


def _model_name(precision: str) -> str:
    return f"model-int8-c{CALIBRATION_VERSION}" if precision == "int8" else "model"


def _compile(folder: Path, name: str, precision: str):
    import openvino as ov

    core = ov.Core()
    # OpenVINO keeps the compiled blob: a fresh process compiles in a fraction of the time.
    core.set_property({"CACHE_DIR": str(folder / "compiled")})
    # int8 layers run in int8 whatever the hint; the rest is fastest in f32 here (34 vs 28 passages/s).
    hint = "f32" if precision == "int8" else precision
    return core.compile_model(str(folder / f"{name}.xml"), "CPU", {"INFERENCE_PRECISION_HINT": hint,
                                                                   "PERFORMANCE_HINT": "LATENCY"})


def use_openvino(st_model, model_path: Path, precision: str) -> None:
    """Swap the model's transformer for its OpenVINO compilation, in place."""
    import torch

    compiled = compiled_model(st_model, model_path, precision)
    original = st_model[0].auto_model

    class _OpenVINOTransformer(torch.nn.Module):
        """Stands where the Hugging Face model stood: same inputs, `last_hidden_state` out."""

        def __init__(self):
            super().__init__()
            self.config = original.config
            self.anchor = torch.nn.Parameter(torch.zeros(1), requires_grad=False)  # device/dtype queries
            self._request = compiled.create_infer_request()
            self._lock = threading.Lock()  # one inference at a time on one request

        def forward(self, input_ids, attention_mask, **_):
            inputs = {"input_ids": input_ids.numpy().astype(np.int64),
                      "attention_mask": attention_mask.numpy().astype(np.int64)}
            with self._lock:
                hidden = np.array(self._request.infer(inputs)[0], dtype=np.float32)
            return {"last_hidden_state": torch.from_numpy(hidden)}

    st_model[0].model = _OpenVINOTransformer()
    st_model[0].model_forward_params = {"input_ids", "attention_mask"}
