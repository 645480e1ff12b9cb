"""The warm service: a process that keeps the model and the index loaded, so `rag ask` answers at once.

A fresh `rag ask` spends about 9 s importing torch and sentence-transformers and loading the
model before a 20 ms search. `rag serve` (and `rag ui`, which serves too) listens on a Unix
socket named after the index folder; `rag ask` sends its question there when the socket answers and
prints exactly what it would have printed itself; otherwise it answers in its own process.

The socket lives in a folder only this user can open (`$XDG_RUNTIME_DIR`, else
/tmp/kamervragen-<uid>, mode 0700): nothing outside this machine, and no other user on it, can
connect. One JSON line each way: the question and `Assistant.ask`'s options in, the printed text and
exit code out.
The service reopens the index when a build has replaced it, so it never answers from an old one.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import socketserver
import stat
import tempfile
import threading
from pathlib import Path

from rag.errors import RagError

MAX_REQUEST_BYTES = 1 << 20
CLIENT_TIMEOUT_S = 120.0


def socket_path(index_dir: Path | str) -> Path:
    """Where the service for this index folder listens."""
    base = os.environ.get("XDG_RUNTIME_DIR") or os.path.join(tempfile.gettempdir(), f"kamervragen-{os.getuid()}")
    from rag.store import is_remote

    # a Milvus index is the same wherever it is asked from; a folder is by its absolute path
    place = str(index_dir) if is_remote(index_dir) else str(Path(index_dir).resolve())
    key = hashlib.sha256(place.encode()).hexdigest()[:16]
    return Path(base) / f"kamervragen-{key}.sock"


def _private_folder(folder: Path) -> bool:
    """Whether `folder` exists (made if missing), belongs to this user and only this user can enter it."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return False
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)


def ask_service(index_dir: Path, request: dict) -> dict | None:
    """The service's reply {"output", "exit_code"} to `request`, or None when no service answers."""
    path = socket_path(index_dir)
    if not path.exists() or not _private_folder(path.parent):
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(CLIENT_TIMEOUT_S)
            conn.connect(str(path))
            conn.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")
            reply = conn.makefile("rb").readline(MAX_REQUEST_BYTES * 8)
        return json.loads(reply) if reply else None
    except (OSError, ValueError):
        return None  # no service, a stale socket, or a service that went away: answer locally


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(MAX_REQUEST_BYTES + 1)
        if not line or len(line) > MAX_REQUEST_BYTES:
            reply = {"output": "error: The request is too long.", "exit_code": 2, "stderr": True}
        else:
            try:
                reply = self.server.answer(json.loads(line))  # type: ignore[attr-defined]
            except (ValueError, TypeError) as exc:
                reply = {"output": f"error: Bad request ({exc}).", "exit_code": 2, "stderr": True}
        self.wfile.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class Service:
    """Answers `rag ask` requests for one assistant on its index's socket, in a background thread."""

    def __init__(self, assistant, render):
        """`render(answer, as_json) -> str` is what `rag ask` prints for an answer."""
        self.assistant = assistant
        self.render = render
        self.path = socket_path(assistant.collection.index_dir)
        self._lock = threading.Lock()
        self._server: _Server | None = None

    def answer(self, request: dict) -> dict:
        if request.get("rerank", "none") != self.assistant.rerank:
            return {"fallback": True}  # asked for another reranker: `rag ask` answers it itself
        with self._lock:  # a reload must not happen under a running question
            try:
                if not self.assistant.collection.is_current():
                    self.assistant.reload()
            except RagError:
                pass  # the index went missing or bad: the question below reports it
        try:  # options: Assistant.ask's keywords (k, parties, doc_ids, types, since, until)
            answer = self.assistant.ask(request["question"], **request.get("options", {}))
        except RagError as exc:
            return {"output": f"error: {exc}", "exit_code": exc.exit_code, "stderr": True}
        return {"output": self.render(answer, bool(request.get("json"))), "exit_code": 0, "stderr": False}

    def start(self) -> "Service":
        """Listen (in a daemon thread); refuses when another live service holds the socket."""
        if not _private_folder(self.path.parent):
            raise RagError(f"The folder {self.path.parent} for the service socket is not private to this user; "
                           f"remove it or set XDG_RUNTIME_DIR to a private folder.")
        if self.path.exists():
            if ask_service(self.assistant.collection.index_dir, {"ping": True}) is not None:
                raise RagError(f"A service for the index at {self.assistant.collection.index_dir} is already "
                               f"running; `rag ask` uses it.")
            self.path.unlink()  # left by a service that was killed
        server = _Server(str(self.path), _Handler)
        os.chmod(self.path, 0o600)
        server.answer = self._answer_or_ping  # type: ignore[attr-defined]
        self._server = server
        threading.Thread(target=server.serve_forever, name="rag-service", daemon=True).start()
        return self

    def _answer_or_ping(self, request: dict) -> dict:
        if request.get("ping"):
            return {"output": "", "exit_code": 0, "stderr": False}
        return self.answer(request)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            try:
                self.path.unlink()
            except FileNotFoundError:
                pass
