"""Hybrid retrieval: dense (FAISS) and BM25 candidates, fused into one ranking.

Fusion (`FUSION`, default "convex"): each retriever's scores are min-max normalised over its own
top-n candidates (the n-th best maps to 0, the best to 1, lower scores clip to 0), and a passage
scores DENSE_WEIGHT × dense + (1 − DENSE_WEIGHT) × BM25. Both scores are computed for every
candidate either retriever found, so agreement counts. Score-based convex fusion kept more of
both retrievers than reciprocal rank fusion on the evaluation set (see README, "Retrieval
quality"); RRF (score Σ 1 / (RRF_K + rank), RRF_K = 60 after Cormack et al. 2009) stays
available for comparison.

Filters (party, document, type, date) restrict each retriever before ranking, so k hits come
back whenever k passages match. `HybridRetriever` is the langchain-core face of the same search.
The searches themselves run in the collection's backend (`rag.search_backend`: the local index, or
Milvus); everything else here is the same for every backend.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.collection import Collection
from rag.lexical import tokenize
from rag.metadata import MONTHS
from rag.parties import find_parties
from rag.query import Filters, Query, parse_question
from rag.types import Hit

RRF_K = 60
DENSE_WEIGHT = float(os.environ.get("RAG_DENSE_WEIGHT", "0.8"))  # measured: README, "Retrieval quality"
# An English question whose words the dictionary put into Dutch (`Query.translations`): its BM25 now
# matches the Dutch text, and weighs as much as the dense side (measured: README, "English questions").
TRANSLATED_DENSE_WEIGHT = float(os.environ.get("RAG_TRANSLATED_DENSE_WEIGHT", "0.5"))
FUSION = "convex"
# A year the question names prefers documents of that time: their fused score gains YEAR_BONUS
# (the fused scores run 0…1); measured on the historic questions (README, "Retrieval quality").
YEAR_WINDOW = 1
YEAR_BONUS = float(os.environ.get("RAG_YEAR_BONUS", "0.3"))
# A number the question names that is a paper's dossier ("bill 7808") prefers that dossier's papers.
DOSSIER_BONUS = float(os.environ.get("RAG_DOSSIER_BONUS", "0.3"))
# A question about what a minister or the government answered prefers their passages (written
# answers, memories van antwoord, a minister's turn) by GOVERNMENT_BONUS.
GOVERNMENT_BONUS = float(os.environ.get("RAG_GOVERNMENT_BONUS", "0.1"))
# A member named in the question searches the documents that name them; their own passages gain
# MEMBER_BONUS (measured: README, "Retrieval quality").
MEMBER_BONUS = float(os.environ.get("RAG_MEMBER_BONUS", "0.2"))
# A passage's paper counts too: its fused score gains DOCUMENT_WEIGHT × the best fused score among
# the candidates of its paper. A paper is often found by one passage while the answer stands in
# another (a set of written questions, a letter and its closing lines). Measured: README,
# "Retrieval quality".
DOCUMENT_WEIGHT = float(os.environ.get("RAG_DOCUMENT_WEIGHT", "1.0"))
# A question's dates and the members it names find the paper (and lift every passage of it alike,
# DOCUMENT_WEIGHT); what it asks about should pick the passage within. So each candidate is scored
# once more by BM25 on the question less those words (`subject_text`), adding SUBJECT_WEIGHT × that
# score over the best candidate's: a paper's heading with the names and the date no longer outranks
# the passage that answers. Measured: README, "Retrieval quality".
SUBJECT_WEIGHT = float(os.environ.get("RAG_SUBJECT_WEIGHT", "0.2"))
Mode = Literal["hybrid", "dense", "bm25"]

# The Dutch month names (old spellings too) and the English ones.
_MONTHS = set(MONTHS) | set("january february march april may june july august september october november "
                            "december".split())


def subject_text(query: Query) -> str:
    """The BM25 text (`Query.lexical_text`) less its dates (words with digits, month names) and the
    names of the members the query is scoped to."""
    members = {part.lower() for name in query.filters.speakers for part in name.split()}
    return " ".join(word for word in query.lexical_text.split()
                    if not any(c.isdigit() for c in word)
                    and word.strip(".,;:?!()'\"’").lower() not in _MONTHS | members)


@dataclass
class Candidates:
    """Rows either retriever proposed, with both scores for each, and each retriever's ranking."""

    rows: np.ndarray
    dense: np.ndarray  # cosine similarity per row
    lexical: np.ndarray  # BM25 score per row (0 = no query term)
    dense_order: list[int]  # rows by dense score, best first (top n)
    lexical_order: list[int]  # rows by BM25 score, best first (top n, score > 0)
    in_years: np.ndarray | float = 0.0  # 1.0 per row from the years the question names
    in_dossier: np.ndarray | float = 0.0  # 1.0 per row from a dossier the question names
    government: np.ndarray | float = 0.0  # 1.0 per row a minister or the government speaks in
    member: np.ndarray | float = 0.0  # 1.0 per row a member the question names speaks in
    paper: np.ndarray | None = None  # per row, a number for its document (rows of one paper share it)
    dense_weight: float = DENSE_WEIGHT  # the dense side's share of the convex fusion
    subject: np.ndarray | float = 0.0  # BM25 score per row of `subject_text` (0.0: not scored)


