"""One party table for parsing and questions: aliases in Dutch and English."""

from __future__ import annotations

import pytest

from rag.parties import canonical_party, find_parties


@pytest.mark.parametrize("alias, canonical", [
    ("GroenLinks-PvdA", "GroenLinks-PvdA"), ("GL-PvdA", "GroenLinks-PvdA"), ("GL/PvdA", "GroenLinks-PvdA"),
    ("GroenLinks/PvdA", "GroenLinks-PvdA"), ("groenlinks pvda", "GroenLinks-PvdA"), ("JA21", "JA21"),
    ("JA21-fractie", "JA21"), ("Christen-Democratisch Appèl", "CDA"), ("Christian Democrats", "CDA"),
    ("Freedom Party", "PVV"), ("Partij voor de Dieren", "PvdD"), ("ChristenUnie", "ChristenUnie"),
    ("Farmer-Citizen Movement", "BBB"), ("D'66", "D66"),
])
def test_aliases_map_to_canonical_names(alias, canonical):
    assert canonical_party(alias) == canonical


def test_unknown_names_are_not_parties():
    assert canonical_party("Oeganda") is None
    assert canonical_party("") is None


@pytest.mark.parametrize("question, parties", [
    ("What did JA21 ask about Uganda?", ["JA21"]),
    ("Wat vroeg de GL-PvdA-fractie over Syrië?", ["GroenLinks-PvdA"]),
    ("What did the Christian Democrats and the Freedom Party say about Greece?", ["CDA", "PVV"]),
    ("wat vroeg de pvv over griekenland", ["PVV"]),
    ("Hoe denk je over de volt en een cd?", []),
    ("What did Labour ask?", ["PvdA"]),
    ("What about the labour market?", []),
    ("Welke vragen stelde GroenLinks/PvdA?", ["GroenLinks-PvdA"]),
    # "het SGP" is the Stabiliteits- en Groeipact (the 2014 European Council debate), "de SGP" the party
    ("Als de Commissie een oordeel geeft over Frankrijk dat voorbijgaat aan het SGP of dat het SGP schaadt", []),
    ("Het SGP staat. Wat vroeg de SGP-fractie?", ["SGP"]),
    ("Het SGP-Kamerlid vroeg het, en het SGP-amendement", ["SGP", "SGP"]),
])
def test_find_parties_in_questions(question, parties):
    assert [p for p, _, _ in find_parties(question)] == parties
