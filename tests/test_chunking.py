"""Chunks are verbatim spans of the document text, inside one party section, of bounded size."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from rag.chunking import FRAGMENT_WORDS, ChunkSettings, chunk_document
from rag.sentences import sentence_spans
from rag.structure import build_document
from rag.types import RawPage, Source


def test_chunk_offsets_are_verbatim(core_document, core_chunks):
    assert core_chunks
    for chunk in core_chunks:
        assert core_document.text[chunk.start:chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()


def test_chunks_stay_inside_their_block_and_party(core_document, core_chunks):
    paragraphs = [b for b in core_document.blocks if b.kind == "paragraph"]
    for chunk in core_chunks:
        block = next(b for b in paragraphs if b.start <= chunk.start and chunk.end <= b.end)
        assert block.party == chunk.party and block.section == chunk.section


def test_long_paragraphs_split_at_sentence_bounds(core_document):
    small = chunk_document(core_document, ChunkSettings(max_words=40))
    ends = {e for b in core_document.blocks for _, e in sentence_spans(core_document.text, b.start, b.end)}
    assert len(small) > len(chunk_document(core_document))
    for chunk in small:
        assert chunk.end in ends
        # A closing part too short to stand alone ("Zo nee, waarom niet?") stays with the part before it:
        # without it, the passage keeps the limit (or is one sentence).
        spans = sentence_spans(chunk.text)
        tail = chunk.text[spans[-1][0]:]
        core = chunk.text[:spans[-1][0]] if len(spans) > 1 and len(tail.split()) < FRAGMENT_WORDS else chunk.text
        assert len(core.split()) <= 40 or len(sentence_spans(core)) == 1


def test_chunk_ids_are_stable_and_unique(core_document, core_chunks):
    again = chunk_document(core_document)
    assert [c.chunk_id for c in again] == [c.chunk_id for c in core_chunks]
    assert len({c.chunk_id for c in core_chunks}) == len(core_chunks)


def test_embed_text_leads_with_party_and_section(core_chunks):
    chunk = next(c for c in core_chunks if c.section == "Solidariteitspool")
    title, context, _ = chunk.embed_text.split("\n", 2)
    # the document's title and year lead (the year once: this title already has it)
    assert title == chunk.title and "2026" in title
    assert context == "Inbreng van de leden van de GroenLinks-PvdA-fractie – Solidariteitspool"
    assert chunk.embed_text.endswith(chunk.text)


def test_sentence_spans_respect_abbreviations():
    text = "Zie Kamerstuk 32317, nr. 983. Dat is o.a. de brief. Klopt dat? Ja!"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "Zie Kamerstuk 32317, nr. 983.", "Dat is o.a. de brief.", "Klopt dat?", "Ja!"]


_word = st.text(alphabet="abcdeéëfgklmnoprstuvwzAEGKLN-", min_size=1, max_size=12)
_line = st.lists(_word, min_size=1, max_size=14).map(" ".join)
_page = st.lists(st.one_of(_line, st.just(""), st.just("Inbreng van de leden van de CDA-fractie"),
                           st.just("Hoe zit dat? En dit. 1 Kamerstuk 1, nr. 2.")), min_size=1, max_size=30)


@settings(max_examples=150, deadline=None)
@given(st.lists(_page, min_size=1, max_size=4), st.integers(min_value=5, max_value=60))
def test_verbatim_invariant_holds_for_any_layout(pages, max_words):
    source = Source("x.txt", "0" * 64, tuple(RawPage(i + 1, tuple(p)) for i, p in enumerate(pages)))
    doc = build_document(source)
    for chunk in chunk_document(doc, ChunkSettings(max_words=max_words)):
        assert doc.text[chunk.start:chunk.end] == chunk.text
        assert chunk.text.strip() == chunk.text and chunk.text
        assert 1 <= chunk.page <= chunk.page_end <= len(pages)
    spans = [(c.start, c.end) for c in chunk_document(doc, ChunkSettings(max_words=max_words))]
    assert all(end <= start for (_, end), (start, _) in zip(spans, spans[1:]))  # in order, none overlaps


def test_a_list_laid_out_as_headings_is_a_passage_the_papers_header_is_not():
    lines = ["Eerste Kamer der Staten-Generaal", "1", "Zitting 1979-1980 Nr. 94", "16 136",
             "Naturalisatie van Anakotta, Jacomina en 19 anderen", "16137",
             "Naturalisatie van Aagaard, Ana Margarita en 24 anderen", "16139",
             "Naturalisatie van Dias, Christina Rachel en 22 anderen",
             "Tegen deze ontwerpen van wet bestond bij de commissie geen bezwaar, zo deelde zij de Kamer mee."]
    doc = build_document(Source("x.txt", "0" * 64, (RawPage(1, tuple(lines)),)))
    texts = [c.text for c in chunk_document(doc)]
    listed = [t for t in texts if "Aagaard" in t]
    assert len(listed) == 1 and listed[0].startswith("16 136") and listed[0].endswith("Rachel en 22 anderen")
    assert not any("Staten-Generaal" in t for t in texts)  # the header lines are no list
    # in parts of at most max_words words
    parts = [c.text for c in chunk_document(doc, ChunkSettings(max_words=12)) if "Naturalisatie" in c.text]
    assert len(parts) == 3 and all(len(t.split()) <= 12 for t in parts)


def test_a_senate_papers_list_of_bills_is_found(shared_corpus):
    """A real paper of 1980 that lists the bills it reports on, one title a line: each is in a passage."""
    from rag.ingest import read_source

    doc = build_document(read_source(shared_corpus / "sgd" / "sgd-0000165941.txt"))
    held = " ".join(c.text for c in chunk_document(doc))
    titles = [line for line in doc.text.split("\n\n") if line.startswith("Naturalisatie van")]
    assert len(titles) == 15 and all(title in held for title in titles)


def test_embed_text_does_not_repeat_a_title_that_is_the_section():
    from rag.types import Chunk

    debate = Chunk("x", "h", "Dank u wel, voorzitter.", 0, 23, "PvdA", "Nederlandse economie na de brexit", 1, 1,
                   title="Nederlandse economie na de brexit", date="2018-04-05", speaker="De heer Moorlag")
    assert debate.embed_text == ("De heer Moorlag (PvdA) – Nederlandse economie na de brexit\n"
                                 "Dank u wel, voorzitter.")
    paper = Chunk("y", "s", "Deze leden vroegen naar de huren.", 0, 33, "CDA", "Artikel 3", 1, 1,
                  title="Verslag – Wijziging van de Huurwet", date="1975-02-01")
    assert paper.embed_text.split("\n")[0] == "Verslag – Wijziging van de Huurwet (1975)"


def test_the_heading_passage_does_not_embed_its_title_twice():
    """A paper's first passage holds its heading, which is the title: the title leads only the others,
    so the heading does not outweigh the question asked below it."""
    from dataclasses import replace

    from rag.types import Chunk

    title = "Vragen van het lid Lilipaly (P.v.d.A.) over het onderwijsbeleid t.b.v. minderheidsgroepen"
    heading = Chunk("a", "s", "Vragen van het lid  Lilipaly (P.v.d.A.) over het onderwijsbeleid\nt.b.v. "
                    "minderheidsgroepen (Ingezonden 27 januari 1988)\n\n1 Hebt u gesproken van een claim?", 0, 1,
                    None, "", 1, 1, title=f"{title} (en 2 andere vragen)", date="1988-01-27")
    assert heading.embed_text == heading.text
    undated = replace(heading, text=heading.text.replace(" (Ingezonden 27 januari 1988)", ""))
    assert undated.embed_text == f"(1988)\n{undated.text}"
    asked = replace(heading, chunk_id="b", text="4 Is het u bekend dat de middelen afnemen?")
    assert asked.embed_text == f"{title} (en 2 andere vragen) (1988)\n{asked.text}"


def test_a_vote_result_carries_the_motion_it_is_about():
    """In the Handelingen voting record, the record's line "In stemming komt de motie-…" leads the
    chair's result in one passage; the chair's own line before a member's vote explanation does not
    join the member's passage."""
    from conftest import BUNDLED
    from rag.ingest import read_source

    doc = build_document(read_source(BUNDLED / "h-tk-20172018-70-6.xml"), doc_id="h-tk-20172018-70-6")
    chunks = chunk_document(doc)
    results = [c for c in chunks if "Ik constateer dat de leden van de fracties" in c.text]
    assert len(results) == 4
    for chunk in results:
        assert chunk.text.startswith("In stemming komt de ") and chunk.speaker == "De voorzitter"
        assert doc.text[chunk.start:chunk.end] == chunk.text
    assert "motie-Kröger" in results[-1].text and "nr. 724" in results[-1].text
    member = next(c for c in chunks if c.speaker == "De heer Graus")
    assert member.text.startswith("Mevrouw de voorzitter.")
