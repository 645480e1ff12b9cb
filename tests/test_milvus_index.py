"""An index served from Milvus alone (`rag.milvus_index`): a query node with no index folder answers
as the build machine does."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import BUNDLED, rag_cli

QUESTIONS = ["Wat vroeg JA21 over Oeganda?", "What did the VVD ask about safe countries of origin?", "dierproeven",
             "Wat vroeg de BBB over Syrië?", "terugkeer naar Afghanistan", "Wat zei Klaver over brexit?",
             "Wat vroeg Graus over dierproeven?",
             "What did the BBB ask about the Greek shelter for status holders?"]


def _answer(assistant, question, **options):
    answer = assistant.ask(question, **options)
    return answer.status, answer.text, [(h.chunk.chunk_id, round(h.score, 4)) for h in answer.hits]


def test_a_milvus_index_holds_what_the_folder_holds(milvus_index):
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder

    index, uri, _ = milvus_index
    local = Collection.load(index)
    remote = Collection.load(uri, embedder=FakeEmbedder(64))
    assert remote.folder is None and remote.index_dir == uri and remote.backend.name == "milvus"
    assert remote.chunks == local.chunks  # every passage: id, text, offsets, party, speaker, pages, notes, mentions
    assert remote.manifest["build_id"] == local.manifest["build_id"]
    assert set(remote.documents) == set(local.documents)
    assert dict(remote.documents.items()) == dict(local.documents)  # records and whole texts, parts joined
    assert remote.documents.meta("sgd-0000011416").text == ""  # the listing reads no text
    for text in ("terugkeer naar Syrië", "Oeganda JA21 transithub", "dierproeven"):
        assert remote.lexical.question_weights(text) == pytest.approx(local.lexical.question_weights(text))
    assert remote.lexical.knows("oeganda") and not remote.lexical.knows("chatgpt")
    for term in ("oeganda", "terugkeer", "chatgpt"):  # the judge's word weights (a term held by none: the most)
        assert remote.lexical.rarity(term) == pytest.approx(local.lexical.rarity(term))
    # a member's papers: found by Milvus's own match on the documents' text, the word bounds checked here
    for member in ("Graus", "Kosto", "Vreugdenhil"):
        assert remote.member_documents((member,)) == local.member_documents((member,)) != [], member
    assert remote.is_current()


def test_a_query_node_answers_as_the_build_machine(milvus_index):
    from rag.api import Assistant
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder

    index, uri, _ = milvus_index
    here = Assistant(collection=Collection.load(index).use_backend(uri), chat_model=False)
    node = Assistant(collection=Collection.load(uri, embedder=FakeEmbedder(64)), chat_model=False)
    for question in QUESTIONS:
        assert _answer(node, question) == _answer(here, question), question
    for options in ({"parties": ["CDA"]}, {"types": ["Handelingen"]}, {"since": "1990", "until": "1995"}):
        assert _answer(node, "terugkeer", **options) == _answer(here, "terugkeer", **options), options
    quoted = node.ask("Wat vroeg JA21 over Oeganda?").quotes
    assert quoted and all(node.collection.documents[q.doc_id].text[q.start:q.end] == q.text for q in quoted)


def test_a_query_node_follows_the_builds(milvus_index, tmp_path):
    """A build published again reaches the query node: it sees it is behind, and reloads."""
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from rag.indexer import build_index
    from rag.milvus import sync

    index, uri, _ = milvus_index
    node = Collection.load(uri, embedder=FakeEmbedder(64))
    smaller = tmp_path / "smaller"
    shutil.copytree(BUNDLED, smaller)
    (smaller / "sgd-0000011416.txt").unlink()
    (smaller / "brief.txt").write_text("De leden van de SP-fractie vragen naar de huurprijzen in Oeganda.\n")
    build_index([smaller], index, embedder=FakeEmbedder(64))
    sync(uri, Collection.load(index))
    assert not node.is_current()
    again = Collection.load(uri, embedder=FakeEmbedder(64))
    local = Collection.load(index)
    assert again.is_current() and set(again.documents) == set(local.documents)
    assert "sgd-0000011416" not in again.documents and "brief" in again.documents
    assert sorted(c.chunk_id for c in again.chunks) == sorted(c.chunk_id for c in local.chunks)
    assert again.documents["brief"].text == local.documents["brief"].text
    for text in ("huurprijzen Oeganda", "terugkeer naar Syrië"):  # the IDF of the new build
        assert again.lexical.question_weights(text) == pytest.approx(local.lexical.question_weights(text))


def test_rag_ask_and_docs_on_a_milvus_index(tmp_path):
    pytest.importorskip("milvus_lite")
    # processes only: a Milvus Lite file is one process's at a time
    index, uri = tmp_path / "index", f"milvus://{tmp_path / 'kv.db'}"
    built = rag_cli("index", BUNDLED, "--quiet", "--backend", uri, index=index)
    assert built.returncode == 0, built.stderr
    env = {"RAG_NO_SERVICE": "1"}
    here = json.loads(rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--json", "--backend", uri, index=index,
                              env=env).stdout)
    node = rag_cli("ask", "Wat vroeg JA21 over Oeganda?", "--json", "--index", uri, env=env)
    assert node.returncode == 0, node.stderr
    assert json.loads(node.stdout)["answer"] == here["answer"] and json.loads(node.stdout)["passages"] == \
        here["passages"]
    listed = rag_cli("docs", "--json", "--index", uri, env=env)
    assert {d["doc_id"] for d in json.loads(listed.stdout)} == \
        {d["doc_id"] for d in json.loads(rag_cli("docs", "--json", index=index).stdout)}
    # errors a user can cause: one sentence and an exit code
    empty = rag_cli("ask", "Oeganda", "--index", f"milvus://{tmp_path / 'empty.db'}", env=env)
    assert empty.returncode == 4 and "holds no index" in empty.stderr and "Traceback" not in empty.stderr
    build = rag_cli("index", BUNDLED, "--index", uri)
    assert build.returncode == 2 and "builds an index folder" in build.stderr
    other = rag_cli("ask", "Oeganda", "--index", uri, "--backend", f"milvus://{tmp_path / 'other.db'}", env=env)
    assert other.returncode == 4 and "searches in that Milvus" in other.stderr


def test_the_interface_of_a_query_node_adds_no_documents(milvus_index, tmp_path):
    from rag.api import Assistant
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from ui.app import App

    _, uri, _ = milvus_index
    app = App(Assistant(collection=Collection.load(uri, embedder=FakeEmbedder(64)), chat_model=False))
    upload = tmp_path / "brief.txt"
    upload.write_text("Een brief.\n")
    assert "Milvus" in app.add_documents([str(upload)], lang="en")
    assert not (tmp_path / "milvus:").exists()


@pytest.mark.slow
def test_a_query_node_over_a_milvus_server(milvus_server, tmp_path):
    """The form a deployment takes: the index built on one machine and published to a Milvus server,
    asked from a process that has only the server's address."""
    _, uri = milvus_server
    index = tmp_path / "index"
    built = rag_cli("index", BUNDLED, "--quiet", "--backend", uri, index=index)
    assert built.returncode == 0, built.stderr
    env = {"RAG_NO_SERVICE": "1"}
    here = json.loads(rag_cli("ask", "Wat vroeg de BBB over Syrië?", "--json", index=index, env=env).stdout)
    node = rag_cli("ask", "Wat vroeg de BBB over Syrië?", "--json", env={**env, "RAG_INDEX": uri})
    assert node.returncode == 0, node.stderr
    assert json.loads(node.stdout)["passages"] == here["passages"] and json.loads(node.stdout)["answer"] == \
        here["answer"]


