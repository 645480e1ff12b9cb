"""Among thousands of passages of the same genre, the core document's answers still come first.

Indexes the bundled corpus with the plenary records and every 20th historic paper of
../shared/corpus (a few thousand passages) with the real model. The whole corpus is measured by
`rag index ../shared/corpus` (figures in the closing notes), not in the test suite.
"""

from __future__ import annotations

import shutil

import pytest

from conftest import BUNDLED
from rag.api import Assistant

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assistant(shared_corpus, tmp_path_factory):
    from rag.indexer import build_index

    corpus = tmp_path_factory.mktemp("distractors")
    shutil.copytree(BUNDLED, corpus / "bundled")
    shutil.copytree(shared_corpus / "handelingen", corpus / "handelingen")
    (corpus / "sgd").mkdir()
    for path in sorted((shared_corpus / "sgd").glob("*.txt"))[::20]:
        shutil.copy(path, corpus / "sgd" / path.name)
    index = tmp_path_factory.mktemp("distractor-index")
    report = build_index([corpus], index)
    assert report.passages > 2000 and not [s for s in report.skipped if not s[0].endswith(".md")]
    return Assistant(index)


@pytest.mark.parametrize("question", ["What did JA21 ask about Uganda?", "Wat vroeg JA21 over Oeganda?"])
def test_core_answer_still_first_among_distractors(assistant, question):
    top = assistant.ask(question, k=5).hits[0].chunk
    assert top.party == "JA21" and "Oeganda" in top.text


@pytest.mark.parametrize("party", ["PvdA", "CDA", "VVD", "PVV", "JA21", "D66", "GroenLinks-PvdA"])
def test_party_filter_never_returns_another_party(assistant, party):
    for question in ("Wat vinden de leden van het voorstel?", "What did they ask about the budget?"):
        hits = assistant.ask(question, k=10, parties=[party]).hits
        assert hits and {h.chunk.party for h in hits} == {party}
