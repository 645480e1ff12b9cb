"""What part of a passage is quoted: a short passage whole, from a long one the sentence that shares
most words with the question and the party's question after it, widened by whole sentences up to
MAX_QUOTE_WORDS; always verbatim at its offsets."""

from __future__ import annotations

from rag.answer import Judge, quotable
from rag.query import parse_question
from rag.quotes import MAX_QUOTE_WORDS, quote_span, select_span, verify_quote
from rag.store import DocRecord
from rag.types import Chunk, Hit


def _doc_and_chunk(text: str) -> tuple[DocRecord, Chunk]:
    doc = DocRecord("d", "Titel", "verslag", None, "d.txt", "0" * 64, text, (0,), 1, (), (), 1)
    return doc, Chunk("c", "d", text, 0, len(text), "SP", "", 1, 1)


def test_a_short_passage_is_quoted_whole():
    doc, chunk = _doc_and_chunk("De leden van de SP-fractie lezen de brief. Zij vragen naar de huren in Utrecht. "
                                "Wanneer komt de minister met een plan?")
    assert select_span(doc, chunk, parse_question("Wat vroeg de SP over de huren?")) == (0, len(doc.text))


def _filler(name: str) -> str:
    return " ".join(f"Deze zin {name}{i} gaat over iets anders dan het onderwerp van de vraag." for i in range(12))


def test_from_a_long_passage_the_matching_sentence_and_the_question_after_it_with_their_neighbours():
    before, after = _filler("a"), _filler("b")  # sentences of 13 words
    question = parse_question("Wat vroeg de SP over de huren in Utrecht?")
    core = "De huren in Utrecht stijgen snel. Wanneer komt de minister met een plan?"
    doc, chunk = _doc_and_chunk(f"{before} {core} {after}")
    assert len(doc.text.split()) > MAX_QUOTE_WORDS
    start, end = select_span(doc, chunk, question)
    quoted = doc.text[start:end]
    # 13 words of core, four sentences before and three after (104 words): one more would make 117
    assert quoted.startswith("Deze zin a8 ")
    assert quoted.endswith("Deze zin b2 gaat over iets anders dan het onderwerp van de vraag.")
    assert core in quoted and len(quoted.split()) == 104
    assert verify_quote(quote_span(doc, chunk, start, end, 1), {"d": doc})
    # the two sentences too far apart for one quote: the question alone, widened backwards (nothing after it)
    doc, chunk = _doc_and_chunk(f"De huren in Utrecht stijgen snel. {before} Wanneer komt de minister met een plan?")
    start, end = select_span(doc, chunk, question)
    quoted = doc.text[start:end]
    assert quoted.endswith("Deze zin a11 gaat over iets anders dan het onderwerp van de vraag. Wanneer komt de minister met een plan?")
    assert quoted.startswith("Deze zin a5 ") and "De huren in Utrecht" not in quoted


def _hit(rank: int, score: float, cosine: float, text: str = "De minister zegt iets over iets anders.") -> Hit:
    return Hit(Chunk(f"c{rank}", "d", text, 0, len(text), "SP", "", 1, 1), score, rank, rank, rank, cosine, 1.0)


def test_the_first_passages_are_quoted_when_close_and_above_the_floor_later_ones_only_when_they_match():
    """The second and third passage are quoted on their cosine alone (above the judge's floor, at least half
    the best one's score); the fourth only when it matches on its own words; a far weaker one never."""
    rule = Judge(cosine=0.86, floor=0.80, coverage=0.3)
    query = parse_question("Wat vroeg de SP over de huren in Utrecht?")
    hits = [_hit(1, 1.0, 0.88), _hit(2, 0.7, 0.81), _hit(3, 0.6, 0.82), _hit(4, 0.6, 0.82),
            _hit(5, 0.6, 0.82, "De SP vraagt naar de huren in Utrecht.")]
    assert [h.rank for h in quotable(hits, query, rule)] == [1, 2, 3, 5]
    below_floor = [hits[0], _hit(2, 0.9, 0.79), _hit(3, 0.3, 0.85)]
    assert [h.rank for h in quotable(below_floor, query, rule)] == [1]  # under the floor; under half the score
    uganda = parse_question("Wat vroeg de SP over Oeganda?")
    elsewhere = [_hit(1, 1.0, 0.88, "De SP vraagt naar de pilot in Oeganda."), _hit(2, 0.7, 0.81, "Over Afghanistan."),
                 _hit(3, 0.6, 0.82, "Over de transithub in Uganda.")]
    assert [h.rank for h in quotable(elsewhere, uganda, rule)] == [1, 3]  # near, but not on the country asked about
    matching = [*elsewhere, _hit(4, 0.9, 0.90, "De SP vraagt naar de pilot in Afghanistan.")]
    assert [h.rank for h in quotable(matching, uganda, rule)] == [1, 3]  # its own cosine, another country
