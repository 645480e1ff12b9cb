"""The warm service: `rag ask` answers through it when it runs, exactly as it would alone, and
falls back to answering itself when it does not; only this user can reach it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import BUNDLED


@pytest.fixture
def served(tmp_path, monkeypatch, fake_embedder):
    """A service over a fake-model index of the bundled corpus, its socket in a private tmp folder."""
    from rag.api import Assistant
    from rag.collection import Collection
    from rag.indexer import build_index
    from rag.output import render_answer
    from rag.service import Service

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    index = tmp_path / "index"
    build_index([BUNDLED], index, embedder=fake_embedder)
    assistant = Assistant(collection=Collection.load(index, embedder=fake_embedder))
    service = Service(assistant, lambda answer, as_json: "served\n" + render_answer(answer, as_json)).start()
    yield index, service
    service.stop()


def rag(*args, index, env):
    environ = {**os.environ, "RAG_MODEL": "fake:64", "RAG_INDEX": str(index), **env}
    return subprocess.run([sys.executable, "-m", "rag.cli", *map(str, args)], capture_output=True, text=True,
                          env=environ, timeout=300)


def test_service_answers_as_the_process_itself_would(served):
    from rag.output import render_answer
    from rag.service import ask_service

    index, service = served
    reply = ask_service(index, {"question": "Wat vroeg JA21 over Oeganda?", "options": {"k": 3}, "json": False})
    direct = service.assistant.ask("Wat vroeg JA21 over Oeganda?", k=3)
    assert reply == {"output": "served\n" + render_answer(direct, False), "exit_code": 0, "stderr": False}
    assert "Oeganda" in reply["output"] and "JA21" in reply["output"]


def test_service_passes_on_user_errors_with_their_exit_code(served):
    from rag.service import ask_service

    index, _ = served
    reply = ask_service(index, {"question": "   "})
    assert reply["exit_code"] == 2 and reply["stderr"] and reply["output"].startswith("error: The question is empty")
    assert ask_service(index, {"question": "Oeganda", "rerank": "sentence"}) == {"fallback": True}


def test_rag_ask_uses_the_service_and_falls_back_without_it(served, tmp_path):
    index, service = served
    env = {"XDG_RUNTIME_DIR": str(tmp_path / "run")}
    through = rag("ask", "Wat vroeg JA21 over Oeganda?", "-k", "2", index=index, env=env)
    assert through.returncode == 0 and through.stdout.startswith("served\n"), through.stderr
    empty = rag("ask", "  ", index=index, env=env)
    assert empty.returncode == 2 and empty.stderr.startswith("error: The question is empty")
    service.stop()
    alone = rag("ask", "Wat vroeg JA21 over Oeganda?", "-k", "2", index=index, env=env)
    assert alone.returncode == 0 and not alone.stdout.startswith("served")
    assert alone.stdout == through.stdout.removeprefix("served\n")


def test_service_reopens_the_index_after_a_build(served, tmp_path, fake_embedder):
    from rag.indexer import build_index
    from rag.service import ask_service

    index, service = served
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "motie.txt").write_text("Motie over de zeehondencreche in Pieterburen, ingediend door de leden.\n",
                                     encoding="utf-8")
    before = ask_service(index, {"question": "zeehondencreche Pieterburen", "options": {"k": 1}})["output"]
    assert "Pieterburen" not in before
    build_index([BUNDLED, extra], index, embedder=fake_embedder)
    after = ask_service(index, {"question": "zeehondencreche Pieterburen", "options": {"k": 1}})["output"]
    assert "Pieterburen" in after


def test_socket_is_private_and_a_second_service_is_refused(served):
    from rag.errors import RagError
    from rag.output import render_answer
    from rag.service import Service

    _, service = served
    assert oct(service.path.stat().st_mode & 0o777) == "0o600"
    assert oct(service.path.parent.stat().st_mode & 0o777) == "0o700"
    with pytest.raises(RagError, match="already running"):
        Service(service.assistant, render_answer).start()


def test_no_service_is_used_from_a_folder_others_can_enter(served):
    from rag.service import ask_service

    index, service = served
    os.chmod(service.path.parent, 0o755)
    try:
        assert ask_service(index, {"question": "Oeganda"}) is None
    finally:
        os.chmod(service.path.parent, 0o700)


def test_a_stale_socket_is_replaced(served):
    from rag.service import Service, ask_service

    index, service = served
    service._server.shutdown()
    service._server.server_close()  # the socket file stays, as after kill -9
    service._server = None
    assert service.path.exists() and ask_service(index, {"question": "Oeganda"}) is None
    again = Service(service.assistant, service.render).start()
    try:
        assert ask_service(index, {"question": "Oeganda", "options": {"k": 1}})["exit_code"] == 0
    finally:
        again.stop()
