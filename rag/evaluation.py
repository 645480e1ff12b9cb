"""Retrieval evaluation on a labelled question set: BM25-only, dense-only and hybrid side by side.

A question is labelled with verbatim gold substrings of the passage that answers it, its document
and the expected party. A retrieved passage is relevant when it overlaps a gold span of that
document, so labels survive re-chunking. Metrics come from ranx (recall@k, hit rate@k, MRR@10,
nDCG@10), overall and split by language and question kind; party accuracy is the share of
questions whose first passage carries the expected party.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.collection import Collection
from rag.errors import RagError
from rag.query import parse_question
from rag.rerank import make_reranker
from rag.retriever import search
from rag.types import Hit

METHODS = ("bm25", "dense", "hybrid")
METRICS = ("recall@1", "recall@5", "recall@10", "hit_rate@1", "hit_rate@5", "mrr@10", "ndcg@10")
DEPTH = 10


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    lang: str
    kind: str  # "party" (names a party), "member" (names a member), "topic" (neither)
    party: str | None
    doc: str | None
    gold: tuple[str, ...]
    answerable: bool = True
    set: str = ""  # the question file's name without its part number: "core", "shared", "historic"
    turns: tuple[str, ...] = ()  # a conversation: the user's turns, the last one asking `question` (eval/conversations)
    followup: str = ""  # how the last turn leans on the earlier ones: party, topic, answer, more, elliptic


def _translation_settings() -> dict:
    """What English questions were searched with: the dictionaries' size (0 = not installed) and the settings."""
    from rag.retriever import TRANSLATED_DENSE_WEIGHT
    from rag.translation import PER_WORD, table

    return {"dictionary_entries": len(table()), "per_word": PER_WORD, "dense_weight": TRANSLATED_DENSE_WEIGHT}


def default_question_files(kind: str = "questions") -> list[Path]:
    """The labelled files in eval/questions (or eval/conversations, `kind="conversations"`)."""
    folder = Path(__file__).resolve().parents[1] / "eval" / kind
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def load_questions(paths: list[Path]) -> list[Question]:
    """Questions from JSON-lines files; a malformed line is an error naming file and line."""
    questions = []
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise RagError(f"Cannot read question file {path} ({exc.strerror or exc}).") from exc
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                questions.append(Question(
                    id=d["id"], question=d["question"], lang=d.get("lang", "?"), kind=d.get("kind", "topic"),
                    party=d.get("party"), doc=d.get("doc"), gold=tuple(d.get("gold", ())),
                    answerable=d.get("answerable", True), set=re.sub(r"-\d+$", "", Path(path).stem),
                    turns=tuple(d.get("turns", ())), followup=d.get("followup", "")))
            except (ValueError, KeyError, TypeError) as exc:
                raise RagError(f"{path}, line {number}: not a valid question ({exc}).") from exc
    return questions


@dataclass
class Labelled:
    """The questions that can be scored on this index, with their relevant rows."""

    questions: list[Question]
    relevant: dict[str, set]  # question id → relevant rows (then chunk ids, for ranx)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def gold_span(text: str, gold: str) -> tuple[int, int] | None:
    """Where a gold substring stands in a document's text, or None. Gold is copied from the raw file, whose
    lines the reader joins into paragraphs, so any run of whitespace in it matches any other."""
    at = text.find(gold)
    if at >= 0:
        return at, at + len(gold)
    found = re.search(r"\s+".join(map(re.escape, gold.split())), text) if gold.split() else None
    return found.span() if found else None


def label(collection: Collection, questions: list[Question]) -> Labelled:
    """Map each answerable question's gold substrings to the passages (rows) that overlap them."""
    rows_of: dict[str, list[int]] = {}
    for row, chunk in enumerate(collection.chunks):
        rows_of.setdefault(chunk.doc_id, []).append(row)
    out = Labelled([], {})
    for q in questions:
        if not q.answerable:
            continue
        record = collection.documents.get(q.doc or "")
        if record is None:
            out.skipped.append((q.id, f"document {q.doc} is not in the index"))
            continue
        spans = []
        for gold in q.gold:
            span = gold_span(record.text, gold)
            if span is None:
                out.skipped.append((q.id, f"gold text not found in {q.doc}: {gold[:40]!r}"))
                break
            spans.append(span)
        else:
            relevant = {r for r in rows_of.get(q.doc, ()) for s, e in spans
                        if collection.chunks[r].start < e and s < collection.chunks[r].end}
            out.questions.append(q)
            out.relevant[q.id] = relevant
    return out


