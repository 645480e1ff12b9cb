"""Milvus as the search backend (`rag.search_backend`): Milvus Lite in a file, or a Milvus server.

One Milvus collection, `kamervragen`, holds every passage of the index: its id, text and metadata
(document, party, speaker, type, date, page), its dense vector (HNSW, inner product: the vectors are
normalised, so this is the cosine) and its lexical side as a sparse vector: the project's own BM25
over its Dutch tokenizer (bm25s, lucene variant), the term-frequency part of each term's weight, so
that the inner product with the question's term counts × IDF (the local index's, at question time)
is exactly the local BM25 score. Passages coming and going change every IDF but no stored part; only
a moved mean passage length does, and then `sync` sends every passage again. Milvus's built-in
BM25 function is not used: Milvus Lite 3.2 ignored the stemmer of its analyzer (issue 16), and with
the project's weights both backends rank alike.

`sync` makes the collection hold exactly the local index's passages (adds what is new, deletes what
is gone: re-running adds nothing; a collection of an older schema is a derived copy, so it is made
again); Ray's embedding workers write new passages to a Milvus server themselves (`PassageSink`),
so that sync then sends nothing; `MilvusBackend.open` checks it against the local index before any
search. A filtered search over a subset of at most MAX_IN passages names them by id; a wider one (a
type, a period, a large party on a large index) is filtered by Milvus on the stored metadata
(`filter_expression`, the same passages as `Collection.rows_where`). `sync` also publishes what a
query node needs beside the searches (`rag.milvus_index`): then `Collection.load("milvus://…")`
needs no index folder.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict

import numpy as np

from rag.errors import IndexMismatchError, RagError
from rag.search_backend import top_rows
from rag.types import Chunk

NAME = "kamervragen"
IDENTITY = "kamervragen.identity"
BATCH = 500
MAX_TEXT = 16000  # characters of a passage kept in Milvus (its VARCHAR holds 65,535 bytes)
EF = int(os.environ.get("RAG_MILVUS_EF", "256"))  # HNSW candidates per search (at least n)
MAX_IN = int(os.environ.get("RAG_MILVUS_MAX_IN", "20000"))  # rows listed by id in one filter; wider: by metadata
SCHEMA = 4  # of the collection's fields and indexes: 2 added `mentions` and scalar indexes, 3 stores BM25's
# term-frequency parts (the IDF is the question's), 4 each passage's record and the documents, terms and
# manifest a query node reads (`rag.milvus_index`); raise when they change
DRIFT = 1e-4  # relative change of the stored term-frequency parts that sends every passage again
DRIFT_SAMPLE = 64
MAX_MENTIONS_STORED = 64
SPARSE_KEPT = 20000  # passages' sparse vectors kept between a question's BM25 texts
FILTERED = ("party", "doc_type", "doc_id", "date", "mention_count")
EXACT_BELOW = int(os.environ.get("RAG_MILVUS_EXACT_BELOW", "1000"))  # filtered subsets up to this: exact


class BackendError(RagError):
    """The search backend cannot be reached or refuses."""

    exit_code = 6


def _client(uri: str):
    try:
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise BackendError("Milvus needs pymilvus (and milvus-lite for a file): pip install "
                           "'kamervragen[scale]'.") from exc
    # pymilvus and Milvus Lite log every refused call with its traceback before raising it; the caller
    # says it in one sentence
    for name in ("pymilvus.decorators", "milvus_lite"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        return MilvusClient(uri, timeout=10)
    except Exception as exc:  # pymilvus raises its own and gRPC/HTTP errors alike
        if not uri.startswith("http"):  # Milvus Lite says only "Open local milvus failed" (its log says why)
            raise BackendError(f"The Milvus Lite file {uri} cannot be opened: another process has it open (a file "
                               f"serves one process at a time: stop that one, such as a `rag serve` or `rag ui` "
                               f"on it, or use a Milvus server), or it is not a Milvus Lite file.") from exc
        raise BackendError(f"Milvus at {uri} cannot be reached ({_reason(exc)}); start it, or check --backend.") from exc


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "message", "") or exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def _guard(uri: str, what: str, call: Callable):
    try:
        return call()
    except RagError:
        raise
    except Exception as exc:
        raise BackendError(f"Milvus at {uri} refused to {what} ({_reason(exc)}).") from exc


def _identity(collection) -> dict:
    model = collection.manifest["model"]
    return identity_of(model["name"], int(model["dim"]))


def identity_of(model: str, dim: int) -> dict:
    """What a collection is labelled with: which model's vectors, how many dimensions, which layout."""
    return {"model": model, "dim": int(dim), "schema": SCHEMA}


