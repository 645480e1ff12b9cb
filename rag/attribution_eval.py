"""Attribution scored against hand labels: does each passage carry the party a reader gives it?

Labels (`eval/attribution/*.jsonl`, drawn by `eval/draw_samples.py`) name a line of a source file by
its character offset, with the party of whoever wrote or said it (or none). The line is found in its
indexed document's text, and the party of the passage holding it is compared with the label:
precision over passages that carry a party, recall over labelled parties (also without the labels
known only from outside the corpus, `party_source` "knowledge").
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from rag.errors import RagError


def default_label_files() -> list[Path]:
    folder = Path(__file__).resolve().parents[1] / "eval" / "attribution"
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


def load_labels(paths: list[Path]) -> list[dict]:
    labels = []
    for path in paths:
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    labels.append(json.loads(line))
                except ValueError as exc:
                    raise RagError(f"{path}, line {number}: not valid JSON ({exc}).") from exc
    return labels


def _locate(doc_text: str, line: str) -> int:
    """Offset in the document's normalised text where the labelled line's text stands, or -1."""
    words = line.split()
    for size in (8, 5, 3):
        for at in range(0, max(len(words) - size, 0) + 1, max(size // 2, 1)):
            probe = " ".join(words[at:at + size])
            if len(probe) < 12:
                continue
            found = doc_text.find(probe)
            if found >= 0:
                return found
    return -1


def score_attribution(collection, labels: list[dict]) -> dict:
    """Precision and recall of passage parties on the labelled lines whose documents are indexed."""
    by_source = {Path(r.source).name: r for r in collection.documents.values()}
    rows_of: dict[str, list[int]] = {}
    for row, chunk in enumerate(collection.chunks):
        rows_of.setdefault(chunk.doc_id, []).append(row)
    predicted = right = positives = found_positive = known_positives = known_found = located = 0
    missing_doc = 0
    errors: list[dict] = []
    for label in labels:
        record = by_source.get(Path(label["file"]).name)
        if record is None:
            missing_doc += 1
            continue
        line = _line_text(label, Path(record.source))
        at = _locate(record.text, line)
        if at < 0:
            continue
        located += 1
        chunk = next((collection.chunks[r] for r in rows_of.get(record.doc_id, ())
                      if collection.chunks[r].start <= at < collection.chunks[r].end), None)
        got = chunk.party if chunk else None
        want = label.get("party")
        if got:
            predicted += 1
            right += got == want
        if want:
            positives += 1
            found_positive += got == want
            if label.get("party_source") != "knowledge":
                known_positives += 1
                known_found += got == want
        if got != want:
            errors.append({"id": label["id"], "want": want, "got": got, "how": chunk.attribution if chunk else None,
                           "text": line[:80]})
    return {
        "labels": len(labels), "located": located, "documents_not_indexed": missing_doc,
        "precision": round(right / predicted, 4) if predicted else None, "predicted": predicted,
        "recall": round(found_positive / positives, 4) if positives else None, "positives": positives,
        "recall_in_corpus": round(known_found / known_positives, 4) if known_positives else None,
        "positives_in_corpus": known_positives, "errors": errors,
    }


def _line_text(label: dict, source: Path) -> str:
    """The labelled line, read from the indexed file when at hand, else the label's opening."""
    if source.is_file():
        text = source.read_text(encoding="utf-8", errors="replace")
        end = text.find("\n", label["offset"])
        return re.sub(r"\s+", " ", text[label["offset"]:end if end >= 0 else None])
    return label.get("text_start", "")
