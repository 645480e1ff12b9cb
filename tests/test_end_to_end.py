"""The product promise on the real model: the bundled corpus indexed, questions answered first-hit."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from rag.api import Assistant

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant(real_index):
    return Assistant(real_index)


@pytest.mark.parametrize("question", [
    "What did JA21 ask about Uganda?",
    "Wat vroeg JA21 over Oeganda?",
    "What did JA21 ask about the transit hub pilot?",
])
def test_ja21_uganda_passage_ranks_first(assistant, question):
    answer = assistant.ask(question, k=5)
    top = answer.hits[0].chunk
    assert top.party == "JA21" and "Oeganda" in top.text
    assert all(h.chunk.party == "JA21" for h in answer.hits)
    assert "Oeganda" in answer.text and "JA21" in answer.text


@pytest.mark.parametrize("question, party, needle", [
    ("What did the Christian Democrats ask about returns to Syria?", "CDA", "terugkeer naar Syrië"),
    ("Wat vroeg de BBB over de korting op de solidariteitsbijdrage?", "BBB", "korting"),
    ("What did GL-PvdA ask about the solidarity pool?", "GroenLinks-PvdA", "solidariteit"),
])
def test_party_questions_find_that_partys_passage(assistant, question, party, needle):
    top = assistant.ask(question, k=3).hits[0].chunk
    assert top.party == party and needle in top.text


def test_question_naming_no_party_searches_everything(assistant):
    hits = assistant.ask("Which party asked about a Letter of Intent with Uganda?", k=3).hits
    assert "Oeganda" in hits[0].chunk.text


def test_cli_on_the_real_index(real_index):
    env = {**os.environ, "RAG_INDEX": str(real_index)}
    env.pop("RAG_MODEL", None)
    result = subprocess.run([sys.executable, "-m", "rag.cli", "ask", "What did JA21 ask about Uganda?", "--json"],
                            capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    first = json.loads(result.stdout)["passages"][0]
    assert first["party"] == "JA21" and "Oeganda" in first["text"] and first["page"] == 9
