"""The Gradio app for staff: chat with quoted answers, quick lookup, adding documents.

Formatting only: every answer comes from `rag.api.Assistant` (the same chain as the CLI). The app
binds to 127.0.0.1 by default, has no share link and no analytics, and shows errors as messages.
"""

from __future__ import annotations

import atexit
import html
import json
import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402

from rag.answer import citation, language, quote_citation, who  # noqa: E402
from rag.api import Assistant  # noqa: E402
from rag.errors import RagError  # noqa: E402
from rag.ingest import SUPPORTED  # noqa: E402
from rag.links import official_url  # noqa: E402
from rag.output import render_answer  # noqa: E402
from rag.parties import PARTIES  # noqa: E402
from rag.service import Service  # noqa: E402
from rag.types import page_range  # noqa: E402
from ui.texts import EXAMPLES, LANGUAGES, PAGE_NAMES, TEXTS  # noqa: E402

CONTEXT_PASSAGES = 2  # the document view shows this many passages before and after the one cited
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
LOOKUP_SLOTS = 5
CSS = """
.passage {border-left: 3px solid #888; padding: 4px 10px; margin: 10px 0;}
.passage .meta {font-size: 0.85em; color: #555;}
.passage mark {background: #ffe58a;}
.passage.cited {border-left-color: #d4a000; background: #fffbea;}
.passage .links a {margin-right: 1em; font-size: 0.85em;}
"""