def _by_chunk_id(collection: Collection, labelled: Labelled) -> Labelled:
    """`labelled` with its relevant rows as chunk ids (ranx compares chunk ids)."""
    labelled.relevant = {q: {collection.chunks[r].chunk_id for r in rows} for q, rows in labelled.relevant.items()}
    return labelled


def _runs(collection: Collection, labelled: Labelled, methods: tuple[str, ...]) -> dict[str, dict[str, list[Hit]]]:
    """Top-DEPTH hits per method and question; "hybrid+NAME" is hybrid reranked by reranker NAME."""
    runs: dict[str, dict[str, list[Hit]]] = {m: {} for m in methods}
    for q in labelled.questions:
        query = parse_question(q.question)
        for method in methods:
            base, _, reranker = method.partition("+")
            hits = search(collection, query, DEPTH, base)
            runs[method][q.id] = make_reranker(reranker).rerank(collection, query, hits) if reranker else hits
    return runs


def _ranx(labelled: Labelled, hits: dict[str, list[Hit]], ids: list[str]):
    """ranx Qrels and Run keyed by chunk id; scores fall with rank (ties cannot reorder a run)."""
    from ranx import Qrels, Run

    qrels = Qrels({i: {c: 1 for c in labelled.relevant[i]} or {"none": 0} for i in ids})
    run = Run({i: {h.chunk.chunk_id: float(DEPTH - n) for n, h in enumerate(hits[i])} or {"empty": 0.0}
               for i in ids})
    return qrels, run


def _metrics(labelled: Labelled, hits: dict[str, list[Hit]], ids: list[str]) -> dict[str, float]:
    from ranx import evaluate

    qrels, run = _ranx(labelled, hits, ids)
    scores = evaluate(qrels, run, list(METRICS), make_comparable=True)
    out = {m: round(float(scores[m]), 4) for m in METRICS}
    expected = {q.id: q.party for q in labelled.questions if q.id in ids and q.party}
    if expected:
        right = sum(1 for i, party in expected.items() if hits[i] and hits[i][0].chunk.party == party)
        out["party_accuracy"] = round(right / len(expected), 4)
    out["questions"] = len(ids)
    return out


