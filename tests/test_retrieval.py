"""Questions, filters and fusion, on the core document with the fake embedder."""

from __future__ import annotations

import shutil

import pytest

from conftest import CORE
from rag.collection import Collection
from rag.embedding import FakeEmbedder
from rag.errors import QuestionError
from rag.indexer import build_index
from rag.query import MAX_QUESTION_CHARS, make_filters, parse_question
from rag.retriever import RRF_K, HybridRetriever, rrf, search


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(CORE, folder / CORE.name)
    shutil.copy(CORE, folder / "kopie.txt")  # the same text twice: results must not repeat it
    index = tmp_path_factory.mktemp("index")
    build_index([folder], index, embedder=FakeEmbedder(64))
    return Collection.load(index, embedder=FakeEmbedder(64))


def test_rrf_sums_reciprocal_ranks():
    fused = rrf([[1, 2, 3], [3, 1]])
    expected = {1: 1 / (RRF_K + 1) + 1 / (RRF_K + 2), 2: 1 / (RRF_K + 2), 3: 1 / (RRF_K + 3) + 1 / (RRF_K + 1)}
    assert [row for row, _ in fused] == [1, 3, 2]
    for row, score in fused:
        assert score == pytest.approx(expected[row])
    assert rrf([[5, 6]], k=0)[0] == (5, 1.0)


def test_convex_fusion_normalises_each_retriever_over_its_own_candidates():
    import numpy as np

    from rag.retriever import Candidates, convex

    c = Candidates(rows=np.array([1, 2, 3]), dense=np.array([0.9, 0.8, 0.7], dtype=np.float32),
                   lexical=np.array([0.0, 4.0, 2.0], dtype=np.float32), dense_order=[1, 2, 3], lexical_order=[2, 3])
    # dense 0.9/0.8/0.7 → 1/0.5/0; BM25 over its candidates 4/2 → 1/0, row 1 (no term) → 0
    np.testing.assert_allclose(convex(c, 0.8), [0.8, 0.4 + 0.2, 0.0], atol=1e-6)
    only_dense = Candidates(c.rows, c.dense, c.lexical * 0, [1, 2, 3], [])
    np.testing.assert_allclose(convex(only_dense, 0.8), [1.0, 0.5, 0.0], atol=1e-6)


def test_question_naming_a_party_becomes_a_filter():
    query = parse_question("What did JA21 ask about Uganda?")
    assert query.parties == ("JA21",)
    assert "JA21" not in query.text and "Uganda" in query.text
    assert "Oeganda" in query.terms
    dutch = parse_question("Wat vroegen de leden van de GL-PvdA-fractie over de solidariteitspool?")
    assert dutch.parties == ("GroenLinks-PvdA",) and "GL-PvdA" not in dutch.text
    assert parse_question("Hoe zit het met de terugkeer?").parties == ()


def test_explicit_party_overrides_names_in_the_question():
    assert parse_question("What did JA21 ask?", make_filters(parties=("cda",))).parties == ("CDA",)


def test_question_that_is_only_a_party_name_searches_that_party():
    query = parse_question("JA21")
    assert query.parties == ("JA21",) and query.text == "JA21"


@pytest.mark.parametrize("question, message", [
    ("", "empty"), ("   \n\t ", "empty"), ("\x00\x01", "empty"), ("x" * (MAX_QUESTION_CHARS + 1), "characters"),
])
def test_unusable_questions_are_refused_clearly(question, message):
    with pytest.raises(QuestionError, match=message):
        parse_question(question)


def test_unknown_party_filter_is_refused():
    with pytest.raises(QuestionError, match="Unknown party 'Piratenpartij'"):
        make_filters(parties=("Piratenpartij",))


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_party_filter_returns_only_that_party_and_k_hits(collection, mode):
    query = parse_question("Wat vragen de leden over terugkeer, migratie en het kabinet?", make_filters(parties=("CDA",)))
    hits = search(collection, query, k=4, mode=mode)
    assert len(hits) == 4
    assert {h.chunk.party for h in hits} == {"CDA"}
    assert [h.rank for h in hits] == [1, 2, 3, 4]


def test_results_hold_no_duplicate_passages(collection):
    hits = search(collection, parse_question("terugkeer naar Syrië en Afghanistan"), k=10)
    texts = [h.chunk.text for h in hits]
    assert len(texts) == 10 and len(set(texts)) == 10


def test_english_question_reaches_dutch_text_lexically(collection):
    hits = search(collection, parse_question("What did JA21 ask about Uganda?"), k=3, mode="bm25")
    assert "Oeganda" in hits[0].chunk.text and hits[0].chunk.party == "JA21"


def test_langchain_retriever_returns_documents_with_citations(collection):
    retriever = HybridRetriever(collection=collection, k=3)
    docs = retriever.invoke("Wat vroeg JA21 over de Letter of Intent met Oeganda?")
    assert len(docs) == 3
    assert "Oeganda" in docs[0].page_content
    meta = docs[0].metadata
    assert meta["party"] == "JA21" and meta["page"] == 9 and meta["doc_id"] in collection.documents
    assert collection.documents[meta["doc_id"]].text[meta["start"]:meta["end"]] == docs[0].page_content


def test_tokens_are_bm25s_own(core_document):
    """`tokenize` does bm25s.tokenize's steps itself (without its progress bars: the judge tokenizes every
    word of a question): the same tokens, or the index's terms and the questions' would part; only a dotted
    acronym is one word first."""
    from rag.lexical import _bm25s, _stemmer, _stopwords, _undotted, tokenize

    texts = core_document.text.split("\n") + ["Wat vroeg JA21 over Oeganda?", "Het SGP, D'66 — COVID-19 in Genève",
                                              "ÉÉN Bölkow x", "", "De E.E.G. en het T.N.O.-rapport"]
    expected = _bm25s().tokenize([_undotted(t) for t in texts], stopwords=list(_stopwords()), stemmer=_stemmer(),
                                 return_ids=False, show_progress=False)
    assert tokenize(texts) == expected and sum(map(len, expected)) > 1000


def test_a_dotted_acronym_is_one_word():
    """The papers of 1945–1990 write "E.E.G.", "T.N.O.", "P.v.d.A."; a question writes "EEG": the same term.
    Before, the dotted form gave no token at all (single letters are no tokens)."""
    from rag.lexical import LexicalIndex, tokenize

    assert tokenize(["De E.E.G. en het T.N.O.-rapport van de P.v.d.A."]) == [["eeg", "tno", "rapport", "pvda"]]
    assert tokenize(["blz. 3. Een zin. Of niet."]) == tokenize(["blz 3 Een zin Of niet"])  # sentences keep
    lexical = LexicalIndex.build(["Het standpunt van de E.E.G. over de landbouw.", "Een passage over de begroting."])
    assert lexical.knows("eeg")