def _count(client, uri: str) -> int:
    return int(_guard(uri, "count its passages", lambda: client.get_collection_stats(NAME))["row_count"])


def _create(client, uri: str, identity: dict) -> None:
    from pymilvus import DataType

    schema = client.create_schema(auto_id=False)
    schema.add_field("chunk_id", DataType.VARCHAR, is_primary=True, max_length=64)
    schema.add_field("doc_id", DataType.VARCHAR, max_length=512)
    schema.add_field("party", DataType.VARCHAR, max_length=128)
    schema.add_field("speaker", DataType.VARCHAR, max_length=512)
    schema.add_field("doc_type", DataType.VARCHAR, max_length=256)  # lower case, as filters compare it
    schema.add_field("mentions", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=MAX_MENTIONS_STORED,
                     max_length=128)
    schema.add_field("mention_count", DataType.INT64)
    schema.add_field("date", DataType.VARCHAR, max_length=16)
    schema.add_field("page", DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=65535)
    schema.add_field("record", DataType.VARCHAR, max_length=65535)  # the rest of the Chunk (`rag.milvus_index`)
    schema.add_field("row", DataType.INT64)  # its row in the build that wrote it: a query node's order
    schema.add_field("digest", DataType.VARCHAR, max_length=64)  # of its text, record and row: sent again when changed
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=identity["dim"])
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    index = client.prepare_index_params()
    index.add_index("dense", index_type="HNSW", metric_type="IP", params={"M": 32, "efConstruction": 200})
    index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    for field in FILTERED:  # what `filter_expression` filters on (Milvus Lite indexes no ARRAY field)
        index.add_index(field, index_type="INVERTED")
    _guard(uri, "create the collection", lambda: client.create_collection(NAME, schema=schema, index_params=index))
    # which model's vectors it holds: checked by `sync` and `MilvusBackend.open`
    _guard(uri, "label the collection", lambda: client.alter_collection_properties(
        NAME, properties={IDENTITY: json.dumps(identity)}))


def _stored_identity(client, uri: str) -> dict:
    described = _guard(uri, "describe the collection", lambda: client.describe_collection(NAME))
    try:
        return json.loads((described.get("properties") or {}).get(IDENTITY) or "{}")
    except ValueError:
        return {}


def _quiet_iterators() -> None:
    """Milvus Lite gives a query iterator no snapshot time, and pymilvus says so on every run; it then
    uses its own clock, which is what is wanted here: a user need not see it. (Called before each
    iteration, not at import: importing pymilvus sets its loggers' levels.)"""
    logging.getLogger("pymilvus.client.iterator.query_iterator").setLevel(logging.ERROR)


def iterate(client, uri: str, name: str, fields: list[str], filter: str = "") -> Iterator[dict]:
    """Every row of collection `name` the filter admits, in batches (Strong: a server otherwise may not
    show rows other clients, such as Ray's workers, wrote just before)."""
    _quiet_iterators()
    iterator = _guard(uri, f"read {name}", lambda: client.query_iterator(
        name, batch_size=1000, filter=filter, output_fields=fields, consistency_level="Strong"))
    while True:
        batch = _guard(uri, f"read {name}", iterator.next)
        if not batch:
            iterator.close()
            return
        yield from batch


