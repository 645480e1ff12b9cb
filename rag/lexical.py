"""The lexical side: BM25 (bm25s) over Dutch-stemmed tokens without Dutch or English stop words."""

from __future__ import annotations

import math
import re
import sys
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

BM25_SETTINGS = {"method": "lucene", "k1": 1.2, "b": 0.75, "stemmer": "dutch", "stopwords": "nl+en+question-words-2",
                 "acronyms": "dots-dropped"}


# English function words and the verbs of asking: staff ask in English about Dutch text, and
# these words never match it usefully.
ENGLISH_QUESTION_WORDS = set(
    "a about above after again against all am an and any are as at be because been before being below between "
    "both but by can could did do does doing down during each few for from further had has have having he her "
    "here hers him his how i if in into is it its just me more most my no nor not now of off on once only or "
    "other our out over own same she should so some such than that the their them then there these they this "
    "those through to too under until up very was we were what when where which while who whom why will with "
    "would you your ask asked asks asking say said says tell told regarding concerning want wanted wants "
    "think thought party parties members member".split()
)
# Dutch verbs and words of asking, which frame a question but never find its answer.
DUTCH_QUESTION_WORDS = set(
    "vroeg vroegen vraagt vragen vraag zei zeiden zegt zeggen wil wilde willen weten welke welk wie waarom "
    "hoe fractie leden lid partij".split()
)


@lru_cache(maxsize=1)
def _stopwords() -> tuple[str, ...]:
    _bm25s()  # the package first, without numba
    from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

    return tuple(sorted(set(STOPWORDS_DUTCH) | set(STOPWORDS_EN) | ENGLISH_QUESTION_WORDS | DUTCH_QUESTION_WORDS))


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer(BM25_SETTINGS["stemmer"])


@lru_cache(maxsize=1)
def _bm25s():
    """bm25s, imported without numba: it imports numba (0.1 s of a cold `rag ask`) when installed,
    for a retrieval backend this project does not use (scores come from `get_scores`)."""
    hide = "numba" not in sys.modules
    if hide:
        sys.modules["numba"] = None  # type: ignore[assignment]  # makes `import numba` fail inside bm25s
    try:
        import bm25s
    finally:
        if hide:
            del sys.modules["numba"]
    return bm25s


# bm25s.tokenize's own pattern: what it splits, we split alike
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
# A dotted acronym, as the papers of 1945–1990 write them ("E.E.G.", "T.N.O.-rapport", "P.v.d.A."): one
# word without its dots, as a question and the later papers write it ("EEG"); the pattern above keeps no
# single letter, so the dotted form held no token at all.
_DOTTED = re.compile(r"(?<![\w.])((?:[^\W\d_]\.){2,}[^\W\d_]?)\.?(?![\w])")


def _undotted(text: str) -> str:
    return _DOTTED.sub(lambda m: m.group(1).replace(".", ""), text) if "." in text else text


@lru_cache(maxsize=1)
def _stopword_set() -> frozenset[str]:
    return frozenset(_stopwords())


def tokenize(texts: Sequence[str]) -> list[list[str]]:
    """Lower-cased, stop words removed, Dutch-stemmed tokens, one list per text: bm25s.tokenize's
    steps (its pattern, the stop words before stemming, PyStemmer), without its per-call progress bars
    and stop-word set, which cost 0.1 ms a call: the judge tokenizes every word of a question."""
    if isinstance(texts, str):
        texts = [texts]  # as bm25s takes one text
    stop = _stopword_set()
    split = [[token for token in _TOKEN.findall(_undotted(text).lower()) if token not in stop] for text in texts]
    unique = list(dict.fromkeys(token for tokens in split for token in tokens))
    stems = dict(zip(unique, _stemmer().stemWords(unique)))
    return [[stems[token] for token in tokens] for tokens in split]


def unheld_idf(passages: int) -> float:
    """The IDF `LexicalIndex.idf` gives a term that no passage holds: the highest there is."""
    return math.log1p((passages + 0.5) / 0.5)