class App:
    """The state behind the interface: the assistant (model and index loaded once) and timings."""

    def __init__(self, assistant: Assistant, gate=None):
        """`gate` (`rag.users.Gate`): the users who may log in; None on this machine without users."""
        from rag.store import is_remote
        from rag.indexer import uploads_dir

        self.assistant = assistant
        self.gate = gate
        # None: the index is served from Milvus (`rag.milvus_index`), built elsewhere
        remote = is_remote(assistant.collection.index_dir)
        self.upload_dir = None if remote else uploads_dir(assistant.collection.index_dir)
        self.lock = threading.Lock()  # one upload build at a time; questions keep being answered
        self.timings: list[float] = []

    # ------------------------------------------------------------ answering

    def answer(self, message: str, history, parties, doc, doc_type, since, until, lang: str = "nl", base: str = ""):
        """Chat handler: the answer as Markdown (a follow-up resolved against the user's earlier
        questions, `rag.followup`, and what was searched said first; each citation a link to the
        document view, under `base`: the page's own address, so that a copied or downloaded answer
        keeps working links), and the passages panel as HTML."""
        started = time.perf_counter()
        earlier = [_content(m) for m in history or [] if isinstance(m, dict) and m.get("role") == "user"]
        try:
            answer = self.assistant.ask(message, k=5, parties=parties or [], doc_ids=[doc] if doc else [],
                                        types=[doc_type] if doc_type else [], since=since or None,
                                        until=until or None, history=earlier)
        except RagError as exc:
            return f"⚠️ {exc}", _passages_html(None, lang)
        text, panel = _linked(answer, base), _passages_html(answer, lang)
        self.timings.append(time.perf_counter() - started)
        return text, panel

    def document_view(self, doc_id: str, at: str = "", lang: str = "nl") -> str:
        """The document view: the passage holding document offset `at` ("start-end" of a quote, or
        "start"), highlighted, with CONTEXT_PASSAGES passages before and after, pages and the link to
        the official publication."""
        t = TEXTS[lang]
        collection = self.assistant.collection
        doc = collection.documents.get(doc_id or "")
        if not doc_id:
            return f"<p><em>{html.escape(t['document_empty'])}</em></p>"
        if doc is None:
            return f"<p>⚠️ {html.escape(t['document_missing'])}</p>"
        start, _, end = (at or "").partition("-")
        start = int(start) if start.isdigit() else 0
        end = int(end) if end.isdigit() and int(end) > start else start
        rows = [c for c in collection.chunks if c.doc_id == doc_id]
        cited = next((i for i, c in enumerate(rows) if c.start <= start < c.end), 0)
        url = official_url(doc)
        head = " · ".join(html.escape(x) for x in (doc.doc_type, doc.date or "", doc.doc_id) if x)
        link = f' · <a href="{html.escape(url)}" target="_blank" rel="noopener">{t["official"]}</a>' if url else ""
        parts = [f"<h3>{html.escape(doc.title)}</h3><p class='meta'>{head}{link}</p>"]
        for i, c in enumerate(rows[max(cited - CONTEXT_PASSAGES, 0):cited + CONTEXT_PASSAGES + 1],
                              start=max(cited - CONTEXT_PASSAGES, 0)):
            text = html.escape(c.text)
            if i == cited and end > start and c.start <= start and end <= c.end:
                a, b = start - c.start, end - c.start
                text = html.escape(c.text[:a]) + "<mark>" + html.escape(c.text[a:b]) + "</mark>" + html.escape(c.text[b:])
            meta = " · ".join(html.escape(x) for x in (who(c, lang), c.section, page_range(c.page, c.page_end, lang)) if x)
            parts.append(f'<div class="passage{" cited" if i == cited else ""}" id="passage-{i}"><div class="meta">'
                         f"{meta}</div><p>{text}</p></div>")
        return "\n".join(parts)

    def ask_json(self, question: str, k: int = 5, parties: list[str] | None = None, doc_ids: list[str] | None = None,
                 types: list[str] | None = None, since: str | None = None, until: str | None = None,
                 history: list[str] | None = None) -> dict:
        """The API endpoint `/ask`: the answer in `rag ask --json`'s contract (question, answer, status,
        quotes, passages, others; `asked` when `history`, the earlier questions, made it a follow-up);
        a bad question or filter is an error with its one sentence."""
        try:
            answer = self.assistant.ask(question, k=int(k), parties=parties or [], doc_ids=doc_ids or [],
                                        types=types or [], since=since or None, until=until or None,
                                        history=history or [])
        except RagError as exc:
            raise gr.Error(str(exc)) from exc
        return json.loads(render_answer(answer, as_json=True))

    def from_link(self, request: gr.Request, lang: str = "nl"):
        """A link that asks (`?q=…&party=…`, party repeatable or comma-separated): the chat opens with
        that question answered, the party filter set; `?lookup=…` fills the quick lookup; `?doc=ID&at=S-E`
        opens the document view there. Returns updates for the chat, the passages panel, the party
        filter, the tabs, the document view, the lookup box and its results."""
        params = request.query_params if request is not None else {}
        question = (params.get("q") or "").strip()
        parties = [p.strip() for value in (params.getlist("party") if hasattr(params, "getlist") else [])
                   for p in value.split(",") if p.strip()]
        lookup = (params.get("lookup") or "").strip()
        doc = (params.get("doc") or "").strip()
        chat, panel, party, tabs, view = gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
        if question:
            text, panel = self.answer(question, [], parties, None, None, "", "", lang, _page_address(request))
            chat = [{"role": "user", "content": question}, {"role": "assistant", "content": text}]
            party = gr.update(value=parties)
        if doc:
            view, tabs = self.document_view(doc, params.get("at") or "", lang), gr.Tabs(selected="document")
        elif lookup:
            tabs = gr.Tabs(selected="lookup")
        results = self.lookup(lookup, parties, lang) if lookup else [gr.update()] * LOOKUP_SLOTS
        return [chat, panel, party, tabs, view, gr.update(value=lookup) if lookup else gr.update(), *results]

    def export(self, history, lang: str = "nl") -> str | None:
        """The conversation as a Markdown file (questions as headings, answers with their quotes and
        citations as shown); its path, for the download, or None when there is nothing yet."""
        import tempfile

        text = conversation_markdown(history or [])
        if not text:
            gr.Warning(TEXTS[lang]["nothing_to_save"])
            return None
        folder = Path(tempfile.mkdtemp(prefix="kamervragen-"))
        path = folder / f"kamervragen-{time.strftime('%Y%m%d-%H%M%S')}.md"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def lookup(self, query: str, parties, lang: str = "nl"):
        """Quick lookup: the ranked passages, each as quote plus citation ready to copy."""
        try:
            answer = self.assistant.ask(query, k=LOOKUP_SLOTS, parties=parties or [])
        except RagError as exc:
            gr.Warning(str(exc))
            return [gr.update(visible=False, value="")] * LOOKUP_SLOTS
        by_chunk = {q.chunk_id: q for q in answer.quotes}
        updates = []
        for hit in list(answer.hits)[:LOOKUP_SLOTS]:
            quote = by_chunk.get(hit.chunk.chunk_id)
            text = quote.text if quote else hit.chunk.text
            updates.append(gr.update(visible=True, value=f"“{text}”\n— {citation(hit.chunk, lang)}",
                                     label=f"{hit.rank}. {who(hit.chunk, lang)} — score {hit.score:.2f}"))
        updates += [gr.update(visible=False, value="")] * (LOOKUP_SLOTS - len(updates))
        return updates

    # ------------------------------------------------------------ adding documents

    def add_documents(self, files, request: gr.Request = None, progress=gr.Progress(), lang: str = "nl"):
        """Copy uploaded files into the upload folder and index them; refused files say why. With users,
        only editors upload, and every upload is logged with user and time (`uploads/log.jsonl`)."""
        from rag.indexer import build_index

        t = TEXTS[lang]
        user = getattr(request, "username", None)
        if self.gate is not None and not self.gate.is_editor(user):
            return t["editors_only"]
        if not files:
            return t["no_files"]
        if self.upload_dir is None:
            return t["remote_index"]
        accepted, lines = [], []
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        for file in files:
            source = Path(getattr(file, "name", file))
            name = safe_name(source.name)
            size = source.stat().st_size if source.exists() else 0
            if source.suffix.lower() not in SUPPORTED:
                lines.append(t["bad_type"].format(name=source.name, suffix=source.suffix or "(–)",
                                                  allowed=", ".join(SUPPORTED)))
            elif size > MAX_UPLOAD_BYTES:
                lines.append(t["too_large"].format(name=source.name, mb=size / 1e6, limit=MAX_UPLOAD_BYTES // 1_000_000))
            else:
                accepted.append((source, name))
        if not accepted:
            return _bullets(lines)
        if not self.lock.acquire(blocking=False):
            return _bullets(lines + [t["busy"]])
        try:
            for source, name in accepted:
                shutil.copyfile(source, self.upload_dir / name)
            with (self.upload_dir / "log.jsonl").open("a", encoding="utf-8") as log:
                for _, name in accepted:
                    log.write(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "user": user,
                                          "file": name}, ensure_ascii=False) + "\n")
            collection = self.assistant.collection
            # The folders indexed so far; the build adds the upload folder itself.
            roots = [Path(r) for r in collection.manifest.get("roots", []) if Path(r).exists()]

            def report(path, done, total, _report):
                progress(done / max(total, 1), desc=t["indexing"].format(name=Path(path).name) if path else t["finishing"])

            result = build_index(roots, collection.index_dir, embedder=collection.embedder, progress=report)
            self.assistant.reload()
        except RagError as exc:
            return _bullets(lines + [t["failed"].format(error=exc)])
        finally:
            self.lock.release()
        skipped = {Path(p).name: why for p, why in result.skipped}
        for _, name in accepted:
            lines.append(t["refused"].format(name=name, why=skipped[name]) if name in skipped
                         else t["indexed"].format(name=name))
        lines.append(t["summary"].format(documents=result.documents, passages=result.passages,
                                         new=result.embedded_passages, seconds=result.seconds))
        return _bullets(lines)


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def safe_name(name: str) -> str:
    """A file name that stays inside the upload folder: no path parts, no leading dots or dashes."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip(" .-") or "upload"
    return base[:120]


def _doc_link(doc_id: str, start: int, end: int) -> str:
    """The app's own link to a span of a document (the document view, `App.from_link`)."""
    from urllib.parse import urlencode

    return "?" + urlencode({"doc": doc_id, "at": f"{start}-{end}"})


