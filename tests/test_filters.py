"""Filters by party, document, type and date, inside retrieval, from the API and the CLI."""

from __future__ import annotations

import pytest

from conftest import BUNDLED
from rag.api import Assistant
from rag.collection import Collection
from rag.embedding import FakeEmbedder
from rag.errors import QuestionError
from rag.indexer import build_index
from rag.query import make_filters


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    index = tmp_path_factory.mktemp("filters")
    build_index([BUNDLED], index, embedder=FakeEmbedder(64))
    return Assistant(collection=Collection.load(index, embedder=FakeEmbedder(64)))


def test_type_filter(assistant):
    hits = assistant.ask("Wat zei de heer Graus over dierproeven?", k=5, types=["Handelingen"]).hits
    assert hits and {h.chunk.doc_type for h in hits} == {"Handelingen"}
    assert hits[0].chunk.speaker == "De heer Graus"


def test_date_filters(assistant):
    recent = assistant.ask("vragen over geld", k=10, since="2020").hits
    assert recent and all(h.chunk.date >= "2020" for h in recent)
    old = assistant.ask("vragen over geld", k=10, until="1995-12-31").hits
    assert old and all(h.chunk.date[:4] <= "1995" for h in old)
    window = assistant.ask("vragen", k=10, since="2011-03", until="2011-03").hits
    assert window and {h.chunk.doc_id for h in window} == {"besluitenlijst_example4"}


def test_document_filter_and_k_is_honoured(assistant):
    hits = assistant.ask("terugkeer", k=7, doc_ids=["vso-jbz-raad-2026-01-22"]).hits
    assert len(hits) == 7 and {h.chunk.doc_id for h in hits} == {"vso-jbz-raad-2026-01-22"}


def test_filters_combine(assistant):
    hits = assistant.ask("speelautomaten", k=5, parties=["CDA"], types=["schriftelijke vragen"]).hits
    assert hits and all(h.chunk.party == "CDA" and h.chunk.doc_type == "schriftelijke vragen" for h in hits)
    assert assistant.ask("speelautomaten", k=5, parties=["BBB"], types=["schriftelijke vragen"]).hits == ()


def test_no_match_says_so(assistant):
    answer = assistant.ask("Oeganda", k=3, parties=["SGP"])
    assert answer.hits == () and "Geen passage van SGP" in answer.text


@pytest.mark.parametrize("since", ["gisteren", "2020-1", "20200101"])
def test_bad_dates_are_refused(since):
    with pytest.raises(QuestionError, match="--since takes a date"):
        make_filters(since=since)


def test_a_vote_result_counts_for_how_a_party_voted_not_for_what_it_asked(assistant):
    """A vote's result names every party that voted: it admits a question about how the SGP voted,
    but not one about what the SGP asked (a passage naming more than MAX_MENTIONS parties is no
    party's)."""
    from rag.collection import MAX_MENTIONS
    from rag.query import parse_question

    collection = assistant.collection
    tallies = [i for i, c in enumerate(collection.chunks)
               if "Ik constateer dat de leden van de fracties" in c.text and "SGP" in c.mentions]
    assert tallies and all(len(collection.chunks[i].mentions) > MAX_MENTIONS for i in tallies)
    asked = collection.rows_where(parse_question("Wat vroeg de SGP over Oeganda?").filters)
    voted = collection.rows_where(parse_question("Hoe stemde de SGP over de motie-Kröger?").filters)
    assert not set(tallies) & set(asked.tolist())
    assert set(tallies) <= set(voted.tolist())
    hits = assistant.ask("Hoe stemde de SGP over de motie-Kröger?", k=3).hits
    assert "motie-Kröger" in hits[0].chunk.text and "de SGP" in hits[0].chunk.text


def test_a_party_the_chair_names_is_not_what_the_party_said_but_is_how_it_voted(assistant):
    """The chair names a party to give it the floor, for its apologies or in a vote's result: such a
    passage is admitted for how the party voted, never for what it said or asked (a question on what
    the SP said about the brexit was answered by the chair's "bericht van verhindering … van de SP")."""
    from rag.collection import MAX_MENTIONS
    from rag.query import parse_question
    from rag.types import CHAIR

    collection = assistant.collection
    chair = {i for i, c in enumerate(collection.chunks)
             if c.speaker == CHAIR and not c.party and "SP" in c.mentions and len(c.mentions) <= MAX_MENTIONS}
    assert chair  # a chair's passage the mentions rule alone would admit
    said = collection.rows_where(parse_question("Wat zei de SP over de motie-Wassenberg?").filters)
    voted = collection.rows_where(parse_question("Hoe stemde de SP over de gewijzigde motie-Wassenberg?").filters)
    assert not chair & set(said.tolist())
    assert chair <= set(voted.tolist())
