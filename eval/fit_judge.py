"""Fit the answer judge (`rag/judge.py`) on the labelled questions over one or more indexes.

    .venv/bin/python eval/fit_judge.py INDEX [INDEX ...] [--write]

A case is the best passage the chain sees for a question: an answerable question whose gold passage
is in the hybrid top 3 should be answered; a question with no answer in the corpus should not.
Cases and signals come from `rag.evaluation.judge_cases` (the chain's own `rag.answer.signals`), over every index given
(the bundled corpus and the whole shared corpus: the judge must hold at both sizes). Prints 5-fold
cross-validated figures per index (seeded), then the fit on all cases; `--write` stores it in
`rag/judges.json` for the index's model.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("RAG_NO_SERVICE", "1")

from rag.collection import Collection  # noqa: E402
from rag.evaluation import default_question_files, judge_cases, label, load_questions  # noqa: E402
from rag.judge import FEATURES, WEIGHTS_FILE  # noqa: E402

THRESHOLD = 0.50  # swept 0.45–0.60 in steps, cross-validated (README, "Saying what is not there"; 0.55 until round 17)
SEED = 13


def cases(index: Path) -> tuple[str, list[list[float]], list[int]]:
    collection = Collection.load(index)
    questions = load_questions(default_question_files())
    labelled = label(collection, questions)
    labelled.relevant = {q: {collection.chunks[r].chunk_id for r in rows} for q, rows in labelled.relevant.items()}
    found = judge_cases(collection, labelled, questions)
    return (collection.manifest["model"]["name"], [[signals[name] for name in FEATURES] for signals, _ in found],
            [should for _, should in found])


def report(name: str, truth: np.ndarray, answered: np.ndarray) -> str:
    positives, negatives = truth == 1, truth == 0
    false_not_found = float((~answered & positives).sum() / max(positives.sum(), 1))
    refused = float((~answered & negatives).sum() / max(negatives.sum(), 1))
    return (f"{name}: false 'not found' {false_not_found:.3f} of {int(positives.sum())}, "
            f"refused {refused:.3f} of {int(negatives.sum())}")


def main() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("indexes", nargs="+", type=Path)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    model, X, y, where = None, [], [], []
    for index in args.indexes:
        model, rows, targets = cases(index)
        X += rows
        y += targets
        where += [str(index)] * len(rows)
    X, y, where = np.array(X), np.array(y), np.array(where)
    means, scales = X.mean(axis=0), X.std(axis=0) + 1e-9
    Z = (X - means) / scales
    fit = LogisticRegression(max_iter=1000)
    held_out = cross_val_predict(fit, Z, y, cv=StratifiedKFold(5, shuffle=True, random_state=SEED),
                                 method="predict_proba")[:, 1] >= THRESHOLD
    print(f"5-fold cross-validated, threshold {THRESHOLD}:")
    for index in args.indexes:
        mask = where == str(index)
        print("  " + report(str(index), y[mask], held_out[mask]))
    fit.fit(Z, y)
    on_all = fit.predict_proba(Z)[:, 1] >= THRESHOLD
    print("fitted on all cases:")
    for index in args.indexes:
        mask = where == str(index)
        print("  " + report(str(index), y[mask], on_all[mask]))
    weights = dict(zip(FEATURES, fit.coef_[0].round(4).tolist()))
    print("weights (per standard deviation):", weights, "bias", round(float(fit.intercept_[0]), 4))
    if args.write:
        stored = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")) if WEIGHTS_FILE.exists() else {}
        stored[model] = {"features": list(FEATURES), "means": means.round(6).tolist(),
                         "scales": scales.round(6).tolist(), "weights": fit.coef_[0].round(6).tolist(),
                         "lows": X.min(axis=0).round(6).tolist(), "highs": X.max(axis=0).round(6).tolist(),
                         "bias": round(float(fit.intercept_[0]), 6), "threshold": THRESHOLD,
                         "cases": int(len(y)), "fitted_on": [str(i) for i in args.indexes]}
        WEIGHTS_FILE.write_text(json.dumps(stored, indent=2) + "\n", encoding="utf-8")
        print(f"written to {WEIGHTS_FILE}")


if __name__ == "__main__":
    main()
