"""Follow-up questions: each turn resolved against the conversation before it, deterministically."""

from __future__ import annotations

import json

import pytest

from rag.followup import resolve, searched_question


def _searched(*turns: str) -> list[tuple[str, str]]:
    return [(r.kind, r.question) for r in resolve(list(turns))]


def test_another_party_keeps_the_subject():
    assert _searched("Wat vroeg JA21 over Oeganda?", "En de VVD?")[1] == ("party", "Wat vroeg de VVD over Oeganda?")
    # an English follow-up on a Dutch question: the party without "the"
    assert searched_question(["Welke vragen stelde het CDA over terugkeer naar Syrië?"], "What about the VVD?"
                             ).question == "Welke vragen stelde VVD over terugkeer naar Syrië?"
    assert searched_question(["Wat vroeg JA21 over Oeganda?"], "En D66 daarover?").question == \
        "Wat vroeg D66 over Oeganda?"


def test_another_subject_keeps_the_party_across_three_turns():
    turns = ["Wat vroeg JA21 over Oeganda?", "En de VVD?", "En over Syrië?"]
    assert _searched(*turns)[2] == ("topic", "Wat vroeg de VVD over Syrië?")
    assert searched_question(["What did JA21 ask about Uganda?"], "What about the solidarity pool?").question == \
        "What did JA21 ask about the solidarity pool?"
    assert searched_question(["Wat vroeg de VVD over veilige landen?"], "Wat vroegen ze nog meer over terugkeer?"
                             ).question == "Wat vroeg de VVD over terugkeer?"
    # the phrase after the same preposition is what changes
    assert searched_question(["Welke fracties stemden voor de motie-Laçin over het klimaatakkoord?"],
                             "En voor de motie-Kröger?").question == "Welke fracties stemden voor de motie-Kröger?"


def test_the_ministers_reply_and_short_follow_ups_are_asked_with_the_question_before():
    kind, question = _searched("Wat vroeg Nypels (D'66) in 1978 over no cure, no pay?", "Wat antwoordde de minister?")[1]
    assert kind == "answer" and question == "Wat antwoordde de minister? (Wat vroeg Nypels (D'66) in 1978 over no cure, no pay?)"
    kind, question = _searched("Waarom vroeg de regering in 1887 een bruggeld?", "Wie waren ervan vrijgesteld?")[1]
    assert kind == "elliptic" and question.startswith("Wie waren ervan vrijgesteld? (Waarom vroeg")


def test_a_new_question_stands_alone():
    turns = ["Wat vroeg JA21 over Oeganda?", "Wat staat er in het verslag over de Europese Raad in Brussel?"]
    assert _searched(*turns)[1] == ("standalone", turns[1])
    assert _searched("Wat vroeg JA21 over Oeganda?") == [("standalone", "Wat vroeg JA21 over Oeganda?")]


def test_the_labelled_conversations_are_well_formed():
    from rag.evaluation import default_question_files, load_questions

    files = default_question_files("conversations")
    conversations = [q for q in load_questions(files) if q.answerable]
    assert len(conversations) >= 40
    assert all(2 <= len(q.turns) <= 3 and q.gold and q.doc for q in conversations)
    assert sum(q.lang == "nl" for q in conversations) > len(conversations) / 2  # Dutch first
    kinds = {q.followup for q in conversations}
    assert {"party", "topic", "answer"} <= kinds
    for line in files[0].read_text(encoding="utf-8").splitlines():
        assert json.loads(line)["turns"][-1] != json.loads(line)["question"]  # the last turn leans on the others


@pytest.mark.slow
def test_follow_up_recall_on_the_real_model(real_index):
    """On the bundled corpus, the chat's follow-ups find the gold passage nearly as often as the same
    questions asked in full (rag eval reports both)."""
    from rag.collection import Collection
    from rag.evaluation import default_question_files, followup_metrics, load_questions

    report = followup_metrics(Collection.load(real_index), load_questions(default_question_files("conversations")))
    overall = report["overall"]
    assert overall["conversations"] >= 30
    assert overall["recall@5"] >= 0.9 * overall["full_recall@5"]
    assert report["party"]["recall@5"] >= 0.9