def evaluate_index(collection: Collection, questions: list[Question], out_dir: Path | None = None,
                   methods: tuple[str, ...] = METHODS, conversations: list[Question] = ()) -> dict:
    """Run every method on the questions; return the report, writing files to `out_dir` if given."""
    started = time.perf_counter()
    labelled = _by_chunk_id(collection, label(collection, questions))
    if not labelled.questions:
        raise RagError("None of the questions can be scored on this index (their documents are not in it).")
    runs = _runs(collection, labelled, methods)
    splits = {"overall": [q.id for q in labelled.questions]}
    for attr in ("set", "lang", "kind"):
        for value in sorted({getattr(q, attr) for q in labelled.questions}):
            splits[f"{attr}={value}"] = [q.id for q in labelled.questions if getattr(q, attr) == value]
    report = {
        "index": str(collection.index_dir), "model": collection.manifest["model"],
        "translation": _translation_settings(),
        "passages": len(collection.chunks), "documents": len(collection.documents),
        "questions": len(labelled.questions), "skipped": labelled.skipped,
        "methods": {m: {name: _metrics(labelled, runs[m], ids) for name, ids in splits.items()} for m in methods},
        "per_question": {q.id: {m: _first_relevant(labelled, runs[m][q.id], q.id) for m in methods}
                         for q in labelled.questions},
        "answers": _answer_metrics(collection, labelled, questions, runs.get("hybrid")),
        "judge_calibration": judge_calibration(collection, labelled, questions),
        "attribution": _attribution(collection),
        "followups": followup_metrics(collection, list(conversations)) if conversations else None,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if out_dir is not None:
        _write(out_dir, labelled, runs, report)
    return report


def followup_metrics(collection: Collection, conversations: list[Question]) -> dict | None:
    """Hybrid retrieval for the last turn of each conversation as the chat searches it (resolved by
    `rag.followup`) and as asked in full (`question`): recall@5 and MRR@10 of both, their ratio,
    per kind of follow-up, and each conversation's searched question."""
    from rag.followup import searched_question

    labelled = _by_chunk_id(collection, label(collection, conversations))
    if not labelled.questions:
        return None
    searched = {q.id: searched_question(list(q.turns[:-1]), q.turns[-1]) for q in labelled.questions}
    runs = {"followup": {q.id: search(collection, parse_question(searched[q.id].question), DEPTH, "hybrid")
                         for q in labelled.questions},
            "full": {q.id: search(collection, parse_question(q.question), DEPTH, "hybrid") for q in labelled.questions}}
    splits = {"overall": [q.id for q in labelled.questions]}
    for kind in sorted({q.followup for q in labelled.questions}):
        splits[kind] = [q.id for q in labelled.questions if q.followup == kind]
    out: dict = {"conversations": len(labelled.questions), "skipped": labelled.skipped}
    for name, ids in splits.items():
        follow, full = (_metrics(labelled, runs[r], ids) for r in ("followup", "full"))
        out[name] = {"recall@5": follow["recall@5"], "mrr@10": follow["mrr@10"], "full_recall@5": full["recall@5"],
                     "full_mrr@10": full["mrr@10"], "conversations": len(ids),
                     "ratio": round(follow["recall@5"] / full["recall@5"], 4) if full["recall@5"] else None}
    out["searched"] = {i: {"turns": list(q.turns), "searched": searched[i].question, "kind": searched[i].kind,
                           "rank": _first_relevant(labelled, runs["followup"][i], i),
                           "full_rank": _first_relevant(labelled, runs["full"][i], i)}
                       for i, q in ((q.id, q) for q in labelled.questions)}
    return out


def _attribution(collection: Collection) -> dict | None:
    """Attribution precision and recall on the labelled historic lines whose documents are indexed."""
    from rag.attribution_eval import default_label_files, load_labels, score_attribution

    files = default_label_files()
    if not files:
        return None
    scores = score_attribution(collection, load_labels(files))
    return scores if scores["located"] else None


def _answer_metrics(collection: Collection, labelled: Labelled, questions: list[Question],
                    hybrid: dict[str, list[Hit]] | None = None) -> dict:
    """What the answering chain makes of the questions: quotes from a gold passage, quote
    fidelity (every quote verbatim at its offsets), "not found" where there is no answer, "not
    found" although the gold passage is in the hybrid top 3, and how often an answer's quoted
    sentences hold the gold text."""
    from rag.chain import build_chain
    from rag.quotes import verify_quote

    chain = build_chain(collection, k=5)
    quoted_gold = not_found_right = false_not_found = quotes = verbatim = 0
    in_top3 = false_not_found_top3 = answered = holds_gold = 0
    unanswerable = [q for q in questions if not q.answerable]
    for q in labelled.questions + unanswerable:
        answer = chain.invoke(q.question)["answer"]
        quotes += len(answer.quotes)
        verbatim += sum(verify_quote(quote, collection.documents) for quote in answer.quotes)
        if not q.answerable:
            not_found_right += answer.status != "found"
            continue
        false_not_found += answer.status != "found"
        quoted_gold += answer.status == "found" and any(
            quote.chunk_id in labelled.relevant[q.id] for quote in answer.quotes)
        rank = _first_relevant(labelled, hybrid[q.id], q.id) if hybrid else None
        if rank is not None and rank <= 3:
            in_top3 += 1
            false_not_found_top3 += answer.status != "found"
        if answer.status == "found":
            answered += 1
            holds_gold += any(_overlaps_gold(quote, q, collection) for quote in answer.quotes)
    answerable = len(labelled.questions)
    return {
        "answer_quotes_gold": round(quoted_gold / answerable, 4),
        "false_not_found": round(false_not_found / answerable, 4),
        "false_not_found_top3": round(false_not_found_top3 / in_top3, 4) if in_top3 else None,
        "gold_in_top3": in_top3,
        "quote_holds_gold": round(holds_gold / answered, 4) if answered else None,
        "answered": answered,
        "not_found_correct": round(not_found_right / len(unanswerable), 4) if unanswerable else None,
        "unanswerable_questions": len(unanswerable),
        "quote_fidelity": round(verbatim / quotes, 4) if quotes else None,
        "quotes": quotes,
    }


CALIBRATION_BINS = 5


def judge_cases(collection: Collection, labelled: Labelled,
                questions: list[Question]) -> list[tuple[dict[str, float], int]]:
    """The cases the answer judge decides: the best passage's signals (`rag.answer.signals`) for
    every answerable question whose gold passage is among the first 3 (should answer: 1) and every
    unanswerable one (0). `labelled.relevant` holds chunk ids (as in `evaluate_index`)."""
    from rag.answer import judged_with, signals
    from rag.retriever import search_with_margin, with_members

    cases = []
    for q in labelled.questions + [q for q in questions if not q.answerable]:
        query = with_members(collection, parse_question(q.question))
        hits, standing = search_with_margin(collection, query, 5)
        if not hits:
            continue
        if q.answerable:
            rank = _first_relevant(labelled, hits, q.id)
            if rank is None or rank > 3:
                continue  # not a case of judging: the answer is not among the first passages
        cases.append((signals(hits[0], query, standing, *judged_with(collection)), int(q.answerable)))
    return cases


def judge_calibration(collection: Collection, labelled: Labelled, questions: list[Question]) -> list[dict] | None:
    """How well the fitted judge's probability that the best passage answers matches what happens:
    per probability bin, the cases (`judge_cases`), the mean probability and the share that should be
    answered. None when the model has no fitted judge."""
    from rag.judge import logistic_judge_for

    fitted = logistic_judge_for(collection.manifest["model"]["name"])
    if fitted is None:
        return None
    cases = [(fitted.probability(found), should) for found, should in judge_cases(collection, labelled, questions)]
    bins = []
    for b in range(CALIBRATION_BINS):
        lo, hi = b / CALIBRATION_BINS, (b + 1) / CALIBRATION_BINS
        inside = [(p, y) for p, y in cases if lo <= p < hi or (b == CALIBRATION_BINS - 1 and p == 1.0)]
        bins.append({"from": lo, "to": hi, "cases": len(inside),
                     "mean_probability": round(sum(p for p, _ in inside) / len(inside), 4) if inside else None,
                     "should_answer": round(sum(y for _, y in inside) / len(inside), 4) if inside else None})
    return bins


def plot_calibration(bins: list[dict], path: Path) -> None:
    """A PNG of the judge's reliability: mean probability against the share that should be answered."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    used = [b for b in bins if b["cases"]]
    fig, ax = plt.subplots(figsize=(5, 4), dpi=120)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect")
    ax.plot([b["mean_probability"] for b in used], [b["should_answer"] for b in used], marker="o", label="judge")
    for b in used:
        ax.annotate(str(b["cases"]), (b["mean_probability"], b["should_answer"]), textcoords="offset points",
                    xytext=(4, -10), fontsize=7)
    ax.set_xlabel("judge's probability that the best passage answers")
    ax.set_ylabel("share that should be answered")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Judge calibration (cases per point)")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _overlaps_gold(quote, question: Question, collection: Collection) -> bool:
    """Whether the quoted span overlaps one of the question's gold spans in its document."""
    if quote.doc_id != question.doc:
        return False
    text = collection.documents[quote.doc_id].text
    return any(span is not None and quote.start < span[1] and span[0] < quote.end
               for span in (gold_span(text, gold) for gold in question.gold))


def _first_relevant(labelled: Labelled, hits: list[Hit], qid: str) -> int | None:
    """Rank of the first relevant passage (None when not in the top DEPTH)."""
    return next((h.rank for h in hits if h.chunk.chunk_id in labelled.relevant[qid]), None)


def _write(out_dir: Path, labelled: Labelled, runs, report: dict) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = [q.id for q in labelled.questions]
    for method in runs:
        qrels, run = _ranx(labelled, runs[method], ids)
        run.name = method
        run.save(str(out_dir / f"run-{method}.trec"), kind="trec")
    qrels.save(str(out_dir / "qrels.trec"), kind="trec")
    (out_dir / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    plot_recall(labelled, runs, out_dir / "recall-at-k.png")
    if report.get("judge_calibration"):
        plot_calibration(report["judge_calibration"], out_dir / "judge-calibration.png")
    (out_dir / "questions.json").write_text(
        json.dumps([asdict(q) for q in labelled.questions], indent=2, ensure_ascii=False), encoding="utf-8")


def plot_recall(labelled: Labelled, runs, path: Path) -> None:
    """A PNG of hit rate at k = 1…DEPTH (the answer among the first k passages), one line per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ks = list(range(1, DEPTH + 1))
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    for method in runs:
        ranks = [_first_relevant(labelled, runs[method][q.id], q.id) for q in labelled.questions]
        ax.plot(ks, [sum(1 for r in ranks if r is not None and r <= k) / len(ranks) for k in ks],
                marker="o", label=method)
    ax.set_xlabel("k (passages shown)")
    ax.set_ylabel("share of questions answered in top k")
    ax.set_ylim(0, 1.02)
    ax.set_xticks(ks)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title(f"Recall@k on {len(labelled.questions)} questions")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