def _stored_ids(client, uri: str) -> dict[str, str]:
    """{chunk_id: digest} of the stored passages (`passage_digest`)."""
    return {r["chunk_id"]: r["digest"] for r in iterate(client, uri, NAME, ["chunk_id", "digest"])}


def _drifted(client, uri: str, parts, want: dict[str, int], kept: set[str]) -> bool:
    """Whether the stored term-frequency parts of passages that stay differ from the local index's
    (relatively, by more than DRIFT, on a fixed sample): the mean passage length moved."""
    sample = sorted(kept)[:DRIFT_SAMPLE]
    if not sample:
        return False
    stored = _guard(uri, "read passages", lambda: client.get(NAME, ids=sample, output_fields=["sparse"]))
    for record in stored:
        local = parts.getrow(want[record["chunk_id"]])
        mine = {int(t): float(w) for t, w in zip(local.indices, local.data) if w > 0}
        theirs = {int(t): float(w) for t, w in (record.get("sparse") or {}).items() if w > 0}
        scale = max(list(mine.values()) + list(theirs.values()) + [1e-9])
        if any(abs(mine.get(t, 0.0) - theirs.get(t, 0.0)) > DRIFT * scale for t in set(mine) | set(theirs)):
            return True
    return len(stored) < len(sample)


def prepare(uri_text: str, identity: dict):
    """(client, uri) of the collection at `uri_text`, made if missing or of an older layout, and
    loaded; an error if it holds another model's vectors."""
    from rag.search_backend import parse_backend

    _, uri = parse_backend(uri_text)
    client = _client(uri)
    if not _guard(uri, "list its collections", lambda: client.has_collection(NAME)):
        _create(client, uri, identity)
    else:
        stored = _stored_identity(client, uri)
        if stored.get("model") != identity["model"] or int(stored.get("dim", -1)) != identity["dim"]:
            raise IndexMismatchError(
                f"The Milvus collection at {uri_text} holds passages of model {stored.get('model')!r} "
                f"({stored.get('dim')} dimensions), this index {identity['model']!r} ({identity['dim']}); "
                f"give another --backend, or drop the collection '{NAME}' there first.")
        if stored.get("schema") != SCHEMA:
            # a copy of the local index in an older layout: made again, nothing of the user's is lost
            from rag.milvus_index import drop

            _guard(uri, "drop the collection of the older layout", lambda: client.drop_collection(NAME))
            drop(client, uri)
            _create(client, uri, identity)
    _guard(uri, "load the collection", lambda: client.load_collection(NAME))
    return client, uri


def passage_extra(chunk: Chunk) -> str:
    """A passage's record as the passages collection stores it: the chunk without its text (its row in
    the build and its text are fields of their own)."""
    record = {k: v for k, v in asdict(chunk).items() if k != "text"}
    text = json.dumps(record, ensure_ascii=False)
    if len(text.encode("utf-8")) > 65000:  # footnotes of a passage beyond a VARCHAR: the note texts go
        record["notes"] = []
        text = json.dumps(record, ensure_ascii=False)
    return text


def passage_digest(chunk: Chunk, row: int) -> str:
    """What a stored passage is checked by: its text, record and row (a party from the index-wide member
    table, or a row, can change while its id stays)."""
    return hashlib.sha1(f"{row}\n{passage_extra(chunk)}\n{chunk.text}".encode()).hexdigest()


def passage_record(chunk, terms, row: int) -> dict:
    """A passage as Milvus stores it, but for its vector (`with_vectors`; a Ray worker attaches it once it
    has embedded the passage); `terms`: its row of BM25 term-frequency parts; `row`: its row in the build."""
    c = chunk
    return {
        "chunk_id": c.chunk_id, "doc_id": c.doc_id[:512], "party": (c.party or "")[:128],
        "speaker": (c.speaker or "")[:512], "doc_type": (c.doc_type or "").lower()[:256],
        "date": (c.date or "")[:16], "mentions": [m[:128] for m in c.mentions[:MAX_MENTIONS_STORED]],
        "mention_count": len(c.mentions), "page": int(c.page or 0), "text": c.text[:MAX_TEXT],
        "record": passage_extra(c), "row": int(row), "digest": passage_digest(c, row),
        # an empty sparse vector is refused: a passage without terms gets a zero weight
        "sparse": {int(t): float(w) for t, w in zip(terms.indices, terms.data) if w > 0} or {0: 0.0},
    }