def test_documents_of_any_size_and_id_and_a_changed_parse_reach_the_node(milvus_index):
    """A record longer than a Milvus field (many footnotes), an id longer than a key, a name across two
    stored parts, and a document parsed anew from the same file (same file hash, new record)."""
    from dataclasses import replace

    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from rag.milvus import prepare
    from rag.milvus_index import PART, publish

    index, uri, _ = milvus_index
    local = Collection.load(index)
    base = local.documents["sgd-0000011416"]
    long_id = "kst-" + "x" * 600
    text = "a" * (PART - 2) + " Graus vroeg naar de dierproeven. " + "b" * (2 * PART)
    local.documents[long_id] = replace(base, doc_id=long_id, text=text,
                                       notes=tuple((n, "voetnoot " * 12) for n in range(1200)))
    local.documents["sgd-0000011416"] = replace(base, title="Opnieuw gelezen titel")
    client, target = prepare(uri, {"model": local.manifest["model"]["name"], "dim": 64, "schema": 4})
    publish(client, target, local)
    node = Collection.load(uri, embedder=FakeEmbedder(64))
    assert node.documents[long_id] == local.documents[long_id]  # 1,200 footnotes, an id of 604 characters
    assert node.documents.meta("sgd-0000011416").title == "Opnieuw gelezen titel"
    pattern = __import__("re").compile(r"(?<![\w-])Graus(?![\w-])")
    assert long_id in node.documents.naming({"Graus"}, pattern)  # "Graus" starts 2 characters before a part ends