class LexicalIndex:
    """BM25 over the passages; row i is passage i. Scores for all rows, for filtering by mask."""

    def __init__(self, retriever):
        self._retriever = retriever

    @classmethod
    def build(cls, texts: Sequence[str], previous: dict[str, int] | None = None) -> "LexicalIndex":
        """BM25 over the texts. Term ids: `previous`'s (the last build's vocabulary) for the terms it has,
        new terms after them in the order the texts hold them; so a term keeps its id from build to build
        (a Milvus copy's stored terms stay right), and a build is the same whatever the process's hash
        seed (bm25s alone numbers terms in a set's order). A term no passage holds any more keeps its id."""
        bm25s = _bm25s()

        tokens = tokenize(texts)
        vocabulary = dict(previous or {})
        for doc in tokens:
            for token in doc:
                if token not in vocabulary:
                    vocabulary[token] = len(vocabulary)
        ids = [[vocabulary[token] for token in doc] for doc in tokens]
        retriever = bm25s.BM25(method=BM25_SETTINGS["method"], k1=BM25_SETTINGS["k1"], b=BM25_SETTINGS["b"])
        retriever.index((ids, vocabulary), show_progress=False)
        return cls(retriever)

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex":
        bm25s = _bm25s()

        return cls(bm25s.BM25.load(str(folder), mmap=True, load_corpus=False))

    def knows(self, token: str) -> bool:
        """Whether the (already tokenised) term occurs in some passage."""
        return token in self._retriever.vocab_dict

    def rarity(self, token: str) -> float:
        """The (tokenised) term's `idf`; a term no passage holds weighs as one held by none."""
        term = self._retriever.vocab_dict.get(token)
        return float(self.idf[term]) if term is not None and term < len(self.idf) and self.idf[term] > 0 \
            else unheld_idf(int(self._retriever.scores["num_docs"]))

    def passages_holding(self, tokens: Sequence[str]) -> np.ndarray:
        """The rows of the passages that hold every (tokenised) term, from the index's postings."""
        s, vocab = self._retriever.scores, self._retriever.vocab_dict
        rows = None
        for token in dict.fromkeys(tokens):
            term = vocab.get(token)
            if term is None or term + 1 >= len(s["indptr"]):
                return np.zeros(0, dtype=np.int64)
            found = np.asarray(s["indices"][s["indptr"][term]:s["indptr"][term + 1]])
            rows = found if rows is None else np.intersect1d(rows, found, assume_unique=True)
        return np.zeros(0, dtype=np.int64) if rows is None else rows.astype(np.int64)

    def term_counts(self, text: str) -> dict[int, float]:
        """The text's known terms as {term id: count}."""
        vocab = self._retriever.vocab_dict
        counts: dict[int, float] = {}
        for token in tokenize([text])[0]:
            if token in vocab:
                counts[int(vocab[token])] = counts.get(int(vocab[token]), 0.0) + 1.0
        return counts

    @cached_property
    def idf(self) -> np.ndarray:
        """Per term id, its lucene IDF over the passages, as bm25s weighs it: ln(1 + (N − df + ½) / (df + ½))."""
        s = self._retriever.scores
        df = np.diff(np.asarray(s["indptr"])).astype(np.float64)
        n = float(s["num_docs"])
        return np.where(df > 0, np.log1p((n - df + 0.5) / (df + 0.5)), 0.0)

    def vocabulary(self) -> tuple[dict[str, int], np.ndarray]:
        """{term: id} and, per term id, how many passages hold the term (what `idf` is made of)."""
        vocabulary = {t: int(i) for t, i in self._retriever.vocab_dict.items()}
        counts = np.diff(np.asarray(self._retriever.scores["indptr"])).astype(np.int64)
        df = np.zeros(max(len(counts), max(vocabulary.values(), default=-1) + 1), dtype=np.int64)
        df[:len(counts)] = counts  # bm25s's vocabulary may hold a term no passage has (its empty token)
        return vocabulary, df

    def question_weights(self, text: str) -> dict[int, float]:
        """The text's known terms as {term id: count × IDF}: its inner product with a passage's row
        of `passage_parts` is that passage's `scores`."""
        idf = self.idf
        return {term: count * float(idf[term]) for term, count in self.term_counts(text).items()}

    def passage_parts(self):
        """Per passage (the rows of a scipy CSR matrix), the term-frequency part of each of its terms'
        BM25 weight (bm25s's precomputed lucene weight over the term's IDF): it depends on the passage
        and the mean passage length only, not on the other passages' terms, so it stays right as
        passages come and go while the mean length holds."""
        from scipy.sparse import csc_matrix

        s = self._retriever.scores
        shape = (int(s["num_docs"]), len(s["indptr"]) - 1)
        weights = csc_matrix((np.asarray(s["data"], dtype=np.float64), s["indices"], s["indptr"]), shape=shape)
        idf = self.idf
        weights.data /= np.repeat(np.where(idf > 0, idf, 1.0), np.diff(weights.indptr))
        return weights.tocsr()

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for the query (zeros where no query term occurs)."""
        tokens = tokenize([query])[0]
        vocab = self._retriever.vocab_dict
        known = [t for t in tokens if t in vocab]
        if not known:
            return np.zeros(self._retriever.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._retriever.get_scores(known), dtype=np.float32)
