"""The CLI contract scripts rely on: JSON shape, stdin mode, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest
from conftest import BUNDLED
from conftest import rag_cli as rag

PASSAGE_KEYS = {"rank", "doc_id", "title", "party", "section", "page", "text", "start", "end", "score"}


def test_ask_json_contract(fake_index):
    # The fake embedder shares words, not meaning: the question uses the document's own word.
    result = rag("ask", "Wat vroeg JA21 over Oeganda?", "--json", "-k", "3", index=fake_index)
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["question"] == "Wat vroeg JA21 over Oeganda?"
    assert isinstance(payload["answer"], str) and payload["answer"]
    assert len(payload["passages"]) == 3
    assert payload["status"] == "found" and payload["quotes"]
    quote = payload["quotes"][0]
    assert {"text", "doc_id", "party", "page", "start", "end"} <= set(quote)
    assert quote["party"] == "JA21" and "Oeganda" in quote["text"] and quote["end"] - quote["start"] == len(quote["text"])
    for rank, passage in enumerate(payload["passages"], start=1):
        assert PASSAGE_KEYS <= set(passage)
        assert passage["rank"] == rank and passage["party"] == "JA21"
        assert isinstance(passage["page"], int) and passage["end"] - passage["start"] == len(passage["text"])


def test_ask_reads_questions_from_stdin(fake_index):
    result = rag("ask", "-", "--json", "-k", "2", index=fake_index, stdin="Wat vroeg de BBB?\n\nWhat did the CDA ask?\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [p["question"] for p in lines] == ["Wat vroeg de BBB?", "What did the CDA ask?"]
    assert {p["party"] for p in lines[0]["passages"]} == {"BBB"}
    assert {p["party"] for p in lines[1]["passages"]} == {"CDA"}


def test_party_option_filters(fake_index):
    result = rag("ask", "terugkeer naar Syrië", "--party", "GL-PvdA", "--json", index=fake_index)
    assert {p["party"] for p in json.loads(result.stdout)["passages"]} == {"GroenLinks-PvdA"}


def test_human_output_cites_party_document_and_page(fake_index):
    result = rag("ask", "Wat vroeg JA21 over Oeganda?", "-k", "1", index=fake_index)
    assert result.returncode == 0
    assert "JA21, Verslag van een schriftelijk overleg" in result.stdout and "blz. 9–10" in result.stdout


@pytest.mark.parametrize("args, code, message", [
    (("ask", "   "), 2, "The question is empty"),
    (("ask", "iets", "--party", "Piratenpartij"), 2, "Unknown party"),
])
def test_user_errors_end_in_one_line_and_an_exit_code(fake_index, args, code, message):
    result = rag(*args, index=fake_index)
    assert result.returncode == code
    assert result.stderr.strip().startswith(f"error: {message}")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_missing_index_exit_code(tmp_path):
    result = rag("ask", "iets", index=tmp_path / "none")
    assert result.returncode == 3 and "build one with `rag index" in result.stderr
    assert "Traceback" not in result.stderr


def test_docs_lists_the_bundled_corpus(fake_index):
    result = rag("docs", "--json", index=fake_index)
    docs = {d["doc_id"]: d for d in json.loads(result.stdout)}
    core = docs["vso-jbz-raad-2026-01-22"]
    assert core["type"] == "verslag schriftelijk overleg" and core["parties"][:2] == ["PVV", "VVD"]
    assert core["passages"] > 50


def test_index_reports_skipped_files_and_is_quick_when_unchanged(fake_index):
    result = rag("index", BUNDLED, "--quiet", index=fake_index)
    assert result.returncode == 0
    assert "up to date, nothing written" in result.stdout


def test_type_and_date_options(fake_index):
    result = rag("ask", "dierproeven", "--type", "Handelingen", "--since", "2018", "--json", index=fake_index)
    passages = json.loads(result.stdout)["passages"]
    assert passages and {p["doc_type"] for p in passages} == {"Handelingen"}
    assert all(p["date"] >= "2018" for p in passages)
    bad = rag("ask", "x", "--until", "morgen", index=fake_index)
    assert bad.returncode == 2 and "--until takes a date" in bad.stderr


def test_load_test_only_targets_this_machine():
    from rag.errors import RagError
    from rag.load import run_load

    with pytest.raises(RagError, match="only targets this machine"):
        run_load("http://10.0.0.5:7860/", ["x"], sessions=1, seconds=1)


def test_eval_sets_the_answer_figures_of_two_indexes_side_by_side(fake_index, tmp_path):
    result = rag("eval", "--out", str(tmp_path / "out"), "--also", str(fake_index), index=fake_index,
                 env={"COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    assert "Saying what is there, per index" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "unanswerable questions refused" in line)
    assert len([cell for cell in row.split("│")[2:] if cell.strip()]) == 2  # one figure per index
    assert (tmp_path / "out" / "report.json").exists() and (tmp_path / "out" / "also-1" / "report.json").exists()
