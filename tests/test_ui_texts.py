"""The interface in two languages, the document view and the official links, without a browser
(the fake model; the browser tests are in test_ui.py)."""

from __future__ import annotations

import re

import pytest

from rag.links import official_url
from rag.store import DocRecord


def _record(doc_id: str, date: str | None = None, dossier: str | None = None, number: str | None = None) -> DocRecord:
    return DocRecord(doc_id, "t", "kamerstuk", date, "x.txt", "0" * 64, "tekst", (0,), 1, (), (), 1, dossier, number)


def test_every_language_has_every_word():
    from ui.texts import EXAMPLES, LANGUAGES, TEXTS

    assert set(TEXTS) == set(LANGUAGES) == set(EXAMPLES)
    assert len({frozenset(words) for words in TEXTS.values()}) == 1
    for lang in LANGUAGES:  # the same placeholders in both languages
        for key, text in TEXTS[lang].items():
            assert set(re.findall(r"{(\w+)", text)) == set(re.findall(r"{(\w+)", TEXTS["nl"][key])), key


def test_official_links_come_from_the_identifiers_only():
    base = "https://zoek.officielebekendmakingen.nl"
    assert official_url(_record("h-tk-20172018-70-6")) == f"{base}/h-tk-20172018-70-6.html"
    assert official_url(_record("sgd-0000170895", "1980", "15805", "7")) == f"{base}/0000170895"
    assert official_url(_record("notitie", "2019-05-01", "32317", "550")) == f"{base}/kst-32317-550.html"
    assert official_url(_record("notitie", "1990-05-01", "21501", "12")) is None  # before 1995: not there
    assert official_url(_record("vso-jbz-raad-2026-01-22", "2026-01-22", "32317")) is None  # no number
    assert official_url(_record("upload.txt")) is None


@pytest.fixture(scope="module")
def app(fake_index):
    from rag.api import Assistant
    from ui.app import App

    from rag.collection import Collection

    return App(Assistant(collection=Collection.load(fake_index), chat_model=False))


def test_the_document_view_highlights_the_quote_among_its_neighbours(app):
    collection = app.assistant.collection
    chunks = [c for c in collection.chunks if c.doc_id == "vso-jbz-raad-2026-01-22"]
    target = chunks[5]
    start, end = target.start + 3, target.start + 40
    view = app.document_view(target.doc_id, f"{start}-{end}", "nl")
    text = collection.documents[target.doc_id].text
    assert view.count('class="passage cited"') == 1 and view.count('class="passage') == 5
    cited = view.split('class="passage cited"')[1].split("</div></div>")[0] if "</div></div>" in view else view
    marked = re.search(r"<mark>(.*?)</mark>", view, re.S).group(1)
    import html

    assert html.unescape(marked) == text[start:end]
    assert f"blz. {target.page}" in cited
    assert "Officiële publicatie" not in view  # the core document has a dossier but no number
    assert "Official publication" in app.document_view("h-tk-20172018-70-6", "0", "en")
    assert "niet (meer) in de index" in app.document_view("nope", "0", "nl")
    assert "Choose a passage" in app.document_view("", "", "en")


def test_citations_in_the_chat_link_to_the_document_view(app):
    answer = app.assistant.ask("Wat vroeg JA21 over Oeganda?", k=3)
    from ui.app import _linked

    text = _linked(answer)
    links = re.findall(r"\]\(\?doc=([^&]+)&at=(\d+)-(\d+)\)", text)
    assert len(links) >= len(answer.quotes) >= 1
    spans = {(q.doc_id, q.start, q.end) for q in answer.quotes}
    assert {(doc_id, int(start), int(end)) for doc_id, start, end in links} <= spans | {
        (x.doc_id, x.start, x.end) for q in answer.quotes for x in (q.question, q.answer) if x is not None}


def test_a_follow_up_through_the_api_says_what_was_searched(app):
    answer = app.assistant.ask("En de VVD?", k=3, history=["Wat vroeg JA21 over Oeganda?"])
    assert answer.asked == "En de VVD?" and answer.question == "Wat vroeg de VVD over Oeganda?"
    assert answer.text.startswith("_Gezocht: Wat vroeg de VVD over Oeganda?_")
    assert all(h.chunk.party == "VVD" for h in answer.hits)
    plain = app.assistant.ask("Wat vroeg de VVD over Oeganda?", k=3)
    assert plain.asked is None and [h.chunk.chunk_id for h in plain.hits] == [h.chunk.chunk_id for h in answer.hits]
    result = app.ask_json("En de VVD?", 3, history=["Wat vroeg JA21 over Oeganda?"])
    assert result["asked"] == "En de VVD?" and result["question"] == "Wat vroeg de VVD over Oeganda?"
