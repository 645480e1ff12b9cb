"""An index served from Milvus alone: what a query node needs beside the searches.

`rag.milvus.sync` writes, with the passages (their searchable fields and vectors, `rag.milvus`):
- each passage's record (the `Chunk` without its text, which is the passage's `text` field, and its
  row in the build) in the passages collection;
- the documents, cut into parts of at most PART characters, with their records (`DocRecord` without
  its text), in `kamervragen_documents`;
- the BM25 vocabulary with each term's id and document frequency, in `kamervragen_terms`;
- last, the build's manifest (model, chunker, BM25 settings, counts, build) as a property of the
  passages collection: a query node sees a new build once it is complete.

`load(uri)` reads them into a `rag.collection.Collection` whose searches run in that Milvus, whose
documents are fetched when a quote needs them, and whose lexicon gives a question its BM25 weights;
no index folder is needed (`rag ask --index milvus://host:19530`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, replace

import numpy as np

from rag.errors import IndexMismatchError
from rag.lexical import BM25_SETTINGS, tokenize, unheld_idf
from rag.milvus import MAX_TEXT, NAME, SCHEMA, MilvusBackend, _client, _guard, _stored_identity, iterate
from rag.search_backend import parse_backend
from rag.store import DocRecord
from rag.types import Chunk

DOCUMENTS = "kamervragen_documents"
TERMS = "kamervragen_terms"
MANIFEST = "kamervragen.manifest"
PART = 16000  # characters of a document per row (a VARCHAR holds 65,535 bytes: 4 a character at most)
SEAM = 200  # characters of the next part a part's `seam` repeats: a name across two parts is found
BATCH = 500
RANGE = 16384  # rows a Milvus query returns at most
FETCHED = 64  # documents' texts kept on a query node (quotes of the last questions)
_NO_VECTOR = [0.0, 0.0]  # Milvus wants a vector field in every collection: documents and terms have none


def document_digest(record: DocRecord) -> str:
    """What a stored document is checked by: its whole record and text (a new parser on the same file
    changes them)."""
    return hashlib.sha256(record.to_json().encode()).hexdigest()


def _chunk(text: str, extra: str) -> Chunk:
    record = json.loads(extra)
    record["notes"] = tuple(record.get("notes", ()))
    record["mentions"] = tuple(record.get("mentions", ()))
    return Chunk(text=text, **record)


def _dummy_schema(client, fields):
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False)
    for name, kind, options in fields:
        schema.add_field(name, getattr(DataType, kind), **options)
    schema.add_field("v", DataType.FLOAT_VECTOR, dim=2)
    index = client.prepare_index_params()
    index.add_index("v", index_type="FLAT", metric_type="L2")
    return schema, index


def _ensure(client, uri: str, name: str, fields, scalar: tuple[str, ...]) -> None:
    if _guard(uri, "list its collections", lambda: client.has_collection(name)):
        return
    schema, index = _dummy_schema(client, fields)
    for field in scalar:
        index.add_index(field, index_type="INVERTED")
    _guard(uri, f"create the collection {name}", lambda: client.create_collection(name, schema=schema,
                                                                                 index_params=index))


def _by_ranges(client, uri: str, name: str, key: str, fields: list[str]) -> list[dict]:
    """Every row of a collection, read by ranges of its integer `key` (a passage's row, a term's id: they
    run from 0 without gaps once a sync has completed): several times faster than an iterator in Milvus
    Lite (48,090 passages 5.3 → 1 s, 87,253 terms 11 → 1.5 s). Rows that are not where the ranges look
    (a sync cut short) are read by the iterator after all."""
    total = _guard(uri, f"count {name}", lambda: client.query(
        name, filter="", output_fields=["count(*)"], consistency_level="Strong"))[0]["count(*)"]
    rows: list[dict] = []
    for low in range(0, total, RANGE):
        rows += _guard(uri, f"read {name}", lambda: client.query(
            name, filter=f"{key} >= {low} and {key} < {low + RANGE}", output_fields=fields, limit=RANGE,
            consistency_level="Strong"))
    return rows if len(rows) == total else list(iterate(client, uri, name, fields))


def drop(client, uri: str) -> None:
    """Remove the documents and terms collections (with the passages', a layout made again)."""

    for name in (DOCUMENTS, TERMS):
        if _guard(uri, "list its collections", lambda: client.has_collection(name)):
            _guard(uri, f"drop {name}", lambda: client.drop_collection(name))


# ------------------------------------------------------------------ writing (the build machine)

def _publish_documents(client, uri: str, collection) -> None:
    _ensure(client, uri, DOCUMENTS, [
        ("key", "VARCHAR", {"is_primary": True, "max_length": 64}), ("doc_id", "VARCHAR", {"max_length": 8192}),
        ("part", "INT64", {}), ("digest", "VARCHAR", {"max_length": 64}),
        ("text", "VARCHAR", {"max_length": 65535}), ("seam", "VARCHAR", {"max_length": 65535}),
        ("record", "VARCHAR", {"max_length": 65535})], scalar=("doc_id", "part"))
    _guard(uri, "load the documents", lambda: client.load_collection(DOCUMENTS))
    stored = {r["doc_id"]: r["digest"] for r in iterate(client, uri, DOCUMENTS, ["doc_id", "digest"], "part == 0")}
    local = collection.documents
    digests = {doc_id: document_digest(record) for doc_id, record in local.items()}
    stale = [d for d, digest in stored.items() if digests.get(d) != digest]
    for start in range(0, len(stale), BATCH):
        part = json.dumps(stale[start:start + BATCH], ensure_ascii=False)
        _guard(uri, "delete documents", lambda: client.delete(DOCUMENTS, filter=f"doc_id in {part}"))
    rows: list[dict] = []
    for doc_id, record in local.items():
        if stored.get(doc_id) == digests[doc_id]:
            continue
        rows += _document_rows(record, digests[doc_id])
        if len(rows) >= BATCH:
            batch, rows = rows, []
            _guard(uri, "insert documents", lambda: client.upsert(DOCUMENTS, batch))
    if rows:
        _guard(uri, "insert documents", lambda: client.upsert(DOCUMENTS, rows))


def _document_rows(record: DocRecord, digest: str) -> list[dict]:
    """A document as rows of at most PART characters of its text and of its record (without the text:
    many footnotes make a record longer than a field), each part with the start of the next (`seam`)."""
    text = record.text
    meta = json.dumps({k: v for k, v in asdict(record).items() if k != "text"}, ensure_ascii=False)
    key = hashlib.sha1(record.doc_id.encode()).hexdigest()  # a key of fixed length, whatever the id's
    parts = max(1, -(-len(text) // PART), -(-len(meta) // PART))
    return [{"key": f"{key}#{n}", "doc_id": record.doc_id, "part": n, "digest": digest,
             "text": text[n * PART:(n + 1) * PART], "seam": text[n * PART:(n + 1) * PART + SEAM],
             "record": meta[n * PART:(n + 1) * PART], "v": _NO_VECTOR} for n in range(parts)]


def _publish_terms(client, uri: str, collection) -> None:
    _ensure(client, uri, TERMS, [("term", "VARCHAR", {"is_primary": True, "max_length": 512}),
                                 ("tid", "INT64", {}), ("df", "INT64", {})], scalar=())
    _guard(uri, "load the terms", lambda: client.load_collection(TERMS))
    vocabulary, df = collection.lexical.vocabulary()
    stored = {r["term"]: (r["tid"], r["df"]) for r in _by_ranges(client, uri, TERMS, "tid", ["term", "tid", "df"])}
    gone = [t for t in stored if t not in vocabulary]
    for start in range(0, len(gone), BATCH):
        part = json.dumps(gone[start:start + BATCH], ensure_ascii=False)
        _guard(uri, "delete terms", lambda: client.delete(TERMS, filter=f"term in {part}"))
    changed = [{"term": t, "tid": int(i), "df": int(df[i]), "v": _NO_VECTOR} for t, i in vocabulary.items()
               if len(t.encode("utf-8")) <= 512 and stored.get(t) != (int(i), int(df[i]))]
    for start in range(0, len(changed), BATCH):
        batch = changed[start:start + BATCH]
        _guard(uri, "insert terms", lambda: client.upsert(TERMS, batch))


def publish(client, uri: str, collection) -> None:
    """Write the documents, the terms and the manifest of `collection` (the passages are written by
    `rag.milvus.sync`): changed documents and terms only; the manifest last."""
    _publish_documents(client, uri, collection)
    _publish_terms(client, uri, collection)
    for name in (DOCUMENTS, TERMS):
        _guard(uri, "flush", lambda: client.flush(name))
    manifest = {k: v for k, v in collection.manifest.items() if k not in ("documents", "files", "roots")}
    _guard(uri, "label the collection", lambda: client.alter_collection_properties(
        NAME, properties={MANIFEST: json.dumps(manifest)}))


# ------------------------------------------------------------------ reading (a query node)

class RemoteDocuments(Mapping):
    """The documents of a Milvus index: every record at hand (without text), a text fetched when asked
    for (the last FETCHED kept)."""

    def __init__(self, client, uri: str, records: dict[str, dict]):
        self.client, self.uri, self._records = client, uri, records
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self):
        return iter(self._records)

    def __contains__(self, doc_id) -> bool:
        return doc_id in self._records

    def meta(self, doc_id: str) -> DocRecord:
        """The document's record without its text (title, type, date, dossier, pages)."""
        return _record(self._records[doc_id], "")

    def _fetch(self, doc_ids: list[str]) -> dict[str, str]:
        parts: dict[str, list[tuple[int, str]]] = {d: [] for d in doc_ids}
        for row in _all(self.client, self.uri, DOCUMENTS, f"doc_id in {json.dumps(doc_ids, ensure_ascii=False)}",
                        ["doc_id", "part", "text"]):
            parts[row["doc_id"]].append((int(row["part"]), row["text"]))
        return {d: "".join(text for _, text in sorted(p)) for d, p in parts.items()}

    def __getitem__(self, doc_id: str) -> DocRecord:
        if doc_id not in self._records:
            raise KeyError(doc_id)
        with self._lock:
            text = self._texts.get(doc_id)
            if text is not None:
                self._texts.move_to_end(doc_id)
        if text is None:
            text = self._fetch([doc_id])[doc_id]
            with self._lock:
                self._texts[doc_id] = text
                while len(self._texts) > FETCHED:
                    self._texts.popitem(last=False)
        return _record(self._records[doc_id], text)

    def items(self):
        """Every document with its text, fetched in batches (a listing, an evaluation)."""
        ids = list(self._records)
        for start in range(0, len(ids), 100):
            texts = self._fetch(ids[start:start + 100])
            for doc_id in ids[start:start + 100]:
                yield doc_id, _record(self._records[doc_id], texts[doc_id])

    def values(self):
        return (record for _, record in self.items())

    def naming(self, forms: set[str], pattern) -> set[str]:
        """The documents whose text holds one of `forms` where `pattern` finds it (a member's name): the
        parts that hold it by Milvus's own match (each with the start of the next, so a name across two
        parts is found too), the word bounds checked here."""
        found: set[str] = set()
        for form in sorted(forms):
            like = json.dumps(f"%{form}%", ensure_ascii=False)
            found.update(r["doc_id"] for r in _all(self.client, self.uri, DOCUMENTS, f"seam like {like}",
                                                   ["doc_id", "seam"]) if pattern.search(r["seam"]))
        return found


def _all(client, uri: str, name: str, filter: str, fields: list[str]) -> list[dict]:
    """Every row the filter names: one query, or an iterator when they are more than a query returns."""
    rows = _guard(uri, f"read {name}", lambda: client.query(name, filter=filter, output_fields=fields, limit=RANGE))
    return rows if len(rows) < RANGE else list(iterate(client, uri, name, fields, filter))


def _record(meta: dict, text: str) -> DocRecord:
    return DocRecord.from_json(json.dumps({**meta, "text": text}, ensure_ascii=False))


class RemoteLexicon:
    """What a question needs of the BM25 index (`rag.lexical.LexicalIndex`) from a Milvus index: the
    vocabulary with each term's id and document frequency, and the number of passages."""

    def __init__(self, terms: dict[str, tuple[int, int]], passages: int):
        self._terms = terms
        size = max((tid for tid, _ in terms.values()), default=-1) + 1
        df = np.zeros(size, dtype=np.float64)
        for tid, count in terms.values():
            df[tid] = count
        n = float(passages)
        self._passages = passages
        self.idf = np.where(df > 0, np.log1p((n - df + 0.5) / (df + 0.5)), 0.0)  # as `LexicalIndex.idf`

    def knows(self, token: str) -> bool:
        return token in self._terms

    def rarity(self, token: str) -> float:
        term = self._terms.get(token)
        return float(self.idf[term[0]]) if term is not None and self.idf[term[0]] > 0 else unheld_idf(self._passages)

    def term_counts(self, text: str) -> dict[int, float]:
        counts: dict[int, float] = {}
        for token in tokenize([text])[0]:
            if token in self._terms:
                tid = self._terms[token][0]
                counts[tid] = counts.get(tid, 0.0) + 1.0
        return counts

    def question_weights(self, text: str) -> dict[int, float]:
        return {term: count * float(self.idf[term]) for term, count in self.term_counts(text).items()}


def load(uri_text: str, model: str | None = None, embedder=None):
    """The `Collection` of the index published to the Milvus at `uri_text`, searching there."""
    from rag.chunking import CHUNKER_VERSION
    from rag.collection import Collection
    from rag.embedding import make_embedder

    _, uri = parse_backend(uri_text)
    client = _client(uri)
    hint = f"publish one with `rag index PATH... --backend {uri_text}`"
    present = _guard(uri, "list its collections", lambda: client.list_collections())
    if NAME not in present or DOCUMENTS not in present or TERMS not in present:
        raise IndexMismatchError(f"Milvus at {uri_text} holds no index; {hint}.")
    described = _guard(uri, "describe the collection", lambda: client.describe_collection(NAME))
    properties = described.get("properties") or {}
    if _stored_identity(client, uri).get("schema") != SCHEMA or MANIFEST not in properties:
        raise IndexMismatchError(f"Milvus at {uri_text} holds an index of an older layout; {hint}.")
    manifest = json.loads(properties[MANIFEST])
    built_with = manifest["model"]["name"]
    if manifest.get("chunker", {}).get("version") != CHUNKER_VERSION:
        raise IndexMismatchError(f"The index in Milvus at {uri_text} was built by chunker version "
                                 f"{manifest.get('chunker', {}).get('version')}, this program uses {CHUNKER_VERSION}; "
                                 f"{hint}.")
    if manifest.get("bm25") != BM25_SETTINGS:
        raise IndexMismatchError(f"The index in Milvus at {uri_text} was built with other BM25 settings; {hint}.")
    if embedder is None:
        if model and model != built_with:
            raise IndexMismatchError(f"The index in Milvus at {uri_text} was built with model {built_with!r}, "
                                     f"not {model!r}; ask without --model.")
        embedder = make_embedder(built_with)
    for name in (NAME, DOCUMENTS, TERMS):
        _guard(uri, f"load {name}", lambda: client.load_collection(name))
    rows = sorted(_by_ranges(client, uri, NAME, "row", ["chunk_id", "row", "text", "record"]),
                  key=lambda r: (r["row"], r["chunk_id"]))
    chunks = [_chunk(r["text"], r["record"]) for r in rows]
    pieces: dict[str, list[tuple[int, str]]] = {}
    for r in iterate(client, uri, DOCUMENTS, ["doc_id", "part", "record"], 'record != ""'):
        pieces.setdefault(r["doc_id"], []).append((int(r["part"]), r["record"]))
    records = {d: json.loads("".join(piece for _, piece in sorted(p))) for d, p in pieces.items()}
    documents = RemoteDocuments(client, uri, records)

    chunks = [c if len(c.text) < MAX_TEXT else _whole(c, documents) for c in chunks]
    terms = {r["term"]: (int(r["tid"]), int(r["df"])) for r in _by_ranges(client, uri, TERMS, "tid",
                                                                           ["term", "tid", "df"])}
    collection = Collection(uri_text, None, manifest, chunks, embedder)
    collection.__dict__["documents"] = documents
    collection.__dict__["lexical"] = RemoteLexicon(terms, manifest["counts"]["passages"])
    collection.__dict__["backend"] = MilvusBackend.open(uri, collection)
    return collection


def _whole(chunk: Chunk, documents: RemoteDocuments) -> Chunk:
    """A passage Milvus keeps cut at MAX_TEXT, whole from its document."""
    return replace(chunk, text=documents[chunk.doc_id].text[chunk.start:chunk.end])


def build_id(uri_text: str, client=None) -> str | None:
    """The build the Milvus index at `uri_text` holds now (None when it holds none); `client`: one open
    to it already (a query node asks often)."""
    _, uri = parse_backend(uri_text)
    client = client or _client(uri)
    described = _guard(uri, "describe the collection", lambda: client.describe_collection(NAME))
    manifest = (described.get("properties") or {}).get(MANIFEST)
    return json.loads(manifest).get("build_id") if manifest else None