def candidates(collection: Collection, query: Query, n: int, mode: Mode = "hybrid") -> Candidates:
    """The top-n rows of each retriever the mode uses, inside the query's filters; in hybrid mode,
    with the top-n of the documents from the years the question names (`preferred_rows`) added."""
    rows = collection.rows_where(query.filters)
    all_rows = rows is None
    if all_rows:
        rows = np.arange(len(collection.chunks))
    empty = np.zeros(0, dtype=np.float32)
    if len(rows) == 0:
        return Candidates(rows, empty, empty, [], [])
    backend = collection.backend
    within = None if all_rows else rows
    text, words = query.search_text, query.lexical_text
    dense_order: list[int] = []
    lexical_order: list[int] = []
    qv = collection.query_vector(text) if mode != "bm25" else None
    where = None if all_rows else query.filters
    if qv is not None:
        dense_order = backend.dense_top(qv, n, within, where)
    if mode != "dense":
        lexical_order = backend.lexical_top(words, n, within, where)
    extra: set[int] = set()
    preferred = preferred_rows(collection, query, rows) if mode == "hybrid" else None
    own = rows[collection.speaker_rows(query.filters.speakers)[rows]] \
        if query.filters.speakers and mode == "hybrid" else None
    named = collection.rows_in_dossiers(rows, query.dossiers) if query.dossiers and mode == "hybrid" else None
    # The years' subset in the passages' terms too (a wide one, on a large index); the member's and
    # the dossier's are narrow: their rows say it.
    years_where = replace(query.filters, since=str(min(query.years) - YEAR_WINDOW),
                          until=str(max(query.years) + YEAR_WINDOW)) if preferred is not None else None
    for subset, subset_where in ((preferred, years_where), (own, None), (named, None)):
        if subset is None or not len(subset):
            continue
        if qv is not None:
            extra.update(backend.dense_top(qv, n, subset, subset_where))
        if mode != "dense":
            extra.update(backend.lexical_top(words, n, subset, subset_where))
    union = np.array(sorted(set(dense_order) | set(lexical_order) | extra), dtype=np.int64)
    dense = backend.dense_scores(qv, union) if qv is not None and len(union) else np.zeros(len(union))
    # Cosines to a millionth: passages that embed alike tie exactly, whatever the encoder's last bits.
    dense = np.round(dense, 6)
    lexical = backend.lexical_scores(words, union) if mode != "dense" else np.zeros(len(union))
    in_years = np.isin(union, preferred).astype(np.float32) if preferred is not None else 0.0
    in_dossier = np.isin(union, named).astype(np.float32) if named is not None else 0.0
    government = 0.0
    if query.wants_government and mode == "hybrid":
        government = np.array([_government(collection.chunks[r]) for r in union], dtype=np.float32)
    member = np.isin(union, own).astype(np.float32) if own is not None else 0.0
    paper = collection.paper_numbers[union] if mode == "hybrid" else None
    subject = 0.0
    if mode == "hybrid" and SUBJECT_WEIGHT and len(union):
        plain = subject_text(query)
        if plain != words and tokenize([plain])[0]:
            subject = np.asarray(backend.lexical_scores(plain, union), dtype=np.float32)
    return Candidates(union, dense.astype(np.float32), np.asarray(lexical, dtype=np.float32), dense_order,
                      lexical_order, in_years, in_dossier, government, member, paper,
                      TRANSLATED_DENSE_WEIGHT if query.translations else DENSE_WEIGHT, subject)


