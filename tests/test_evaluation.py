"""The labelled question set is sound, and the metrics are right on a tiny run with known answers."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import BUNDLED, SHARED
from rag.answer import language
from rag.evaluation import Labelled, Question, _metrics, default_question_files, load_questions
from rag.query import parse_question
from rag.retriever import search
from rag.ingest import read_source
from rag.structure import build_document
from rag.types import Chunk, Hit

QUESTIONS = load_questions(default_question_files())


def _document_path(doc_id: str) -> Path | None:
    for folder in (BUNDLED, SHARED / "seed", SHARED / "handelingen", SHARED / "sgd", SHARED / "pdf"):
        for path in folder.glob(f"{doc_id}.*"):
            if path.suffix != ".json":
                return path
    return None


def test_the_set_is_large_bilingual_and_varied():
    answerable = [q for q in QUESTIONS if q.answerable]
    assert len(answerable) >= 80
    langs = Counter(q.lang for q in answerable)
    assert abs(langs["en"] - langs["nl"]) <= 0.1 * len(answerable)
    kinds = Counter(q.kind for q in answerable)
    assert kinds["party"] >= 30 and kinds["member"] >= 5 and kinds["topic"] >= 10
    assert len({q.id for q in QUESTIONS}) == len(QUESTIONS)
    assert [q for q in QUESTIONS if not q.answerable]


def test_every_question_is_labelled_with_the_language_the_tool_reads_it_in():
    # the split by language is only true if the label is; and a Dutch question read as English is answered
    # in English ("Vraagt JA21 of …": "of" is English and Dutch)
    wrong = [(q.id, q.lang) for q in QUESTIONS if language(q.question) != q.lang]
    assert not wrong


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q.answerable], ids=lambda q: q.id)
def test_every_gold_substring_occurs_exactly_once_in_its_document(question):
    path = _document_path(question.doc)
    if path is None:
        pytest.skip(f"{question.doc} is in ../shared/corpus, which is absent")
    # as `rag.evaluation.gold_span` finds it: any run of whitespace for any other (gold is copied from the
    # raw file, whose lines the reader joins)
    text = " ".join(build_document(read_source(path)).text.split())
    for gold in question.gold:
        assert text.count(" ".join(gold.split())) == 1, gold


def _chunk(cid: str, party: str | None = None) -> Chunk:
    return Chunk(cid, "d", cid, 0, 1, party, "", 1, 1)


def test_metrics_on_a_hand_made_run():
    questions = [Question("a", "?", "en", "party", "PVV", "d", ("x",)),
                 Question("b", "?", "nl", "topic", None, "d", ("y",)),
                 Question("c", "?", "nl", "party", "CDA", "d", ("z",))]
    labelled = Labelled(questions, {"a": {"a1"}, "b": {"b1", "b2"}, "c": {"c1"}})
    hits = {
        "a": [Hit(_chunk("a1", "PVV"), 1.0, 1), Hit(_chunk("n1", "PVV"), 0.5, 2)],  # first: RR 1
        "b": [Hit(_chunk("n2"), 1.0, 1), Hit(_chunk("b2"), 0.5, 2)],  # second: RR 1/2, recall 1/2
        "c": [Hit(_chunk(f"m{i}", "VVD"), 1.0, i + 1) for i in range(10)],  # missed
    }
    m = _metrics(labelled, hits, ["a", "b", "c"])
    assert m["recall@1"] == pytest.approx((1 + 0 + 0) / 3, abs=1e-4)
    assert m["recall@5"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    assert m["hit_rate@5"] == pytest.approx(2 / 3, abs=1e-4)
    assert m["mrr@10"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    assert m["party_accuracy"] == 0.5  # a right (PVV), c wrong (VVD); b has no expected party
    assert m["questions"] == 3


def test_answer_metrics_count_misses_in_the_top_3_and_quotes_that_hold_the_gold(tmp_path):
    from types import SimpleNamespace

    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from rag.evaluation import _overlaps_gold, evaluate_index
    from rag.indexer import build_index

    build_index([BUNDLED], tmp_path / "idx", embedder=FakeEmbedder(64))
    collection = Collection.load(tmp_path / "idx", embedder=FakeEmbedder(64))
    questions = [q for q in QUESTIONS if q.set == "core"][:8] + [q for q in QUESTIONS if not q.answerable][:3]
    report = evaluate_index(collection, questions, methods=("hybrid",))
    answers = report["answers"]
    top3 = [q for q, ranks in report["per_question"].items() if ranks["hybrid"] and ranks["hybrid"] <= 3]
    assert answers["gold_in_top3"] == len(top3) > 0
    assert 0 <= answers["false_not_found_top3"] <= 1 and 0 < answers["answered"] <= 8
    assert 0 <= answers["quote_holds_gold"] <= 1
    # a quote holds the gold text when its span overlaps the gold span in the same document
    question = questions[0]
    at = collection.documents[question.doc].text.find(question.gold[0])
    assert _overlaps_gold(SimpleNamespace(doc_id=question.doc, start=at + 2, end=at + 10), question, collection)
    assert not _overlaps_gold(SimpleNamespace(doc_id=question.doc, start=0, end=max(at, 1)), question, collection)
    assert not _overlaps_gold(SimpleNamespace(doc_id="other", start=at, end=at + 10), question, collection)


def test_judge_calibration_bins_every_case_and_plots(tmp_path, monkeypatch):
    from rag import judge
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from rag.evaluation import judge_calibration, label, plot_calibration
    from rag.indexer import build_index

    build_index([BUNDLED], tmp_path / "idx", embedder=FakeEmbedder(64))
    collection = Collection.load(tmp_path / "idx", embedder=FakeEmbedder(64))
    questions = [q for q in QUESTIONS if q.set == "core"][:10] + [q for q in QUESTIONS if not q.answerable][:5]
    labelled = label(collection, questions)
    # as `evaluate_index` keeps them: relevant passages by chunk id
    labelled.relevant = {q: {collection.chunks[r].chunk_id for r in rows} for q, rows in labelled.relevant.items()}
    hybrid = {q.id: search(collection, parse_question(q.question), 10) for q in labelled.questions}
    assert judge_calibration(collection, labelled, questions) is None  # the fake model has no fitted judge
    fitted = judge.LogisticJudge(means=(0.5, 3, 0.3, 0.3, 0.5), scales=(0.2, 2, 0.3, 0.7, 0.5),
                                 weights=(2, 0.7, 1.6, -1, 1), bias=0.5)
    monkeypatch.setattr(judge, "logistic_judge_for", lambda model: fitted)
    bins = judge_calibration(collection, labelled, questions)
    in_top3 = sum(1 for q in labelled.questions if any(h.chunk.chunk_id in labelled.relevant[q.id]
                                                          for h in hybrid[q.id][:3]))
    assert sum(b["cases"] for b in bins) == in_top3 + 5
    assert all(b["from"] <= b["mean_probability"] <= b["to"] for b in bins if b["cases"])
    plot_calibration(bins, tmp_path / "calibration.png")
    assert (tmp_path / "calibration.png").stat().st_size > 1000


def test_gold_copied_across_a_raw_line_break_is_found_in_the_joined_text():
    from rag.evaluation import gold_span

    # the reader joins an OCR file's lines into paragraphs; the labeller copied the raw file
    text = "Tweede Kamer.\n\nDe verhooren der getuigen, alsmede het verslag der Commissie, zijn niet in de Bijlagen opgenomen.\n\nHandelingen"
    gold = "het verslag der Commissie, zijn\nniet in de Bijlagen opgenomen."
    start, end = gold_span(text, gold)
    assert text[start:end] == "het verslag der Commissie, zijn niet in de Bijlagen opgenomen."
    assert gold_span(text, "verslag der Commissie") == (text.find("verslag der Commissie"), text.find("verslag der Commissie") + 21)
    assert gold_span(text, "niet in de Handelingen opgenomen") is None
    assert gold_span(text, "   ") is None