def test_a_kept_passage_whose_record_changed_is_sent_again(milvus_index, tmp_path):
    """A document dropped before others moves their rows; the query node then holds them in the build's
    order, as the folder does, and a sync with nothing changed sends nothing."""
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from rag.indexer import build_index
    from rag.milvus import sync

    index, uri, _ = milvus_index
    smaller = tmp_path / "smaller"
    shutil.copytree(BUNDLED, smaller)
    (smaller / "besluitenlijst_example4.pdf").unlink()  # the first document: every row after it moves
    build_index([smaller], index, embedder=FakeEmbedder(64))
    local = Collection.load(index)
    report = sync(uri, local)
    assert report["deleted"] > 0 and (report["changed"] > 0 or report["refreshed"] > 0)
    assert Collection.load(uri, embedder=FakeEmbedder(64)).chunks == local.chunks
    assert sync(uri, local) == {"added": 0, "refreshed": 0, "changed": 0, "deleted": 0, "passages": len(local.chunks)}


def test_term_ids_stay_from_build_to_build_whatever_the_hash_seed(tmp_path):
    """bm25s alone numbers terms in a set's order (it changes with PYTHONHASHSEED): every build would
    send every passage to Milvus again. Now a term keeps its id, and adding a file sends its passages."""
    from rag.collection import Collection

    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED, corpus)
    extra = corpus / "sgd-0000011416.txt"
    held = tmp_path / extra.name
    shutil.move(extra, held)
    shutil.move(corpus / (extra.name + ".json"), tmp_path / (extra.name + ".json"))
    first = rag_cli("index", corpus, "--quiet", index=tmp_path / "a", env={"PYTHONHASHSEED": "1"})
    again = rag_cli("index", corpus, "--quiet", "--rebuild", index=tmp_path / "b", env={"PYTHONHASHSEED": "2"})
    assert first.returncode == again.returncode == 0, first.stderr + again.stderr
    one, two = (Collection.load(tmp_path / x).lexical.vocabulary()[0] for x in "ab")
    assert one == two
    shutil.move(held, extra)
    shutil.move(tmp_path / (extra.name + ".json"), corpus / (extra.name + ".json"))
    grown = rag_cli("index", corpus, "--quiet", index=tmp_path / "a", env={"PYTHONHASHSEED": "3"})
    assert grown.returncode == 0, grown.stderr
    after = Collection.load(tmp_path / "a").lexical.vocabulary()[0]
    assert all(after[term] == tid for term, tid in one.items()) and len(after) > len(one)


def test_a_query_node_takes_up_a_new_build_between_questions(milvus_index, tmp_path, monkeypatch):
    import rag.api
    from rag.api import Assistant
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from rag.indexer import build_index
    from rag.milvus import sync

    monkeypatch.setattr(rag.api, "RECHECK_SECONDS", 0.0)
    index, uri, _ = milvus_index
    node = Assistant(collection=Collection.load(uri, embedder=FakeEmbedder(64)), chat_model=False)
    node.ask("Wat vroeg JA21 over Oeganda?")
    before = node.collection.manifest["build_id"]
    more = tmp_path / "more"
    shutil.copytree(BUNDLED, more)
    (more / "brief.txt").write_text("De leden van de SP-fractie vragen naar de huurprijzen in Oeganda.\n")
    build_index([more], index, embedder=FakeEmbedder(64))
    sync(uri, Collection.load(index))
    answer = node.ask("Wat vroeg de SP over huurprijzen?")
    assert node.collection.manifest["build_id"] != before and "brief" in node.collection.documents
    assert answer.hits[0].chunk.doc_id == "brief"


def test_the_service_of_a_query_node_is_found_from_any_folder(tmp_path, monkeypatch):
    from rag.service import socket_path

    uri = "milvus://milvus.example:19530"
    here = socket_path(uri)
    monkeypatch.chdir(tmp_path)
    assert socket_path(uri) == here


def test_a_query_node_looks_up_a_laws_name_as_the_build_machine(milvus_index):
    """The judge's phrase lookup (`Collection.holds_phrase`, for a law's name): from the BM25 postings on
    the folder, by reading every passage on a node whose lexicon is Milvus's; the same answer."""
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder

    index, uri, _ = milvus_index
    here, node = Collection.load(index), Collection.load(uri, embedder=FakeEmbedder(64))
    for phrase, held in [("Letter of Intent", True), ("letter  of\nintent", True), ("Wet toekomst pensioenen", False),
                         ("Intent of Letter", False)]:
        assert here.holds_phrase(phrase) is held and node.holds_phrase(phrase) is held, phrase
