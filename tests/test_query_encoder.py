"""Questions embedded without torch (`rag.query_encoder`): which models it covers, the same vectors
and the same passages as the full sentence-transformers path, and a cold `rag ask` that imports
neither torch nor sentence-transformers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO

from rag.query_encoder import _covered


def _model_folder(root: Path, pooling: dict | None = None, lower: bool = False, modules: int = 3,
                  tokenizer: bool = True) -> Path:
    kinds = ["Transformer", "Pooling", "Normalize", "Dense"][:modules]
    paths = ["", "1_Pooling", "2_Normalize", "3_Dense"]
    (root / "1_Pooling").mkdir(parents=True)
    (root / "modules.json").write_text(json.dumps([
        {"idx": i, "name": str(i), "path": paths[i], "type": f"sentence_transformers.models.{k}"}
        for i, k in enumerate(kinds)]))
    (root / "1_Pooling" / "config.json").write_text(json.dumps(pooling or {
        "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": False}))
    (root / "sentence_bert_config.json").write_text(json.dumps({"max_seq_length": 256, "do_lower_case": lower}))
    (root / "config_sentence_transformers.json").write_text(json.dumps({"prompts": {"query": "query: "}}))
    if tokenizer:
        (root / "tokenizer.json").write_text("{}")
    return root


def test_covers_mean_pooled_models_with_a_tokenizer_file(tmp_path):
    assert _covered(_model_folder(tmp_path / "e5")) == ({"query": "query: "}, 256)
    assert _covered(_model_folder(tmp_path / "two", modules=2)) == ({"query": "query: "}, 256)  # no Normalize module


@pytest.mark.parametrize("change", ["cls", "lower", "dense", "no-tokenizer"])
def test_leaves_other_models_to_the_full_path(tmp_path, change):
    folder = _model_folder(
        tmp_path / change, lower=change == "lower", modules=4 if change == "dense" else 3,
        tokenizer=change != "no-tokenizer",
        pooling={"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False} if change == "cls" else None)
    assert _covered(folder) is None


def _questions() -> list[str]:
    files = sorted((REPO / "eval" / "questions").glob("*.jsonl"))
    return [json.loads(line)["question"] for f in files for line in f.read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.mark.slow
def test_the_same_vectors_and_passages_as_the_full_path(real_index):
    from rag.collection import Collection
    from rag.embedding import SentenceTransformerEmbedder
    from rag.query import parse_question
    from rag.retriever import search

    full = SentenceTransformerEmbedder()
    full.model  # loaded: questions go the full path, and the OpenVINO model is in the cache
    direct = SentenceTransformerEmbedder()
    assert direct._direct_encoder() is not None and direct._model is None
    questions = _questions()
    # one at a time, as a question is asked (a batch pads its questions to the longest)
    a = np.concatenate([full.encode_queries([q]) for q in questions])
    b = direct.encode_queries(questions)
    assert direct._model is None  # the full model was never loaded for the questions
    cosines = (a * b).sum(axis=1)
    assert cosines.min() >= 0.999, (cosines.min(), questions[int(np.argmin(cosines))])
    on_full, on_direct = Collection.load(real_index, embedder=full), Collection.load(real_index, embedder=direct)
    for question in questions:
        query = parse_question(question)
        assert [h.chunk.chunk_id for h in search(on_full, query, 5)] == \
            [h.chunk.chunk_id for h in search(on_direct, query, 5)], question


@pytest.mark.slow
def test_the_same_token_vectors_as_the_full_path():
    """The judge's soft coverage (`rag.token_match`) reads token vectors; both paths give the text's own
    tokens, without the prompt's and the special ones, in the same order."""
    from rag.embedding import SentenceTransformerEmbedder

    full = SentenceTransformerEmbedder()
    full.model
    direct = SentenceTransformerEmbedder()
    for text, kind in [("What did JA21 ask about Uganda?", "query"),
                       ("De leden van de JA21-fractie vragen naar de terugkeer naar Oeganda.", "document")]:
        a, b = full.encode_tokens(text, kind), direct.encode_tokens(text, kind)
        assert direct._model is None and a.shape == b.shape
        words = full.model.tokenizer.tokenize(text)
        assert a.shape[0] == len(words)  # every piece of the text, nothing else
        assert (a * b).sum(axis=1).min() >= 0.99


@pytest.mark.slow
def test_a_cold_ask_imports_neither_torch_nor_sentence_transformers(real_index):
    code = ("import sys; from rag.api import Assistant; "
            f"a = Assistant({str(real_index)!r}, chat_model=False).ask('What did JA21 ask about Uganda?'); "
            "print(a.hits[0].chunk.party, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)")
    env = {**os.environ, "RAG_NO_SERVICE": "1"}
    env.pop("RAG_MODEL", None)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["JA21", "False", "False"], result.stdout