def _page_address(request) -> str:
    """The address of the page a request came from, without its query ("" when unknown)."""
    headers = getattr(request, "headers", None) or {}
    return (headers.get("referer") or "").split("?")[0].split("#")[0]


def _linked(answer, base: str = "") -> str:
    """The answer's Markdown with each quote's citation a link to the quote in the document view."""
    text, lang = answer.text, language(answer.question)
    for quote in answer.quotes:
        for q in (quote, quote.question, quote.answer):
            if q is None:
                continue
            cited = quote_citation(q, lang)
            text = text.replace(f"— {cited}", f"— [{cited}]({base}{_doc_link(q.doc_id, q.start, q.end)})", 1)
    return text


def _passages_html(answer, lang: str = "nl") -> str:
    t = TEXTS[lang]
    if answer is None or not answer.hits:
        return f"<p><em>{html.escape(t['no_passages'])}</em></p>"
    quotes = {q.chunk_id: q for q in answer.quotes}
    parts = []
    for hit in answer.hits:
        c = hit.chunk
        text = html.escape(c.text)
        quote = quotes.get(c.chunk_id)
        if quote is not None:
            inner = quote.start - c.start
            text = (html.escape(c.text[:inner]) + "<mark>" + html.escape(quote.text) + "</mark>"
                    + html.escape(c.text[inner + len(quote.text):]))
        meta = " · ".join(html.escape(x) for x in (
            who(c, lang), c.section, c.title or c.doc_id, c.date or "", page_range(c.page, c.page_end, lang),
            f"{t['score']} {hit.score:.2f}") if x)
        how = html.escape(t["attribution"].format(how=c.attribution), quote=True) if c.attribution else ""
        span = (quote.start, quote.end) if quote is not None else (c.start, c.end)
        links = [f'<a href="{html.escape(_doc_link(c.doc_id, *span))}" target="_blank" class="open-document">'
                 f'{t["open_document"]}</a>']
        parts.append(f'<div class="passage"><div class="meta" title="{how}"><b>{hit.rank}.</b> {meta}</div>'
                     f'<p>{text}</p><div class="links">{"".join(links)}</div></div>')
    return "\n".join(parts)


