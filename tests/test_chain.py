"""The answering chain: verbatim quotes by construction, grouped and cited, saying what is not there."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from langchain_core.runnables import Runnable

from conftest import BUNDLED
from rag.api import Assistant
from rag.chain import build_chain
from rag.collection import Collection
from rag.embedding import FakeEmbedder
from rag.errors import QuestionError
from rag.indexer import build_index
from rag.llm import remove_unverified_quotes
from rag.quotes import quote_span, verify_quote

QA_TEXT = ("Tweede Kamer der Staten-Generaal\n"
           "Vragen van het lid Jansen (SP) over de huren van sociale woningen. (Ingezonden 1 mei 1990) "
           "1 Weet u dat de huren van sociale woningen dit jaar met acht procent stijgen? "
           "2 Bent u bereid de huurverhoging voor woningcorporaties te beperken?\n"
           "Antwoord van minister Heerma (Volkshuisvesting). (Ontvangen 2 juni 1990) "
           "1 Ja, de gemiddelde huurverhoging bedraagt dit jaar acht procent. Dat is meer dan vorig jaar. "
           "2 Nee, de corporaties bepalen hun huren zelf binnen de wettelijke grenzen.\n")


# A government reply that names the party it answers: nobody's passage, but about the CDA's questions.
NOTA_TEXT = ("Tweede Kamer der Staten-Generaal\nNOTA NAAR AANLEIDING VAN HET VERSLAG\n"
             "De Minister heeft met belangstelling kennis genomen van de vragen van de leden van de CDA-fractie "
             "over de versterking van de dijken langs de grote rivieren en de kosten daarvan voor de waterschappen.\n")


@pytest.fixture(scope="module")
def collection(tmp_path_factory):
    import shutil

    corpus = tmp_path_factory.mktemp("corpus")
    for path in BUNDLED.iterdir():
        shutil.copy(path, corpus / path.name)
    (corpus / "vragen-huren.txt").write_text(QA_TEXT, encoding="utf-8")
    (corpus / "nota-dijken.txt").write_text(NOTA_TEXT, encoding="utf-8")
    index = tmp_path_factory.mktemp("index")
    build_index([corpus], index, embedder=FakeEmbedder(64))
    return Collection.load(index, embedder=FakeEmbedder(64))


@pytest.fixture(scope="module")
def assistant(collection):
    return Assistant(collection=collection, chat_model=False)


def _assert_verbatim(answer, collection):
    for quote in answer.quotes:
        doc = collection.documents[quote.doc_id]
        assert doc.text[quote.start:quote.end] == quote.text
        assert f"“{quote.text}”" in answer.text
        assert verify_quote(quote, collection.documents)
    # Whatever stands between quotation marks in the answer text is verbatim in a quoted document.
    sources = [collection.documents[q.doc_id].text for q in answer.quotes]
    for quoted in re.findall(r"“([^”]*)”", answer.text):
        assert any(quoted in text for text in sources), quoted


def test_chain_is_a_runnable_that_keeps_its_context(collection):
    chain = build_chain(collection, k=3)
    assert isinstance(chain, Runnable)
    result = chain.invoke("Welke vragen stelden de leden over Oeganda en de Letter of Intent?")
    assert set(result) >= {"question", "query", "retrieval", "quotes", "answer"}
    assert len(result["retrieval"].hits) == 3
    assert result["answer"].quotes == tuple(result["quotes"])
    same = chain.invoke({"question": result["question"], "k": 3})
    assert [q.text for q in same["quotes"]] == [q.text for q in result["quotes"]]


def test_answer_quotes_the_partys_question_with_citation(assistant, collection):
    answer = assistant.ask("Wat vroeg JA21 over de Letter of Intent met Oeganda?", k=3)
    assert answer.status == "found"
    first = answer.quotes[0]
    assert first.party == "JA21" and "Oeganda" in first.text and (first.page, first.page_end) == (9, 10)
    assert "**JA21**" in answer.text and "blz. 9–10" in answer.text
    assert "Verslag van een schriftelijk overleg" in answer.text
    _assert_verbatim(answer, collection)
    english = assistant.ask("What did JA21 ask about the Letter of Intent with Uganda?", k=3)
    assert "p. 9–10" in english.text and "blz." not in english.text


def test_named_party_without_a_match_says_so_and_offers_others(assistant, collection):
    answer = assistant.ask("Wat vroeg de BBB over Oeganda en de transithub?", k=3)
    assert answer.status == "party_missing"
    assert answer.text.startswith("Geen passage van BBB past bij deze vraag.")  # a Dutch question: Dutch
    assert "Dichtstbijzijnde passages van andere partijen:" in answer.text
    assert answer.others and all(h.chunk.party != "BBB" for h in answer.others)
    assert answer.quotes and "Oeganda" in answer.quotes[0].text and answer.quotes[0].party == "JA21"
    _assert_verbatim(answer, collection)


def test_nothing_matching_is_said_not_quoted(assistant):
    answer = assistant.ask("kernfusie zonnepanelen windmolens Petten", k=3)
    assert answer.status == "not_found" and answer.quotes == ()
    assert "Niets in de index past goed genoeg bij deze vraag" in answer.text and answer.hits
    english = assistant.ask("What was said about nuclear fusion in Petten and the solar panels?", k=3)
    assert english.status == "not_found" and "Nothing in the index matches" in english.text


def test_the_answer_speaks_the_language_of_the_question(assistant):
    dutch = assistant.ask("Wat vroeg de BBB over Oeganda en de transithub?", k=3)
    english = assistant.ask("What did the BBB ask about Uganda and the transit hub?", k=3)
    assert dutch.status == english.status == "party_missing"
    assert dutch.text.startswith("Geen passage van BBB") and english.text.startswith("No passage from BBB")


def test_a_quoted_written_question_carries_its_answer(assistant, collection):
    answer = assistant.ask("Wat vroeg Jansen over de huurverhoging voor woningcorporaties?", k=3)
    quote = next(q for q in answer.quotes if q.doc_id == "vragen-huren")
    assert quote.text.startswith("2 Bent u bereid de huurverhoging")
    assert quote.answer is not None and quote.answer.text.startswith("2 Nee, de corporaties bepalen")
    assert quote.answer.speaker == "minister Heerma" and "Antwoord (minister Heerma)" in answer.text
    _assert_verbatim(answer, collection)


def test_quote_span_refuses_spans_outside_the_passage(collection):
    chunk = collection.chunks[0]
    doc = collection.documents[chunk.doc_id]
    with pytest.raises(ValueError):
        quote_span(doc, chunk, chunk.start, chunk.end + 5, 1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=80))
def test_every_quote_is_verbatim_for_any_question(assistant, collection, question):
    try:
        answer = assistant.ask(question, k=4)
    except QuestionError:
        assume(False)
        return
    _assert_verbatim(answer, collection)
    for passage in answer.hits:
        assert collection.documents[passage.chunk.doc_id].text[passage.chunk.start:passage.chunk.end] == \
            passage.chunk.text


def test_unverified_quotes_are_removed_from_generated_text():
    sources = ["De leden van de JA21-fractie vragen of het kabinet wat preciezer kan aangeven wie tot de doelgroep behoort."]
    text = ('JA21 vroeg “wie tot de doelgroep behoort” en zei “Oeganda is een veilig land”. '
            'Ook “het kabinet\nwat preciezer” staat er.')
    cleaned, removed = remove_unverified_quotes(text, sources)
    assert removed == 1
    assert "“wie tot de doelgroep behoort”" in cleaned and "Oeganda is een veilig land" not in cleaned
    assert "“het kabinet\nwat preciezer”" in cleaned


def test_summary_from_a_fake_chat_model_keeps_only_verbatim_quotes(collection):
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    model = FakeListChatModel(responses=[
        'JA21 vraagt naar de pilot: “Kan het kabinet wat preciezer aangeven wie tot de beoogde doelgroep '
        'behoren” — en “Oeganda wordt het nieuwe Rwanda”.'])
    answer = Assistant(collection=collection, chat_model=model).ask("Wat vroeg JA21 over Oeganda?", k=2)
    assert answer.summary is not None and answer.summary in answer.text
    assert "wie tot de beoogde doelgroep behoren" in answer.summary
    assert "Rwanda" not in answer.text
    quoted = re.findall(r"“([^”]+)”", answer.text)
    texts = [collection.documents[q.doc_id].text for q in answer.quotes]
    assert all(any(" ".join(s.split()) in " ".join(t.split()) for t in texts) for s in quoted)


def test_an_answer_quote_carries_its_question(collection):
    from rag.answer import compose_answer
    from rag.chain import _written_question_index
    from rag.query import parse_question
    from rag.quotes import quotes_for
    from rag.types import Hit

    reply = next(c for c in collection.chunks if c.doc_id == "vragen-huren" and c.role == "answer" and c.qa == 2)
    query = parse_question("Wat antwoordde minister Heerma over het beperken van de huurverhoging?")
    quotes = quotes_for([Hit(reply, 1.0, 1)], query, collection.documents, _written_question_index(collection))
    assert quotes[0].question is not None and quotes[0].question.text.startswith("2 Bent u bereid de huurverhoging")
    assert quotes[0].question.party == "SP" and verify_quote(quotes[0], collection.documents)
    text = compose_answer(query, [Hit(reply, 1.0, 1)], quotes, "found").text
    assert "Vraag (Jansen (SP)): “2 Bent u bereid" in text


def test_a_party_named_in_the_question_also_finds_unattributed_passages_that_name_it(collection):
    from rag.answer import compose_answer
    from rag.query import make_filters, parse_question
    from rag.quotes import quotes_for
    from rag.types import Hit

    nota = [row for row, c in enumerate(collection.chunks) if c.doc_id == "nota-dijken"]
    assert nota and all(collection.chunks[r].party is None for r in nota)
    assert all(collection.chunks[r].mentions == ("CDA",) for r in nota)
    query = parse_question("Wat vroeg het CDA over de versterking van de dijken?")
    assert set(nota) <= set(collection.rows_where(query.filters))
    # a filter the user sets stays strict: only the party's own passages
    assert not set(nota) & set(collection.rows_where(make_filters(parties=["CDA"])))
    hit = Hit(collection.chunks[nota[0]], 1.0, 1)
    text = compose_answer(query, [hit], quotes_for([hit], query, collection.documents), "found").text
    assert "niet toegeschreven aan CDA" in text


def test_a_documents_short_head_is_quoted_with_the_passage_after_it():
    """"Vragen van de heer Tummers (P.v.d.A.) inzake plannen tot sloop van de Obrecht-kerk" names the
    subject, the passage after it asks the question: a quoted head brings that passage along, once; a long
    first passage or a passage further on brings nothing."""
    from types import SimpleNamespace

    from rag.chain import HEAD_WORDS, _after_heads, _with_what_follows
    from rag.types import Chunk, Hit

    def chunk(cid, doc, start, words):
        text = " ".join(["woord"] * words)
        return Chunk(cid, doc, text, start, start + len(text), None, "", 1, 1)

    head, body, last = chunk("h", "a", 0, 12), chunk("b", "a", 100, 80), chunk("l", "a", 900, 40)
    long_first, second = chunk("x", "z", 0, HEAD_WORDS + 1), chunk("y", "z", 500, 20)
    follows = _after_heads(SimpleNamespace(chunks=[body, last, head, second, long_first]))
    assert follows == {"h": body}
    quoted = _with_what_follows([Hit(head, 0.9, 1), Hit(second, 0.5, 2)], follows)
    assert [h.chunk.chunk_id for h in quoted] == ["h", "b", "y"] and quoted[1].rank == 1
    assert [h.chunk.chunk_id for h in _with_what_follows([Hit(head, 0.9, 1), Hit(body, 0.8, 2)], follows)] == ["h", "b"]


@pytest.mark.slow
def test_a_quoted_head_brings_the_question_after_it_on_the_real_model(real_index):
    """On the bundled corpus, asked for one passage, the best is the head of the CDA's written questions on
    slot machines ("Vragen van de leden Krajenbrink en Vreugdenhil (beiden CDA) over …"): its first
    question is quoted after it."""
    collection = Collection.load(real_index)
    result = build_chain(collection, k=1).invoke("Wat vroeg het CDA over de controle op speelautomaten?")
    assert result["answer"].status == "found"
    texts = [q.text for q in result["quotes"]]
    assert texts[0].startswith("Vragen van de leden Krajenbrink") and len(texts) == 2
    assert "criminele activiteiten" in texts[1]
    assert all(verify_quote(q, collection.documents) for q in result["quotes"])


def test_a_citation_names_a_section_that_repeats_the_title_once():
    """Written questions are often titled by their heading, which is also their section: cited once;
    a section the title does not hold is cited beside it."""
    from rag.answer import citation, quote_citation
    from rag.types import Chunk

    heading = "Vragen van het lid Van Traa (PvdA) over Zaïre"
    chunk = Chunk("c", "d", "1 Is de regering bereid?", 0, 24, "PvdA", heading, 1, 1, speaker="Van Traa",
                  title=heading)
    assert citation(chunk) == f"Van Traa (PvdA), {heading}, blz. 1"
    other = Chunk("o", "d", "De leden vragen …", 0, 17, "JA21", "Inbreng van de leden van de JA21-fractie", 9, 10,
                  title="Verslag van een schriftelijk overleg")
    assert citation(other, "en") == "JA21, Verslag van een schriftelijk overleg, Inbreng van de leden van de " \
                                   "JA21-fractie, p. 9–10"
    from rag.types import Quote

    quote = Quote("1 Is de regering bereid?", "d", 0, 24, "PvdA", 1, heading, heading, "c", 1, "Van Traa")
    assert quote_citation(quote) == f"{heading}, blz. 1"