def with_vectors(records: list[dict], vectors) -> list[dict]:
    """The `passage_record`s with their dense vectors (float32 rows, in order)."""
    return [{**r, "dense": np.asarray(v, dtype=np.float32).tolist()} for r, v in zip(records, vectors)]


class PassageSink:
    """Writes passages (`passage_record`s with their vectors) to a Milvus server from any process: each
    Ray embedding worker has one. Upserts, so a batch sent again after a restarted worker adds nothing."""

    def __init__(self, uri_text: str):
        from rag.search_backend import parse_backend

        self.uri = parse_backend(uri_text)[1]
        self._client = None

    def __getstate__(self):
        return {"uri": self.uri, "_client": None}  # a client is not sent to another process

    def write(self, records: list[dict], vectors) -> None:
        """Upsert the `passage_record`s with their vectors."""
        if self._client is None:
            self._client = _client(self.uri)
        _guard(self.uri, "insert passages", lambda: self._client.upsert(NAME, with_vectors(records, vectors)))


def sync(uri_text: str, collection, progress: Callable[[int, int], None] | None = None) -> dict:
    """Make the Milvus collection at `uri_text` ("milvus:///path.db", "milvus://host:port") hold
    exactly the passages of `collection`: insert the missing, delete the gone. Idempotent; a killed
    run is completed by the next; a passage whose record or row changed is sent again. Returns {"added",
    "refreshed" (all sent again: the mean passage length moved), "changed", "deleted", "passages"}."""
    from rag.milvus_index import publish

    client, uri = prepare(uri_text, _identity(collection))
    have = _stored_ids(client, uri)
    want = {c.chunk_id: row for row, c in enumerate(collection.chunks)}
    gone = sorted(set(have) - set(want))
    for start in range(0, len(gone), BATCH):
        part = gone[start:start + BATCH]
        _guard(uri, "delete passages", lambda: client.delete(NAME, ids=part))
    # Stored: each passage's BM25 term-frequency parts; the IDF is the question's (`MilvusBackend`).
    # The parts hold the mean passage length: when it moved, every passage is sent again.
    parts = collection.lexical.passage_parts()
    kept = set(have).intersection(want)
    stale = _drifted(client, uri, parts, want, kept)
    # a passage that stays is sent again when its record or row changed (a party from the index-wide
    # member table, a document before it added or dropped)
    changed = {cid for cid in kept if have[cid] != passage_digest(collection.chunks[want[cid]], want[cid])}
    missing = list(want.values()) if stale else [row for cid, row in want.items() if cid not in have or cid in changed]
    write = client.upsert if stale or changed else client.insert
    for start in range(0, len(missing), BATCH):
        rows = missing[start:start + BATCH]
        vectors = np.asarray(collection.vectors[rows], dtype=np.float32)
        records = with_vectors([passage_record(collection.chunks[row], parts.getrow(row), row) for row in rows],
                               vectors)
        _guard(uri, "insert passages", lambda: write(NAME, records))
        if progress:
            progress(start + len(rows), len(missing))
    _guard(uri, "flush", lambda: client.flush(NAME))
    publish(client, uri, collection)  # what a query node reads beside the passages; the manifest last
    return {"added": len(want) - len(kept), "refreshed": len(kept) if stale else 0,
            "changed": 0 if stale else len(changed), "deleted": len(gone), "passages": len(want)}


def _strings(values) -> str:
    return "[" + ", ".join(json.dumps(str(v), ensure_ascii=False) for v in values) + "]"