def _content(message) -> str:
    content = message.get("content") if isinstance(message, dict) else message
    if isinstance(content, list):  # Gradio 6 may hold a message as parts
        return "\n".join(str(part.get("text", "")) if isinstance(part, dict) else str(part) for part in content)
    return str(content or "")


def conversation_markdown(history: list) -> str:
    """A chat history (messages with role and content) as one Markdown document."""
    lines: list[str] = []
    for message in history:
        role = message.get("role") if isinstance(message, dict) else None
        if role == "user":
            lines += [f"## {_content(message).strip()}", ""]
        elif role == "assistant":
            lines += [_content(message).strip(), ""]
    return ("# Kamervragen\n\n" + "\n".join(lines)).strip() + "\n" if lines else ""


def build_app(app: App, lang: str = "nl") -> gr.Blocks:
    """The app: one page in `lang` at "/", the same in the other language one click away (the nav
    bar: "/en" or "/nl"); one API endpoint, `/ask`."""
    if lang not in LANGUAGES:
        raise RagError(f"Unknown interface language {lang!r}; choose one of {', '.join(LANGUAGES)}.")
    collection = app.assistant.collection
    records = [collection.documents.meta(doc_id) for doc_id in collection.documents]  # without their texts
    choices = {
        "docs": sorted((r.title[:80], r.doc_id) for r in records),
        "types": sorted({r.doc_type for r in records}),
        "parties": sorted({c.party for c in collection.chunks if c.party} | set(PARTIES)),
    }
    with gr.Blocks(title="Kamervragen", analytics_enabled=False) as demo:
        _page(demo, app, lang, choices)
        # Scripts get one endpoint, the `rag ask --json` contract; the interface's own events are not API.
        gr.api(app.ask_json, api_name="ask")
    demo.pages[0] = ("", PAGE_NAMES[lang], True)
    other = next(x for x in LANGUAGES if x != lang)
    with demo.route(PAGE_NAMES[other], f"/{other}"):
        _page(demo, app, other, choices)
    return demo


