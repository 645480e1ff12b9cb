"""A loaded index: passages, documents, dense and lexical indexes, and the embedder that built it.

`Collection.load(index_dir)` checks the manifest (format, files, model, chunker) and fails with one
sentence saying what to run. Search itself lives in `rag.retriever`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from rag.chunking import CHUNKER_VERSION
from rag.embedding import Embedder, make_embedder
from rag.errors import IndexMismatchError
from rag.lexical import BM25_SETTINGS, LexicalIndex
from rag.store import DocRecord, chunk_from_json, is_remote, iter_jsonl, read_manifest, rebuild_hint
from rag.types import CHAIR, Chunk


# How a party named in a question treats passages without a party: "strict" (only the party's own)
# or "mentions" (also those that name the party); measured on the historic questions (README,
# "Retrieval quality"). A party filter the user sets is always strict.
MAX_MENTIONS = 6  # a passage naming more parties than this is no party's (measured: README, issue 15 note)
PARTY_POLICY = os.environ.get("RAG_PARTY_POLICY", "mentions")
# Forms of address and offices before a member's name ("De heer Graus", "Minister De Jonge").
_TITLES = re.compile(r"^(?:(?:de heer|den heer|de heeren|de heren|heeren|heren|mevrouw|mr\.?|dr\.?|ir\.?|"
                     r"minister(?:-president)?s?|staatssecretaris|de voorzitter|voorzitter)\s+)+", re.I)
# Where a speaker line goes on past the names: an office ("…, Minister van Onderwijs, Kunsten en
# Wetenschappen") or a subject ("Wijnkoop betreffende …").
_OFFICE = re.compile(r",?\s+(?:[Mm]inisters?\b|[Ss]taatssecretaris|betreffende|in verband met|in zake|inzake|over|"
                     r"naar aanleiding)\b")
# A name: initials, particles and capitalised words ("G. M. P. Cornelissen", "Van der Goes van Naters").
_PARTICLE = r"[Vv]an|[Dd]e|[Dd]er|[Dd]en|[Tt]er|[Tt]en|[Tt]e|[Hh]et|'t"  # of a surname: "Van der Goes"
_NAME = re.compile(rf"(?:[A-Z]\.\s?)*(?:(?:{_PARTICLE})\s+)*"
                   r"[A-ZÀ-Ý][\w'’-]+(?:[\s-]+(?:(?:van|de|der|den|ter|ten|het)\s+)*[A-ZÀ-Ý][\w'’-]+)*")


_PARTICLES = re.compile(rf"^(?:(?:{_PARTICLE}|[Ii]n|[Oo]p)\s+)+(?=[A-ZÀ-Ý])")


def _after_initials(name: str) -> str:
    """A surname as written after initials or a first name, its particles in lower case: "Van den Broek"
    is signed "H. van den Broek"."""
    return _PARTICLES.sub(lambda m: m.group().lower(), name)


class Documents(dict):
    """The documents of an index folder by id (`rag.milvus_index.RemoteDocuments` is a Milvus index's)."""

    def meta(self, doc_id: str) -> DocRecord:
        """The document's record (title, type, date, dossier, pages)."""
        return self[doc_id]

    def naming(self, forms: set[str], pattern: re.Pattern) -> set[str]:
        """The documents whose text holds one of `forms` where `pattern` finds it (a member's name)."""
        return {doc_id for doc_id, record in self.items()
                if any(form in record.text for form in forms) and pattern.search(record.text)}  # find is fast


@dataclass
class Collection:
    index_dir: Path
    folder: Path
    manifest: dict
    chunks: list[Chunk]
    embedder: Embedder

    @classmethod
    def load(cls, index_dir: Path | str, model: str | None = None, embedder: Embedder | None = None,
             check_lexical: bool = True) -> "Collection":
        """Open the index at `index_dir` (a folder, or "milvus://…": the index published to that Milvus,
        `rag.milvus_index`); `model`/`embedder` must match the one that built it.

        `check_lexical=False` accepts other BM25 settings (a build, which rebuilds BM25 anyway).
        """
        if is_remote(index_dir):
            from rag import milvus_index

            return milvus_index.load(str(index_dir), model=model, embedder=embedder)
        index_dir = Path(index_dir)
        folder, manifest = read_manifest(index_dir)
        built_with = manifest["model"]["name"]
        chunker = manifest.get("chunker", {}).get("version")
        if chunker != CHUNKER_VERSION:
            raise IndexMismatchError(f"The index at {index_dir} was built by chunker version {chunker}, this program "
                                     f"uses {CHUNKER_VERSION}; {rebuild_hint(index_dir)}.")
        if check_lexical and manifest.get("bm25") != BM25_SETTINGS:
            raise IndexMismatchError(f"The index at {index_dir} was built with other BM25 settings; run "
                                     f"`rag index PATH... --index {index_dir}` to renew them (nothing is embedded "
                                     f"again).")
        if embedder is None:
            if model and model != built_with:
                raise IndexMismatchError(f"The index at {index_dir} was built with model {built_with!r}, not "
                                         f"{model!r}; ask without --model, or {rebuild_hint(index_dir)} --model {model}.")
            embedder = make_embedder(built_with)
        elif embedder.name != built_with:
            raise IndexMismatchError(f"The index at {index_dir} was built with model {built_with!r}, not "
                                     f"{embedder.name!r}; {rebuild_hint(index_dir)}.")
        try:
            chunks = [chunk_from_json(line) for line in iter_jsonl(folder / "chunks.jsonl")]
        except (ValueError, TypeError, KeyError) as exc:
            raise IndexMismatchError(f"The index file {folder / 'chunks.jsonl'} is damaged ({exc}); "
                                     f"{rebuild_hint(index_dir)}.") from exc
        if len(chunks) != manifest["counts"]["passages"]:
            raise IndexMismatchError(f"The index file {folder / 'chunks.jsonl'} holds {len(chunks)} passages, the "
                                     f"manifest {manifest['counts']['passages']}; {rebuild_hint(index_dir)}.")
        return cls(index_dir, folder, manifest, chunks, embedder)

    @cached_property
    def vectors(self) -> np.ndarray:
        vectors = np.load(self.folder / "vectors.npy", mmap_mode="r")
        if vectors.shape != (len(self.chunks), self.manifest["model"]["dim"]):
            raise IndexMismatchError(f"The index file {self.folder / 'vectors.npy'} has shape {vectors.shape}, "
                                     f"expected ({len(self.chunks)}, {self.manifest['model']['dim']}); "
                                     f"{rebuild_hint(self.index_dir)}.")
        return vectors

    @cached_property
    def dense(self):
        import faiss

        try:
            index = faiss.read_index(str(self.folder / "dense.faiss"), faiss.IO_FLAG_MMAP)
        except RuntimeError as exc:
            raise IndexMismatchError(f"The index file {self.folder / 'dense.faiss'} cannot be read; "
                                     f"{rebuild_hint(self.index_dir)}.") from exc
        if index.ntotal != len(self.chunks):
            raise IndexMismatchError(f"The index file {self.folder / 'dense.faiss'} holds {index.ntotal} vectors, "
                                     f"expected {len(self.chunks)}; {rebuild_hint(self.index_dir)}.")
        return index

    @cached_property
    def backend(self):
        """Where the searches run (`rag.search_backend`): the local index unless `use_backend` set another."""
        from rag.search_backend import LocalBackend

        return LocalBackend(self)

    def use_backend(self, uri: str | None) -> "Collection":
        """Run the searches in the backend `uri` names ("local", "milvus:///path.db", "milvus://host:port");
        None or "local" keeps the index folder's own. Returns the collection."""
        from rag.search_backend import make_backend, parse_backend

        if is_remote(self.index_dir):  # an index published to Milvus searches there
            if uri and parse_backend(uri) != parse_backend(str(self.index_dir)) and uri != "local":
                raise IndexMismatchError(f"The index at {self.index_dir} searches in that Milvus; give no --backend, "
                                         f"or --index {uri}.")
            return self
        self.__dict__["backend"] = make_backend(self, uri)
        return self

    @cached_property
    def lexical(self) -> LexicalIndex:
        try:
            return LexicalIndex.load(self.folder / "bm25")
        except (OSError, ValueError, KeyError) as exc:
            raise IndexMismatchError(f"The BM25 files in {self.folder / 'bm25'} cannot be read; "
                                     f"{rebuild_hint(self.index_dir)}.") from exc

    @cached_property
    def documents(self) -> "Documents":
        return Documents((r.doc_id, r) for r in map(DocRecord.from_json, iter_jsonl(self.folder / "documents.jsonl")))

    def is_current(self) -> bool:
        """Whether this is still the index's latest build (a service reloads when it is not)."""
        if is_remote(self.index_dir):
            from rag.milvus_index import build_id

            return build_id(str(self.index_dir), self.backend.client) == self.manifest.get("build_id")
        from rag.store import current_build

        return current_build(self.index_dir) == self.folder

    def holds_phrase(self, phrase: str) -> bool:
        """Whether some passage holds the phrase's words in its order, next to each other (case, line
        breaks, punctuation and a word OCR broke at a line end aside): "Wet op de rechtsbijstand", not
        just "wet" here and "rechtsbijstand" there. Once per phrase."""
        cache = self.__dict__.setdefault("_phrase_cache", {})
        if phrase not in cache:
            from rag.answer import unhyphenated
            from rag.lexical import tokenize

            if len(cache) >= 256:
                cache.pop(next(iter(cache)))
            pattern = re.compile(r"(?<!\w)" + r"[\W_]+".join(map(re.escape, phrase.split())) + r"(?!\w)", re.IGNORECASE)
            lexical = self.lexical
            # what BM25 indexed (the passage led by its title): the postings say which passages to read
            rows = lexical.passages_holding(tokenize([phrase])[0]) if hasattr(lexical, "passages_holding") \
                else range(len(self.chunks))  # a remote index's lexicon has no postings here: every passage
            texts = (self.chunks[int(r)].embed_text for r in rows)
            cache[phrase] = any(pattern.search(t) or ("-" in t and pattern.search(unhyphenated(t))) for t in texts)
        return cache[phrase]

    def query_vector(self, text: str) -> np.ndarray:
        """The query embedding (float32, normalised), cached for repeated questions."""
        cache = self.__dict__.setdefault("_query_cache", {})
        if text not in cache:
            if len(cache) >= 256:
                cache.pop(next(iter(cache)))
            cache[text] = self.embedder.encode_queries([text])[0].astype(np.float32)
        return cache[text]

    @cached_property
    def _columns(self) -> dict[str, np.ndarray]:
        """Per-row party, document, type and date, for filtering without touching the chunks."""
        return {
            "party": np.array([c.party or "" for c in self.chunks], dtype=object),
            "doc_id": np.array([c.doc_id for c in self.chunks], dtype=object),
            "type": np.array([(c.doc_type or "").lower() for c in self.chunks], dtype=object),
            "date": np.array([c.date or "" for c in self.chunks], dtype=object),
            "speaker": np.array([c.speaker or "" for c in self.chunks], dtype=object),
            "year": np.array([int(c.date[:4]) if c.date and c.date[:4].isdigit() else -1 for c in self.chunks]),
        }

    @cached_property
    def paper_numbers(self) -> np.ndarray:
        """Per row, a number for its document: rows of one paper share it."""
        return np.unique(self._columns["doc_id"], return_inverse=True)[1].astype(np.int64)

    @cached_property
    def _dossiers(self) -> np.ndarray:
        """Per row, its document's dossier ("" without one)."""
        docs = self.documents
        dossier = {d: (docs.meta(d).dossier or "") for d in set(self._columns["doc_id"]) if d in docs}
        return np.array([dossier.get(d, "") for d in self._columns["doc_id"]], dtype=object)

    def rows_in_dossiers(self, rows: np.ndarray, dossiers: tuple[str, ...]) -> np.ndarray:
        """The given rows whose document belongs to one of the dossiers."""
        return rows[np.isin(self._dossiers[rows], list(dossiers))]

    def rows_in_years(self, rows: np.ndarray, first: int, last: int) -> np.ndarray:
        """The given rows whose document is dated in the years first…last."""
        year = self._columns["year"][rows]
        return rows[(year >= first) & (year <= last)]

    def _party_rows(self, parties: tuple[str, ...], named_in_question: bool, about_votes: bool = False) -> np.ndarray:
        """Mask of the passages a party filter admits: the parties' own; for parties named in the
        question and with `PARTY_POLICY` "mentions", also the passages nobody is credited with that
        name one of them (a minister's answer to "de vragen van de CDA-fractie", a contribution whose
        party the text does not state), unless they name more than `MAX_MENTIONS` parties (a vote's
        result, a list of fractions: about none of them, except when the question asks how the party
        voted), and not the chair's unless the question asks how the party voted (the chair names a party to
        give it the floor, for its apologies — "een bericht van verhindering van mevrouw Leijten van de SP" —
        or in a vote's result); the answer labels those as not attributed."""
        soft = named_in_question and PARTY_POLICY == "mentions"
        most = 10 ** 6 if about_votes else MAX_MENTIONS
        cache = self.__dict__.setdefault("_party_masks", {})
        if (parties, soft, most) not in cache:
            mask = np.isin(self._columns["party"], list(parties))
            if soft:
                wanted = set(parties)
                mask |= np.array([not c.party and (about_votes or c.speaker != CHAIR)
                                  and bool(wanted.intersection(c.mentions)) and len(c.mentions) <= most
                                  for c in self.chunks])
            cache[parties, soft, most] = mask
        return cache[parties, soft, most]

    def speaker_rows(self, names: tuple[str, ...]) -> np.ndarray:
        """Mask of the passages one of the named members speaks or asks in."""
        cache = self.__dict__.setdefault("_speaker_masks", {})
        if names not in cache:
            cache[names] = np.array([any(name in s for name in names) for s in self._columns["speaker"]])
        return cache[names]

    def _member_scope(self, names: tuple[str, ...]) -> np.ndarray:
        """Mask of the passages of the documents in which one of the named members speaks or is named:
        a member's letter, motion or question is often credited to nobody (signed at the end, "de
        ondergetekende"), so the documents that name the member are searched, their own passages
        preferred by retrieval (`rag.retriever.MEMBER_BONUS`)."""
        cache = self.__dict__.setdefault("_member_scopes", {})
        if names not in cache:
            # Signatures are in capitals ("J. LUNS.") and often outside every passage: search the documents.
            forms = {form for name in names for form in (name, name.upper(), _after_initials(name))}
            pattern = re.compile(r"(?<![\w-])(?:%s)(?![\w-])" % "|".join(map(re.escape, sorted(forms))))
            papers = set(self.paper_numbers[self.speaker_rows(names)].tolist())
            number = {doc_id: n for doc_id, n in zip(self._columns["doc_id"], self.paper_numbers)}
            papers |= {number[doc_id] for doc_id in self.documents.naming(forms, pattern) if doc_id in number}
            cache[names] = np.isin(self.paper_numbers, list(papers))
        return cache[names]

    def member_documents(self, names: tuple[str, ...]) -> list[str]:
        """The documents a speakers filter of these names admits (`_member_scope`), sorted."""
        return sorted(set(self._columns["doc_id"][self._member_scope(names)]))

    @cached_property
    def member_names(self) -> re.Pattern | None:
        """A pattern finding the names of the members who speak or ask in the indexed passages."""
        names = set()
        for speaker in set(self._columns["speaker"]):
            for person in re.split(r",\s*|\s+en\s+", _OFFICE.split(speaker)[0]):
                name = _TITLES.sub("", person).strip()
                if len(name) >= 4 and _NAME.fullmatch(name) and name.lower() != "voorzitter":
                    names.add(name)
        if not names:
            return None
        alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])({alternatives})(?![\w-])")

    def rows_where(self, filters) -> np.ndarray | None:
        """Rows matching every given filter (a `rag.query.Filters`), or None when none is given."""
        if not filters:
            return None
        cols = self._columns
        mask = np.ones(len(self.chunks), dtype=bool)
        if filters.parties:
            mask &= self._party_rows(tuple(filters.parties), filters.named_in_question, filters.about_votes)
        for values, column in ((filters.doc_ids, "doc_id"), (filters.types, "type")):
            if values:
                mask &= np.isin(cols[column], list(values))
        if filters.speakers:
            mask &= self._member_scope(tuple(filters.speakers))
        if filters.since or filters.until:
            dates = cols["date"]
            has = dates != ""
            if filters.since:
                # "2020" ≥ "2020": compare on the shorter of the two prefixes
                has &= np.array([d[:len(filters.since)] >= filters.since for d in dates])
            if filters.until:
                has &= np.array([d[:len(filters.until)] <= filters.until for d in dates])
            mask &= has
        return np.flatnonzero(mask)
