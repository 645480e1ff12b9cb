"""The chat interface in a real browser (Debian's Chromium driven by Playwright), on the real model."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCREENSHOTS = Path(__file__).resolve().parents[1] / "eval" / "out" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(real_index, tmp_path_factory):
    from rag.api import Assistant
    from ui.app import CSS, App, build_app

    index = tmp_path_factory.mktemp("ui") / "index"
    shutil.copytree(real_index, index)  # the upload test adds to it
    app = App(Assistant(index, chat_model=False))
    demo = build_app(app)
    demo.queue()
    _, url, _ = demo.launch(server_name="127.0.0.1", server_port=_free_port(), prevent_thread_lock=True, css=CSS,
                            quiet=True)
    yield url, app
    demo.close()


@pytest.fixture
def page(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server[0])
    yield page
    page.close()


def _ask(page, question: str) -> None:
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")


def test_chat_quotes_ja21_on_uganda(page, server):
    _ask(page, "Wat vroeg JA21 over Oeganda?")
    page.wait_for_selector('#chat :text("Oeganda")', timeout=120_000)
    page.wait_for_selector("#passages mark", timeout=60_000)
    chat = page.locator("#chat").inner_text()
    assert "JA21" in chat and "Letter of Intent" in chat and "blz. 9–10" in chat
    assert "Oeganda" in page.locator("#passages mark").first.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "main.png"))
    assert server[1].timings  # the server measured question → answer


def test_party_filter_applies_to_the_next_question(page):
    page.get_by_text("Filters (gelden voor de volgende vraag)").click()
    party = page.locator("#filter-party input")
    party.click()
    party.fill("BBB")
    party.press("Enter")
    page.keyboard.press("Escape")
    _ask(page, "Wat vroegen zij over terugkeer naar Syrië?")
    page.wait_for_selector("#passages .passage", timeout=120_000)
    metas = page.locator("#passages .meta").all_inner_texts()
    assert metas and all("BBB" in m for m in metas)


def test_bad_filter_is_a_message_not_a_trace(page):
    page.get_by_text("Filters (gelden voor de volgende vraag)").click()
    page.get_by_label("Vanaf (JJJJ[-MM[-DD]])").fill("gisteren")
    _ask(page, "Oeganda")
    page.wait_for_selector('#chat :text("--since takes a date")', timeout=60_000)
    assert "Traceback" not in page.content()


def test_uploaded_file_is_indexed_and_found(page, tmp_path):
    doc = tmp_path / "sneeuw.txt"
    doc.write_text("Inbreng van de leden van de SP-fractie\nDe leden van de SP-fractie vragen waarom de "
                   "sneeuwschuivers op Texel dit jaar niet zijn uitgerukt.\n", encoding="utf-8")
    page.get_by_role("tab", name="Documenten toevoegen").click()
    page.locator("#upload input[type=file]").set_input_files([str(doc)])
    page.wait_for_timeout(1500)
    page.locator("#upload-go").click()
    page.wait_for_selector('#upload-status :text("sneeuw.txt: geïndexeerd")', timeout=180_000)
    page.get_by_role("tab", name="Snel opzoeken").click()
    page.locator("#lookup-query textarea").fill("sneeuwschuivers op Texel")
    page.locator("#lookup-go").click()
    page.wait_for_selector(".lookup-result textarea", timeout=60_000)
    first = page.locator(".lookup-result textarea").first.input_value()
    assert "sneeuwschuivers op Texel" in first and "SP" in first


def test_refused_uploads_say_why(server, tmp_path):
    app = server[1]
    png = tmp_path / "plaatje.png"
    png.write_bytes(b"\x89PNG")
    big = tmp_path / "groot.txt"
    big.write_bytes(b"a" * (21 * 1024 * 1024))
    status = app.add_documents([str(png), str(big)], progress=lambda *a, **k: None)
    assert "plaatje.png: geweigerd, het type .png" in status and "groot.txt: geweigerd, 22.0 MB is meer" in status
    english = app.add_documents([str(png), str(big)], progress=lambda *a, **k: None, lang="en")
    assert "plaatje.png: refused, type .png" in english and "groot.txt: refused, 22.0 MB is over" in english
    assert not (app.upload_dir / "groot.txt").exists()


def test_upload_names_cannot_escape_the_upload_folder():
    from ui.app import safe_name

    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("..\\..\\x.txt") == "x.txt"
    assert safe_name("-rf .txt") == "rf .txt"
    assert "/" not in safe_name("a/b/c.pdf") and safe_name("...") == "upload"


def test_a_short_load_on_loopback_has_no_errors(server):
    from rag.load import run_load

    result = run_load(server[0], ["Wat vroeg JA21 over Oeganda?", "dierproeven"], sessions=3, seconds=3)
    assert result["requests"] > 0 and result["errors"] == 0 and result["p95_ms"] >= result["p50_ms"]


def test_scripts_get_one_json_endpoint(server):
    """`gradio_client` sees `/ask` only, and it answers with `rag ask --json`'s contract."""
    from gradio_client import Client

    client = Client(server[0], verbose=False)
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert list(endpoints) == ["/ask"]
    result = client.predict("What did JA21 ask about Uganda?", 3, api_name="/ask")
    assert set(result) == {"question", "answer", "status", "quotes", "passages", "others"}
    assert result["status"] == "found" and result["passages"][0]["party"] == "JA21" and len(result["passages"]) == 3
    assert all(q["text"] for q in result["quotes"])
    with pytest.raises(Exception, match="question is empty"):
        client.predict("   ", api_name="/ask")
    follow = client.predict("En de VVD?", 3, history=["Wat vroeg JA21 over Oeganda?"], api_name="/ask")
    assert follow["asked"] == "En de VVD?" and follow["question"] == "Wat vroeg de VVD over Oeganda?"
    assert {p["party"] for p in follow["passages"]} == {"VVD"}