def _page(demo: gr.Blocks, app: App, lang: str, choices: dict) -> None:
    """One language's interface: chat, quick lookup, document view, adding documents."""
    t = TEXTS[lang]

    def answer(message, history, parties, doc, doc_type, since, until, request: gr.Request):
        return app.answer(message, history, parties, doc, doc_type, since, until, lang, _page_address(request))

    def lookup(query, parties):
        return app.lookup(query, parties, lang)

    def export(history):
        return app.export(history, lang)

    def add_documents(files, request: gr.Request, progress=gr.Progress()):
        return app.add_documents(files, request, progress, lang)

    def from_link(request: gr.Request):
        return app.from_link(request, lang)

    gr.Markdown(t["heading"])
    with gr.Tabs() as tabs:
        with gr.Tab(t["chat_tab"], id="chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    with gr.Accordion(t["filters"], open=False):
                        with gr.Row():
                            party = gr.Dropdown(choices["parties"], multiselect=True, label=t["party"],
                                                elem_id="filter-party")
                            doc = gr.Dropdown(choices["docs"], label=t["document"], value=None, elem_id="filter-doc")
                        with gr.Row():
                            doc_type = gr.Dropdown(choices["types"], label=t["doc_type"], value=None)
                            since = gr.Textbox(label=t["since"], max_lines=1)
                            until = gr.Textbox(label=t["until"], max_lines=1)
                    passages = gr.HTML(render=False, elem_id="passages")
                    question = gr.Textbox(placeholder=t["placeholder"], elem_id="question", submit_btn=True,
                                          render=False)
                    chatbot = gr.Chatbot(height=520, elem_id="chat", buttons=["copy"])
                    gr.ChatInterface(
                        answer, additional_inputs=[party, doc, doc_type, since, until],
                        additional_outputs=[passages], analytics_enabled=False, api_visibility="private",
                        chatbot=chatbot, textbox=question,
                    )
                    gr.Examples(EXAMPLES[lang], inputs=[question], label=t["examples"])
                    with gr.Row():
                        save = gr.Button(t["download"], elem_id="export-go", size="sm")
                        saved = gr.File(label=t["conversation"], elem_id="export-file", interactive=False)
                    save.click(export, chatbot, saved, api_visibility="private")
                with gr.Column(scale=2):
                    gr.Markdown(t["passages"])
                    passages.render()
        with gr.Tab(t["lookup_tab"], id="lookup"):
            with gr.Row():
                query = gr.Textbox(label=t["search"], placeholder=t["search_placeholder"], scale=4,
                                   elem_id="lookup-query")
                lookup_party = gr.Dropdown(choices["parties"], multiselect=True, label=t["party"], scale=2)
                go = gr.Button(t["search_go"], variant="primary", scale=1, elem_id="lookup-go")
            slots = [gr.Textbox(visible=False, lines=4, buttons=["copy"], interactive=False,
                                elem_classes=["lookup-result"]) for _ in range(LOOKUP_SLOTS)]
            gr.on([go.click, query.submit], lookup, [query, lookup_party], slots, api_visibility="private")
        with gr.Tab(t["document_tab"], id="document"):
            view = gr.HTML(app.document_view("", "", lang), elem_id="document-view")
        with gr.Tab(t["upload_tab"], id="upload"):
            files = gr.File(file_count="multiple", label=t["files"], elem_id="upload", file_types=list(SUPPORTED))
            index_btn = gr.Button(t["index_go"], variant="primary", elem_id="upload-go")
            status = gr.Markdown(elem_id="upload-status")
            index_btn.click(add_documents, files, status, api_visibility="private")
    # Deep links: ?q=…&party=… asks in the chat, ?lookup=… searches, ?doc=…&at=… opens the document view.
    demo.load(from_link, None, [chatbot, passages, party, tabs, view, query, *slots], api_visibility="private")


def launch(index_dir: Path | None = None, host: str = "127.0.0.1", port: int = 7860, rerank: str | None = None,
           users: Path | None = None, lang: str = "nl", backend: str | None = None):
    """Load the model and index once, then serve the app (blocking), and `rag ask` (rag.service). Beyond
    this machine only with users (`rag.users`); with users, always behind a login. `lang`: the
    interface's language at "/" (the other one is at "/en" or "/nl")."""
    from rag.users import Gate, users_for, users_path

    assistant = Assistant(index_dir, rerank=rerank, backend=backend)
    known = users_for(host, users_path(assistant.collection.index_dir, users))
    gate = Gate(known) if known else None
    assistant.collection.query_vector("warm-up")  # load the model before the first question
    try:
        atexit.register(Service(assistant, render_answer).start().stop)  # Ctrl-C removes the socket too
    except RagError as exc:  # another service already answers `rag ask` for this index
        print(f"Not serving `rag ask`: {exc}", file=sys.stderr)
    app = App(assistant, gate)
    demo = build_app(app, lang)
    demo.queue(default_concurrency_limit=4)
    demo.launch(server_name=host, server_port=port, share=False, show_error=False, css=CSS, quiet=False,
                footer_links=[], auth=gate, auth_message="Kamervragen: log in met uw naam en wachtwoord (log in with your name and password).")