def filter_expression(collection, filters) -> str:
    """`filters` (a `rag.query.Filters`) as a Milvus expression on the stored fields: the passages
    `collection.rows_where(filters)` gives ("" for no filter). The members' documents are looked up
    in the collection (in their text), the rest is Milvus's own."""
    from rag.collection import MAX_MENTIONS, PARTY_POLICY
    from rag.types import CHAIR

    parts = []
    if filters.parties:
        own = f"party in {_strings(filters.parties)}"
        if filters.named_in_question and PARTY_POLICY == "mentions":
            most = 10 ** 6 if filters.about_votes else MAX_MENTIONS
            chair = "" if filters.about_votes else f" and speaker != {json.dumps(CHAIR)}"
            own = (f'({own} or (party == "" and array_contains_any(mentions, {_strings(filters.parties)}) '
                   f"and mention_count <= {most}{chair}))")
        parts.append(own)
    if filters.doc_ids:
        parts.append(f"doc_id in {_strings(filters.doc_ids)}")
    if filters.types:
        parts.append(f"doc_type in {_strings(filters.types)}")
    if filters.speakers:
        parts.append(f"doc_id in {_strings(collection.member_documents(tuple(filters.speakers)))}")
    if filters.since or filters.until:
        parts.append('date != ""')
    if filters.since:
        parts.append(f"date >= {json.dumps(filters.since)}")  # "2018-05-01" >= "2018": a prefix compares lower
    if filters.until:
        parts.append(f"date <= {json.dumps(filters.until + '~')}")  # "2018-12-31" <= "2018~": the whole of 2018
    return " and ".join(parts)


