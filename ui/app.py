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

from rag.answer import citation, who  # noqa: E402
from rag.api import Assistant  # noqa: E402
from rag.errors import RagError  # noqa: E402
from rag.ingest import SUPPORTED  # noqa: E402
from rag.output import render_answer  # noqa: E402
from rag.parties import PARTIES  # noqa: E402
from rag.service import Service  # noqa: E402

EXAMPLES = [
    "What did JA21 ask about Uganda?",
    "Wat vroeg de BBB over de korting op de solidariteitsbijdrage?",
    "What did GroenLinks-PvdA ask about the solidarity pool?",
    "Welke vragen stelde het CDA over terugkeer naar Syrië?",
]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
LOOKUP_SLOTS = 5
CSS = """
.passage {border-left: 3px solid #888; padding: 4px 10px; margin: 10px 0;}
.passage .meta {font-size: 0.85em; color: #555;}
.passage mark {background: #ffe58a;}
"""


class App:
    """The state behind the interface: the assistant (model and index loaded once) and timings."""

    def __init__(self, assistant: Assistant, gate=None):
        """`gate` (`rag.users.Gate`): the users who may log in; None on this machine without users."""
        from rag.indexer import uploads_dir

        self.assistant = assistant
        self.gate = gate
        self.upload_dir = uploads_dir(assistant.collection.index_dir)
        self.lock = threading.Lock()  # one upload build at a time; questions keep being answered
        self.timings: list[float] = []

    # ------------------------------------------------------------ answering

    def answer(self, message: str, history, parties, doc, doc_type, since, until):
        """Chat handler: the answer as Markdown, and the passages panel as HTML."""
        started = time.perf_counter()
        try:
            answer = self.assistant.ask(message, k=5, parties=parties or [], doc_ids=[doc] if doc else [],
                                        types=[doc_type] if doc_type else [], since=since or None,
                                        until=until or None)
        except RagError as exc:
            return f"⚠️ {exc}", _passages_html(None)
        text, panel = answer.text, _passages_html(answer)
        self.timings.append(time.perf_counter() - started)
        return text, panel

    def ask_json(self, question: str, k: int = 5, parties: list[str] | None = None, doc_ids: list[str] | None = None,
                 types: list[str] | None = None, since: str | None = None, until: str | None = None) -> dict:
        """The API endpoint `/ask`: the answer in `rag ask --json`'s contract (question, answer, status,
        quotes, passages, others); a bad question or filter is an error with its one sentence."""
        try:
            answer = self.assistant.ask(question, k=int(k), parties=parties or [], doc_ids=doc_ids or [],
                                        types=types or [], since=since or None, until=until or None)
        except RagError as exc:
            raise gr.Error(str(exc)) from exc
        return json.loads(render_answer(answer, as_json=True))

    def from_link(self, request: gr.Request):
        """A link that asks (`?q=…&party=…`, party repeatable or comma-separated): the chat opens with
        that question answered, the party filter set; the lookup tab's `?lookup=…` fills the lookup.
        Returns updates for the chat, the passages panel, the party filter, the lookup box and its results."""
        params = request.query_params if request is not None else {}
        question = (params.get("q") or "").strip()
        parties = [p.strip() for value in (params.getlist("party") if hasattr(params, "getlist") else [])
                   for p in value.split(",") if p.strip()]
        lookup = (params.get("lookup") or "").strip()
        chat, panel, party = gr.update(), gr.update(), gr.update()
        if question:
            text, panel = self.answer(question, [], parties, None, None, "", "")
            chat = [{"role": "user", "content": question}, {"role": "assistant", "content": text}]
            party = gr.update(value=parties)
        results = self.lookup(lookup, parties) if lookup else [gr.update()] * LOOKUP_SLOTS
        return [chat, panel, party, gr.update(value=lookup) if lookup else gr.update(), *results]

    def export(self, history) -> str | None:
        """The conversation as a Markdown file (questions as headings, answers with their quotes and
        citations as shown); its path, for the download, or None when there is nothing yet."""
        import tempfile

        text = conversation_markdown(history or [])
        if not text:
            gr.Warning("Nog geen gesprek om te bewaren.")
            return None
        folder = Path(tempfile.mkdtemp(prefix="kamervragen-"))
        path = folder / f"kamervragen-{time.strftime('%Y%m%d-%H%M%S')}.md"
        path.write_text(text, encoding="utf-8")
        return str(path)

    def lookup(self, query: str, parties):
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
            updates.append(gr.update(visible=True, value=f"“{text}”\n— {citation(hit.chunk)}",
                                     label=f"{hit.rank}. {who(hit.chunk)} — score {hit.score:.2f}"))
        updates += [gr.update(visible=False, value="")] * (LOOKUP_SLOTS - len(updates))
        return updates

    # ------------------------------------------------------------ adding documents

    def add_documents(self, files, request: gr.Request = None, progress=gr.Progress()):
        """Copy uploaded files into the upload folder and index them; refused files say why. With users,
        only editors upload, and every upload is logged with user and time (`uploads/log.jsonl`)."""
        from rag.indexer import build_index

        user = getattr(request, "username", None)
        if self.gate is not None and not self.gate.is_editor(user):
            return "❌ Only editors may add documents."
        if not files:
            return "No files given."
        accepted, lines = [], []
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        for file in files:
            source = Path(getattr(file, "name", file))
            name = safe_name(source.name)
            size = source.stat().st_size if source.exists() else 0
            if source.suffix.lower() not in SUPPORTED:
                lines.append(f"❌ {source.name}: refused, type {source.suffix or '(none)'} is not one of "
                             f"{', '.join(SUPPORTED)}")
            elif size > MAX_UPLOAD_BYTES:
                lines.append(f"❌ {source.name}: refused, {size / 1e6:.1f} MB is over the "
                             f"{MAX_UPLOAD_BYTES // 1_000_000} MB limit")
            else:
                accepted.append((source, name))
        if not accepted:
            return _bullets(lines)
        if not self.lock.acquire(blocking=False):
            return _bullets(lines + ["⏳ Another upload is being indexed; try again when it is done."])
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
                progress(done / max(total, 1), desc=f"indexing {Path(path).name}" if path else "finishing")

            result = build_index(roots, collection.index_dir, embedder=collection.embedder, progress=report)
            self.assistant.reload()
        except RagError as exc:
            return _bullets(lines + [f"❌ Indexing failed, nothing already indexed was changed: {exc}"])
        finally:
            self.lock.release()
        skipped = {Path(p).name: why for p, why in result.skipped}
        for _, name in accepted:
            lines.append(f"❌ {name}: {skipped[name]}" if name in skipped else f"✅ {name}: indexed")
        lines.append(f"{result.documents} documents, {result.passages} passages in the index "
                     f"({result.embedded_passages} new passages embedded in {result.seconds:.1f} s).")
        return _bullets(lines)


