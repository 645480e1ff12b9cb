"""Milvus's own BM25 function against the project's BM25 (bm25s over its Dutch tokenizer), plain and
unfiltered, on the labelled questions: which lexical side a Milvus deployment should use (issue 16).

    .venv/bin/python eval/milvus_bm25.py --index DIR --db /tmp/bm25fn.db

Both rank every passage of the index by the same question text (`Query.lexical_text`: the question,
its glossary terms and dictionary words); Milvus indexes each passage's `embed_text` (what the local
BM25 indexed) with an analyzer of its own (standard tokenizer, lower case, Dutch stemmer, the project's
stop words). Prints recall@5 and MRR@10 per question set for both, and how long each took.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

NAME = "bm25_function"


def build(client, chunks, stopwords: list[str]) -> float:
    from pymilvus import DataType, Function, FunctionType

    if client.has_collection(NAME):
        client.drop_collection(NAME)
    analyzer = {"tokenizer": "standard",
                "filter": ["lowercase", {"type": "stemmer", "language": "dutch"},
                           {"type": "stop", "stop_words": stopwords}]}
    schema = client.create_schema()
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("text", DataType.VARCHAR, max_length=65535, enable_analyzer=True, analyzer_params=analyzer)
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["text"],
                                 output_field_names=["sparse"]))
    index = client.prepare_index_params()
    index.add_index(field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25",
                    params={"bm25_k1": 1.2, "bm25_b": 0.75})
    client.create_collection(NAME, schema=schema, index_params=index)
    start = time.perf_counter()
    batch = 2000
    for at in range(0, len(chunks), batch):
        client.insert(NAME, [{"row": at + i, "text": c.embed_text[:60000]} for i, c in enumerate(chunks[at:at + batch])])
    client.flush(NAME)
    return time.perf_counter() - start


def main() -> None:
    from pymilvus import MilvusClient

    from rag.collection import Collection
    from rag.evaluation import default_question_files, label, load_questions
    from rag.lexical import _stopwords
    from rag.query import parse_question

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True, help="a Milvus Lite file (made if absent)")
    args = parser.parse_args()
    collection = Collection.load(args.index)
    labelled = label(collection, load_questions(default_question_files()))
    client = MilvusClient(str(args.db))
    print(f"filling Milvus Lite with {len(collection.chunks)} passages …", flush=True)
    print(f"fill: {build(client, collection.chunks, list(_stopwords())):.1f} s")
    found: dict[str, dict[str, int | None]] = {"bm25s": {}, "milvus": {}}
    seconds = {"bm25s": 0.0, "milvus": 0.0}
    for q in labelled.questions:
        text = parse_question(q.question).lexical_text
        start = time.perf_counter()
        scores = collection.lexical.scores(text)
        local = [int(r) for r in np.argsort(-scores, kind="stable")[:10] if scores[r] > 0]
        seconds["bm25s"] += time.perf_counter() - start
        start = time.perf_counter()
        result = client.search(NAME, data=[text], anns_field="sparse", limit=10,
                               search_params={"metric_type": "BM25"}, output_fields=["row"])
        remote = [int(hit["entity"]["row"]) for hit in result[0]]
        seconds["milvus"] += time.perf_counter() - start
        for name, rows in (("bm25s", local), ("milvus", remote)):
            ranks = [n for n, r in enumerate(rows, 1) if r in labelled.relevant[q.id]]
            found[name][q.id] = ranks[0] if ranks else None
    sets = sorted({q.set for q in labelled.questions}) + ["all"]
    print(f"{'set':10} {'questions':>9} | {'bm25s R@5':>9} {'MRR@10':>7} | {'Milvus R@5':>10} {'MRR@10':>7}")
    for name in sets:
        ids = [q.id for q in labelled.questions if name in ("all", q.set)]
        row = [f"{name:10} {len(ids):9d}"]
        for side in ("bm25s", "milvus"):
            ranks = [found[side][i] for i in ids]
            recall = sum(1 for r in ranks if r and r <= 5) / len(ids)
            mrr = sum(1 / r for r in ranks if r) / len(ids)
            row.append(f"{recall:9.3f} {mrr:7.3f}" if side == "bm25s" else f"{recall:10.3f} {mrr:7.3f}")
        print(" | ".join(row))
    n = len(labelled.questions)
    print(f"per question: bm25s {1000 * seconds['bm25s'] / n:.1f} ms, Milvus Lite {1000 * seconds['milvus'] / n:.1f} ms")


if __name__ == "__main__":
    main()