class MilvusBackend:
    """The four searches of `rag.search_backend.SearchBackend`, run in Milvus."""

    name = "milvus"

    def __init__(self, client, uri: str, collection):
        self.client, self.uri, self.collection = client, uri, collection
        self.row_of = {c.chunk_id: row for row, c in enumerate(collection.chunks)}
        self._quoted = [json.dumps(c.chunk_id) for c in collection.chunks]  # for filter expressions
        # Scores Milvus already returned for a question (by field and question): the candidates'
        # scores are then fetched only for rows no search returned. A few questions at once (the UI).
        self._known: dict[tuple[str, bytes | str], dict[int, float]] = {}
        # Sparse vectors read for a question's candidates: its other BM25 texts (the subject's) score
        # the same rows without another round trip.
        self._sparse: dict[int, dict] = {}
        self._lock = threading.Lock()
        _guard(uri, "load the collection", lambda: client.load_collection(NAME))

    def _scores_of(self, field: str, key) -> dict[int, float]:
        with self._lock:
            if (field, key) not in self._known:
                if len(self._known) >= 16:
                    self._known.pop(next(iter(self._known)))
                self._known[field, key] = {}
            return self._known[field, key]

    @classmethod
    def open(cls, uri: str, collection) -> "MilvusBackend":
        """The backend over the collection at `uri` (a pymilvus URI), checked against the local index."""
        client = _client(uri)
        hint = f"run `rag index ... --index {collection.index_dir} --backend milvus://...` to fill it"
        if not _guard(uri, "list its collections", lambda: client.has_collection(NAME)):
            raise IndexMismatchError(f"Milvus at {uri} has no collection '{NAME}'; {hint}.")
        stored = _stored_identity(client, uri)
        count = _count(client, uri)
        if stored.get("schema") != SCHEMA:
            raise IndexMismatchError(f"Milvus at {uri} holds the passages in an older layout; {hint}.")
        if stored.get("model") != _identity(collection)["model"] or count != len(collection.chunks):
            raise IndexMismatchError(
                f"Milvus at {uri} holds {count} passages of model {stored.get('model')!r}, the index "
                f"{len(collection.chunks)} of {_identity(collection)['model']!r}; {hint}.")
        return cls(client, uri, collection)

    # ------------------------------------------------------------ searching

    def _filter(self, rows: np.ndarray | None) -> str:
        if rows is None:
            return ""
        return "chunk_id in [" + ",".join(self._quoted[int(r)] for r in rows) + "]"

    def _search(self, field: str, data, n: int, rows: np.ndarray | None, params: dict, key,
                where=None) -> list[tuple[int, float]]:
        if rows is not None and not len(rows):
            return []
        wide = rows is not None and len(rows) > MAX_IN
        if wide and where:
            expression, limit = filter_expression(self.collection, where), n
        else:
            # a wide subset without filters to say it (a member's or a dossier's rows): searched wider, then kept
            expression, limit = ("", min(16384, n * 20)) if wide else (self._filter(rows), n)
        found = _guard(self.uri, "search", lambda: self.client.search(
            NAME, data=[data], anns_field=field, limit=limit, filter=expression,
            search_params=params, output_fields=["chunk_id"]))[0]
        out = [(self.row_of[h["chunk_id"]], float(h["distance"])) for h in found if h["chunk_id"] in self.row_of]
        if wide:
            allowed = set(int(r) for r in rows)
            out = [x for x in out if x[0] in allowed]
        self._scores_of(field, key).update(out)
        return out[:n]

    def dense_top(self, vector: np.ndarray, n: int, rows: np.ndarray | None, where=None) -> list[int]:
        if rows is not None and len(rows) <= EXACT_BELOW:
            # a narrow filter (a party, a member's papers): scored exactly, as the local index does;
            # a graph search inside a small subset loses neighbours
            return top_rows(self.dense_scores(vector, rows), rows, n, positive_only=False)
        params = {"metric_type": "IP", "params": {"ef": max(EF, n)}}
        vector = vector.astype(np.float32)
        return [row for row, _ in self._search("dense", vector.tolist(), n, rows, params, vector.tobytes(), where)]

    def lexical_top(self, text: str, n: int, rows: np.ndarray | None, where=None) -> list[int]:
        terms = self.collection.lexical.question_weights(text)
        if not terms:
            return []
        params = {"metric_type": "IP", "params": {"drop_ratio_search": 0.0}}
        return [row for row, score in self._search("sparse", terms, n, rows, params, text, where) if score > 0]

    def _fetch(self, rows: np.ndarray, field: str) -> list:
        ids = [self.collection.chunks[int(r)].chunk_id for r in rows]
        found = _guard(self.uri, "read passages", lambda: self.client.get(NAME, ids=ids, output_fields=[field]))
        by_id = {r["chunk_id"]: r[field] for r in found}
        return [by_id.get(i) for i in ids]

    def dense_scores(self, vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        vector = vector.astype(np.float32)
        known = self._scores_of("dense", vector.tobytes())
        missing = np.array([r for r in rows if int(r) not in known], dtype=np.int64)
        if len(missing):
            fetched = np.asarray(self._fetch(missing, "dense"), dtype=np.float32) @ vector
            known.update(zip(map(int, missing), map(float, fetched)))
        return np.array([known[int(r)] for r in rows], dtype=np.float32)

    def lexical_scores(self, text: str, rows: np.ndarray) -> np.ndarray:
        terms = self.collection.lexical.question_weights(text)
        if not terms or not len(rows):
            return np.zeros(len(rows), dtype=np.float32)
        known = self._scores_of("sparse", text)
        missing = [int(r) for r in rows if int(r) not in known]
        with self._lock:
            vectors = {r: self._sparse[r] for r in missing if r in self._sparse}
        unread = [r for r in missing if r not in vectors]
        if unread:
            fetched = dict(zip(unread, self._fetch(np.array(unread, dtype=np.int64), "sparse")))
            vectors.update(fetched)
            with self._lock:
                if len(self._sparse) + len(fetched) > SPARSE_KEPT:
                    self._sparse.clear()
                self._sparse.update(fetched)
        for row in missing:
            known[row] = sum(w * terms.get(int(t), 0.0) for t, w in (vectors[row] or {}).items())
        return np.array([known[int(r)] for r in rows], dtype=np.float32)

    def count(self) -> int:
        return _count(self.client, self.uri)