def _bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


def safe_name(name: str) -> str:
    """A file name that stays inside the upload folder: no path parts, no leading dots or dashes."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip(" .-") or "upload"
    return base[:120]


def _passages_html(answer) -> str:
    if answer is None or not answer.hits:
        return "<p><em>No passages.</em></p>"
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
            who(c), c.section, c.title or c.doc_id, c.date or "", c.pages, f"score {hit.score:.2f}") if x)
        how = html.escape(f"Sprekers en partij: {c.attribution}", quote=True) if c.attribution else ""
        parts.append(f'<div class="passage"><div class="meta" title="{how}"><b>{hit.rank}.</b> {meta}</div>'
                     f'<p>{text}</p></div>')
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


def build_app(app: App) -> gr.Blocks:
    collection = app.assistant.collection
    docs = sorted((r.title[:80], r.doc_id) for r in collection.documents.values())
    types = sorted({r.doc_type for r in collection.documents.values()})
    parties = sorted({c.party for c in collection.chunks if c.party} | set(PARTIES))
    with gr.Blocks(title="Kamervragen", analytics_enabled=False) as demo:
        gr.Markdown("## Kamervragen — verbatim answers from parliamentary documents")
        with gr.Tab("Chat"):
            with gr.Row():
                with gr.Column(scale=3):
                    with gr.Accordion("Filters (apply to the next question)", open=False):
                        with gr.Row():
                            party = gr.Dropdown(parties, multiselect=True, label="Party", elem_id="filter-party")
                            doc = gr.Dropdown(docs, label="Document", value=None, elem_id="filter-doc")
                        with gr.Row():
                            doc_type = gr.Dropdown(types, label="Document type", value=None)
                            since = gr.Textbox(label="From (YYYY[-MM[-DD]])", max_lines=1)
                            until = gr.Textbox(label="Until (YYYY[-MM[-DD]])", max_lines=1)
                    passages = gr.HTML(render=False, elem_id="passages")
                    question = gr.Textbox(placeholder="Ask in English or Dutch…", elem_id="question",
                                          submit_btn=True, render=False)
                    chatbot = gr.Chatbot(height=520, elem_id="chat", buttons=["copy"])
                    gr.ChatInterface(
                        app.answer, additional_inputs=[party, doc, doc_type, since, until],
                        additional_outputs=[passages], analytics_enabled=False, api_visibility="private",
                        chatbot=chatbot, textbox=question,
                    )
                    gr.Examples(EXAMPLES, inputs=[question], label="Examples (click, then send)")
                    with gr.Row():
                        save = gr.Button("Download the conversation (Markdown)", elem_id="export-go", size="sm")
                        saved = gr.File(label="Conversation", elem_id="export-file", interactive=False)
                    save.click(app.export, chatbot, saved, api_visibility="private")
                with gr.Column(scale=2):
                    gr.Markdown("### Passages retrieved")
                    passages.render()
        with gr.Tab("Quick lookup"):
            with gr.Row():
                query = gr.Textbox(label="Search", placeholder="e.g. Oeganda transithub", scale=4,
                                   elem_id="lookup-query")
                lookup_party = gr.Dropdown(parties, multiselect=True, label="Party", scale=2)
                go = gr.Button("Search", variant="primary", scale=1, elem_id="lookup-go")
            slots = [gr.Textbox(visible=False, lines=4, buttons=["copy"], interactive=False,
                                elem_classes=["lookup-result"]) for _ in range(LOOKUP_SLOTS)]
            gr.on([go.click, query.submit], app.lookup, [query, lookup_party], slots, api_visibility="private")
        with gr.Tab("Add documents"):
            files = gr.File(file_count="multiple", label="PDF, XML, HTML or TXT files", elem_id="upload",
                            file_types=list(SUPPORTED))
            index_btn = gr.Button("Index these files", variant="primary", elem_id="upload-go")
            status = gr.Markdown(elem_id="upload-status")
            index_btn.click(app.add_documents, files, status, api_visibility="private")
        # Deep links: ?q=…&party=… asks in the chat, ?lookup=… searches in the quick lookup.
        demo.load(app.from_link, None, [chatbot, passages, party, query, *slots], api_visibility="private")
        # Scripts get one endpoint, the `rag ask --json` contract; the interface's own events are not API.
        gr.api(app.ask_json, api_name="ask")
    return demo


def launch(index_dir: Path | None = None, host: str = "127.0.0.1", port: int = 7860, rerank: str | None = None,
           users: Path | None = None):
    """Load the model and index once, then serve the app (blocking), and `rag ask` (rag.service). Beyond
    this machine only with users (`rag.users`); with users, always behind a login."""
    from rag.users import Gate, users_for, users_path

    assistant = Assistant(index_dir, rerank=rerank)
    known = users_for(host, users_path(assistant.collection.index_dir, users))
    gate = Gate(known) if known else None
    assistant.collection.query_vector("warm-up")  # load the model before the first question
    try:
        atexit.register(Service(assistant, render_answer).start().stop)  # Ctrl-C removes the socket too
    except RagError as exc:  # another service already answers `rag ask` for this index
        print(f"Not serving `rag ask`: {exc}", file=sys.stderr)
    app = App(assistant, gate)
    demo = build_app(app)
    demo.queue(default_concurrency_limit=4)
    demo.launch(server_name=host, server_port=port, share=False, show_error=False, css=CSS, quiet=False,
                footer_links=[], auth=gate, auth_message="Kamervragen: log in with your name and password.")
