"""A shared `rag ui`: users with hashed passwords, a login for everything beyond this machine,
limited login attempts, uploads by editors only and logged."""

from __future__ import annotations

import json
import stat
from types import SimpleNamespace

import pytest
from conftest import rag_cli

from rag.errors import RagError
from rag.users import MAX_FAILURES, Gate, add_user, is_loopback, load_users


def test_passwords_are_stored_hashed_and_checked(tmp_path):
    path = tmp_path / "users.json"
    add_user(path, "alice", "correct horse battery", editor=True)
    add_user(path, "bob", "another long secret")
    stored = path.read_text()
    assert "correct horse" not in stored and "$argon2" in stored
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    gate = Gate(load_users(path))
    assert gate("alice", "correct horse battery") and not gate("alice", "wrong password!")
    assert not gate("mallory", "correct horse battery")
    assert gate.is_editor("alice") and not gate.is_editor("bob") and not gate.is_editor(None)
    with pytest.raises(RagError, match="at least 10"):
        add_user(path, "carol", "short")


def test_login_attempts_are_limited(tmp_path):
    path = tmp_path / "users.json"
    add_user(path, "alice", "correct horse battery")
    gate = Gate(load_users(path))
    for _ in range(MAX_FAILURES):
        assert not gate("alice", "guess")
    assert not gate("alice", "correct horse battery")  # refused while the failures are recent


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                            ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False)])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_serving_beyond_this_machine_needs_users(fake_index, tmp_path):
    result = rag_cli("ui", "--host", "0.0.0.0", "--users", str(tmp_path / "none.json"), index=fake_index)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "needs users who log in" in result.stderr and "rag users add" in result.stderr
    result = rag_cli("users", "add", "alice", "--editor", "--password-stdin", "--users", str(tmp_path / "u.json"),
                     index=fake_index, stdin="correct horse battery\n")
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "u.json").read_text())["alice"]["editor"] is True


@pytest.fixture(scope="module")
def shared_app(fake_index, tmp_path_factory):
    """The app behind a login, on the fake model."""
    import shutil
    import socket

    from rag.api import Assistant
    from ui.app import App, build_app

    index = tmp_path_factory.mktemp("shared") / "index"
    shutil.copytree(fake_index, index)
    path = index / "users.json"
    add_user(path, "alice", "correct horse battery", editor=True)
    add_user(path, "bob", "another long secret")
    gate = Gate(load_users(path))
    app = App(Assistant(index, chat_model=False), gate)
    demo = build_app(app)
    demo.queue()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                            auth=gate)
    yield url, app
    demo.close()


def test_no_page_or_api_call_without_login(shared_app):
    import urllib.error
    import urllib.request

    from gradio_client import Client

    url, _ = shared_app
    with pytest.raises(Exception):
        Client(url, verbose=False).predict("Wat vroeg JA21 over Oeganda?", 3, api_name="/ask")
    with pytest.raises(urllib.error.HTTPError) as refused:  # the app's config is not served before a login
        urllib.request.urlopen(url + "config")
    assert refused.value.code in (401, 403)
    reply = Client(url, auth=("bob", "another long secret"), verbose=False).predict(
        "Wat vroeg JA21 over Oeganda?", 3, api_name="/ask")
    assert reply["passages"] and reply["passages"][0]["party"] == "JA21"


def test_only_editors_upload_and_uploads_are_logged(shared_app, tmp_path):
    _, app = shared_app
    doc = tmp_path / "nieuw.txt"
    doc.write_text("De leden van de SP-fractie vragen naar de huren van studentenkamers in Groningen.\n")
    assert "Alleen redacteuren" in app.add_documents([str(doc)], SimpleNamespace(username="bob"), lambda *a, **k: None)
    result = app.add_documents([str(doc)], SimpleNamespace(username="alice"), lambda *a, **k: None)
    assert "nieuw.txt" in result and "❌" not in result, result
    log = [json.loads(line) for line in (app.upload_dir / "log.jsonl").read_text().splitlines()]
    assert log[-1]["user"] == "alice" and log[-1]["file"] == "nieuw.txt" and log[-1]["time"]


@pytest.mark.slow
def test_the_login_page_in_a_browser(shared_app, browser):
    """A wrong password is refused on the login page; the right one opens the Dutch interface."""
    url, _ = shared_app
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    try:
        page.goto(url)
        page.wait_for_selector("input[type=password]", timeout=60_000)
        assert page.locator("#question").count() == 0  # nothing of the app before a login
        page.locator("input[type=text]").first.fill("bob")
        page.locator("input[type=password]").fill("wrong password!")
        page.locator("input[type=password]").press("Enter")
        page.wait_for_selector(":text('Incorrect')", timeout=30_000)
        assert page.locator("#question").count() == 0
        page.locator("input[type=text]").first.fill("bob")
        page.locator("input[type=password]").fill("another long secret")
        page.locator("input[type=password]").press("Enter")
        page.wait_for_selector("#question textarea", timeout=60_000)
        assert page.get_by_placeholder("Stel uw vraag, in het Nederlands of het Engels…").is_visible()
    finally:
        page.close()


def test_the_users_file_of_an_index_folder_or_of_a_query_node(tmp_path, monkeypatch):
    """Beside a folder's index; a query node (an index served from Milvus, no folder) keeps it in the
    user's configuration folder; --users and $RAG_USERS first."""
    from rag.users import users_path

    monkeypatch.delenv("RAG_USERS", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert users_path(tmp_path / "index") == tmp_path / "index" / "users.json"
    assert users_path("milvus://milvus.example:19530") == tmp_path / "config" / "kamervragen" / "users.json"
    assert users_path("milvus:///srv/kv.db", tmp_path / "u.json") == tmp_path / "u.json"
    monkeypatch.setenv("RAG_USERS", str(tmp_path / "env.json"))
    assert users_path("milvus://milvus.example:19530") == tmp_path / "env.json"