GOVERNMENT_TYPES = {"memorie van toelichting", "memorie van antwoord", "nota naar aanleiding van verslag", "nota",
                    "nota van wijziging", "brief"}


def _government(chunk) -> bool:
    """Whether a minister or the government speaks: by attribution, else by the kind of paper."""
    return chunk.speaker_role == "minister" or (chunk.speaker_role is None and chunk.doc_type in GOVERNMENT_TYPES)


def preferred_rows(collection: Collection, query: Query, rows: np.ndarray | None = None) -> np.ndarray | None:
    """Rows inside the query's filters (`rows`, if the caller has them) from documents dated within
    `YEAR_WINDOW` of a year the question names; None when it names none (or a date filter is given:
    then that rules)."""
    if not query.years or query.filters.since or query.filters.until:
        return None
    if rows is None:
        rows = collection.rows_where(query.filters)
        rows = np.arange(len(collection.chunks)) if rows is None else rows
    return collection.rows_in_years(rows, min(query.years) - YEAR_WINDOW, max(query.years) + YEAR_WINDOW)


def _minmax(values: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """`values` scaled so that the lowest of `reference` is 0 and its highest 1, clipped at 0."""
    if not len(reference):
        return np.zeros_like(values)
    lo, hi = float(reference.min()), float(reference.max())
    if hi - lo < 1e-9:
        return (values >= hi).astype(np.float32)
    return np.clip((values - lo) / (hi - lo), 0.0, None)


def convex(c: Candidates, weight: float | None = None) -> np.ndarray:
    """Fused score per candidate row: weight × normalised dense + (1 − weight) × normalised BM25;
    the weight is the candidates' own (`Candidates.dense_weight`) unless given."""
    weight = c.dense_weight if weight is None else weight
    position = {row: i for i, row in enumerate(c.rows)}
    dense_ref = c.dense[[position[r] for r in c.dense_order]] if c.dense_order else c.dense[:0]
    lexical_ref = c.lexical[[position[r] for r in c.lexical_order]] if c.lexical_order else c.lexical[:0]
    dense = _minmax(c.dense, dense_ref) if c.dense_order else 0.0
    lexical = _minmax(c.lexical, lexical_ref) if c.lexical_order else 0.0
    if not c.dense_order:
        weight = 0.0
    elif not c.lexical_order:
        weight = 1.0
    return weight * dense + (1 - weight) * lexical


def rrf(rankings: list[list[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal rank fusion of rankings of row ids: (row, score), best first, ties by first seen."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, row in enumerate(ranking, start=1):
            scores[row] = scores.get(row, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def fuse(c: Candidates, mode: Mode, fusion: str = FUSION) -> list[tuple[int, float]]:
    """(row, score), best first, for the mode: one retriever's own scores, or the fused ones."""
    if mode == "dense":
        return [(row, float(c.dense[np.searchsorted(c.rows, row)])) for row in c.dense_order]
    if mode == "bm25":
        return [(row, float(c.lexical[np.searchsorted(c.rows, row)])) for row in c.lexical_order]
    if fusion == "rrf":
        return rrf([r for r in (c.dense_order, c.lexical_order) if r])
    scores = (convex(c) + YEAR_BONUS * c.in_years + DOSSIER_BONUS * c.in_dossier + GOVERNMENT_BONUS * c.government
              + MEMBER_BONUS * c.member)
    if isinstance(c.subject, np.ndarray) and c.subject.max() > 0:
        scores = scores + SUBJECT_WEIGHT * c.subject / c.subject.max()
    if c.paper is not None and DOCUMENT_WEIGHT:
        best = np.full(int(c.paper.max()) + 1, -np.inf)
        np.maximum.at(best, c.paper, scores)
        scores = scores + DOCUMENT_WEIGHT * best[c.paper]
    # Ties (passages with the same text embed alike) go to the lower row (earlier in the corpus), also
    # when the encoder's last float bits differ between runs or engines: compare to a millionth.
    scores = np.round(scores, 6)
    order = np.lexsort((c.rows, -scores))
    return [(int(c.rows[i]), float(scores[i])) for i in order]


@dataclass(frozen=True)
class Standing:
    """How the best dense candidate stands among the question's others (within its filters): a best
    passage that stands out is more likely to answer."""

    margin: float = 0.0  # its cosine above the mean of the next nine
    standout: float = 0.0  # its cosine above the next 49, in their standard deviations (`rag.judge.standout`)
    anywhere: float | None = None  # for a party's question: the best cosine of any party's passage (`best_anywhere`)


def dense_standing(c: Candidates, anywhere: float | None = None) -> Standing:
    from rag.judge import standout

    scores = [float(c.dense[np.searchsorted(c.rows, r)]) for r in c.dense_order[:50]]
    if len(scores) < 3:
        return Standing(anywhere=anywhere)
    return Standing(scores[0] - float(np.mean(scores[1:10])), standout(scores), anywhere)


OTHER_PARTY_DEPTH = 300  # how far down the dense ranking `best_anywhere` looks for another party's passage


def best_anywhere(collection: Collection, query: Query) -> float | None:
    """For a question scoped to parties, the cosine of the best passage of another party within its other
    filters (the whole index when it has none), among the first `OTHER_PARTY_DEPTH`: a party asked about
    what only another party raised has that party's passage well above its own. Not a passage of no party
    (a minister's reply, the paper's own list of questions): it stands above the party's own when the party
    did raise the thing (round 18, cross-validated at threshold 0.55: 61 / 60 / 58 wrong decisions → 58 / 57 / 57)."""
    if not query.filters.parties:
        return None
    others = query.filters.without_parties()
    rows = collection.rows_where(others)
    if rows is not None and not len(rows):
        return None
    vector = collection.query_vector(query.search_text)
    top = collection.backend.dense_top(vector, OTHER_PARTY_DEPTH, rows, None if rows is None else others)
    asked = set(query.filters.parties)
    theirs = [r for r in top if (party := collection.chunks[r].party) is not None and party not in asked]
    if not theirs:
        return None
    return float(collection.backend.dense_scores(vector, np.asarray(theirs, dtype=np.int64)).max())


# "Wat vroeg de VVD-fractie over de uitspraken van staatssecretaris Dankert": a minister whose words the
# question is about is its subject, not who speaks ("…, en wat antwoordde minister X" is who speaks)
_SUBJECT_OFFICE = re.compile(r"\b(?:over|about)\s+(?:(?:de|het|the)\s+)?(?:[\w-]+\s+){0,2}(?:van|by|of)\s+(?:(?:de|the)\s+)?"
                             r"(?:minister|staatssecretaris|state secretary|secretary of state|premier|"
                             r"minister-president|prime minister)\s+$", re.IGNORECASE)


def with_members(collection: Collection, query: Query) -> Query:
    """The query scoped to the members it names who speak in the index ("Graus"): the documents
    that name them, their own passages first. A party the question names beside a member
    ("Waltmans (PPR)") only says who the member is, so it filters no more."""
    pattern = collection.member_names
    if query.filters.speakers or pattern is None:
        return query
    found = list(pattern.finditer(query.question))
    # A member's name inside a party's ("Groen" of "Groen Links") is the party, not the member.
    parties = [(start, end) for _, start, end in find_parties(query.question)] if found else []
    named = tuple(dict.fromkeys(m.group(1) for m in found
                                if not any(start < m.end() and m.start() < end for start, end in parties)
                                and not _SUBJECT_OFFICE.search(query.question, 0, m.start())))
    if not named:
        return query
    # Parties the user set stay (and stay strict); those the question named go with their flag.
    parties = () if query.filters.named_in_question else query.filters.parties
    return replace(query, filters=replace(query.filters, speakers=named, parties=parties, named_in_question=False))


def search(collection: Collection, query: Query, k: int = 5, mode: Mode = "hybrid",
           fusion: str = FUSION) -> list[Hit]:
    """The k best passages for the query, without duplicate texts."""
    return _ranked(collection, with_members(collection, query), k, mode, fusion)[0]


def search_with_margin(collection: Collection, query: Query, k: int = 5, mode: Mode = "hybrid",
                       fusion: str = FUSION) -> tuple[list[Hit], Standing]:
    """`search`, and how its best dense candidate stands among the others (zeros without the dense
    retriever), for the judge."""
    query = with_members(collection, query)
    hits, c = _ranked(collection, query, k, mode, fusion)
    if c is None:
        return [], Standing()
    return hits, dense_standing(c, best_anywhere(collection, query) if mode != "bm25" else None)


def _ranked(collection: Collection, query: Query, k: int, mode: Mode, fusion: str) -> tuple[list[Hit], Candidates | None]:
    """The k best passages, and the candidates they were ranked from (None when the filters admit none)."""
    c = candidates(collection, query, max(4 * k, 50), mode)
    if not len(c.rows):
        return [], None
    dense_pos = {row: i + 1 for i, row in enumerate(c.dense_order)}
    lexical_pos = {row: i + 1 for i, row in enumerate(c.lexical_order)}
    hits: list[Hit] = []
    seen: set[str] = set()
    for row, score in fuse(c, mode, fusion):
        chunk = collection.chunks[row]
        key = " ".join(chunk.text.split())
        if key in seen:
            continue
        seen.add(key)
        i = int(np.searchsorted(c.rows, row))
        hits.append(Hit(chunk, score, len(hits) + 1, dense_pos.get(row), lexical_pos.get(row),
                        float(c.dense[i]) if mode != "bm25" else None,
                        float(c.lexical[i]) if mode != "dense" else None))
        if len(hits) == k:
            break
    return hits, c


def hit_to_document(hit: Hit) -> LCDocument:
    c = hit.chunk
    return LCDocument(
        page_content=c.text,
        metadata={"rank": hit.rank, "score": hit.score, "doc_id": c.doc_id, "title": c.title, "party": c.party,
                  "section": c.section, "page": c.page, "page_end": c.page_end, "start": c.start, "end": c.end,
                  "chunk_id": c.chunk_id, "doc_type": c.doc_type, "date": c.date, "speaker": c.speaker},
    )


class HybridRetriever(BaseRetriever):
    """langchain-core retriever over a `Collection`; parties named in the question become filters."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    collection: Any
    k: int = 5
    mode: Mode = "hybrid"
    filters: Filters = Filters()

    def hits(self, question: str, k: int | None = None) -> list[Hit]:
        """The best passages for the question: `k` of them, or the retriever's own `k`."""
        return search(self.collection, parse_question(question, self.filters), k or self.k, self.mode)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun,
                                k: int | None = None) -> list[LCDocument]:
        # `retriever.invoke(question, k=1)`: langchain passes invoke's keywords on to here
        return [hit_to_document(h) for h in self.hits(query, k)]