def test_a_link_asks_its_question(server, browser):
    """`?q=…&party=…` opens the chat with the question answered and the party filter set; `?lookup=…`
    fills the quick lookup."""
    from urllib.parse import urlencode

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(server[0] + "?" + urlencode({"q": "Wat vroeg JA21 over Oeganda?", "party": "JA21"}))
        page.wait_for_selector('#chat :text("Letter of Intent")', timeout=120_000)
        chat = page.locator("#chat").inner_text()
        assert "Wat vroeg JA21 over Oeganda?" in chat and "JA21" in chat
        cited = page.locator('#chat a[href*="doc="]').first.get_attribute("href")
        assert cited.startswith(server[0] + "?doc=")  # the page's own address, not the API's
        page.wait_for_selector("#passages mark", timeout=60_000)
        page.goto(server[0] + "?" + urlencode({"lookup": "Oeganda transithub"}))
        page.wait_for_selector(".lookup-result textarea", timeout=60_000)  # the lookup tab opens by itself
        assert "Oeganda" in page.locator(".lookup-result textarea").first.input_value()
    finally:
        page.close()


def test_a_conversation_downloads_as_markdown(page, server):
    from ui.app import conversation_markdown

    assert conversation_markdown([]) == ""
    text = conversation_markdown([{"role": "user", "content": "Wat vroeg JA21?"},
                                  {"role": "assistant", "content": "**JA21**\n> “Oeganda”  \n> — Verslag, p. 9"}])
    assert text.startswith("# Kamervragen\n\n## Wat vroeg JA21?\n\n**JA21**") and "— Verslag, p. 9" in text
    _ask(page, "What did JA21 ask about Uganda?")
    page.wait_for_selector('#chat :text("Oeganda")', timeout=120_000)
    page.locator("#export-go").click()
    link = page.wait_for_selector("#export-file a", timeout=60_000)
    with page.expect_download() as download:
        link.click()
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert "## What did JA21 ask about Uganda?" in saved and "Letter of Intent" in saved and "p. 9–10" in saved


def test_dutch_by_default_english_one_click_away(page, server):
    page.locator("#question textarea").wait_for(timeout=60_000)
    assert page.get_by_placeholder("Stel uw vraag, in het Nederlands of het Engels…").is_visible()
    assert page.get_by_text("Gevonden passages").is_visible()
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en**")
    page.get_by_placeholder("Ask in Dutch or English…").wait_for(timeout=60_000)
    assert page.get_by_text("Passages retrieved").is_visible()
    _ask(page, "Wat vroeg JA21 over Oeganda?")  # the answer in the question's language, whatever the page's
    page.wait_for_selector('#chat :text("blz. 9–10")', timeout=120_000)
    assert "Score" not in page.locator("#passages .meta").first.inner_text()
    assert "score" in page.locator("#passages .meta").first.inner_text()


def test_a_follow_up_is_resolved_and_says_what_was_searched(page):
    _ask(page, "Wat vroeg JA21 over Oeganda?")
    page.wait_for_selector('#chat :text("Letter of Intent")', timeout=120_000)
    _ask(page, "En de VVD?")
    page.wait_for_selector('#chat :text("Gezocht: Wat vroeg de VVD over Oeganda?")', timeout=120_000)
    page.wait_for_timeout(500)
    metas = page.locator("#passages .meta").all_inner_texts()
    assert metas and all("VVD" in m for m in metas)
    _ask(page, "En over Syrië?")  # the subject changes, the party stays
    page.wait_for_selector('#chat :text("Gezocht: Wat vroeg de VVD over Syrië?")', timeout=120_000)


def test_a_citation_opens_its_document_with_the_quote_highlighted(page, server):
    _ask(page, "Wat vroeg JA21 over Oeganda?")
    page.wait_for_selector('#chat :text("Letter of Intent")', timeout=120_000)
    link = page.locator('#chat a[href*="doc="]').first
    assert link.get_attribute("href").startswith(server[0])  # absolute: a copied answer keeps its links
    with page.context.expect_page() as opened:
        link.click()
    view = opened.value
    try:
        view.wait_for_selector("#document-view .cited mark", timeout=120_000)
        assert "Oeganda" in view.locator("#document-view .cited mark").inner_text()
        assert view.locator("#document-view .passage").count() >= 3  # the passages before and after
        assert "blz. 9" in view.locator("#document-view .cited .meta").inner_text()
        view.set_viewport_size({"width": 1400, "height": 900})
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        view.screenshot(path=str(SCREENSHOTS / "document.png"))
    finally:
        view.close()
