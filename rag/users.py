"""Who may use a shared `rag ui`: a users file of names, argon2 password hashes and roles.

`rag ui` on any address beyond this machine refuses to start without users (`rag users add NAME`);
with users, every page, file and API call needs a login. Editors may also upload documents. Failed
logins are limited per name (MAX_FAILURES in WINDOW_S seconds), so passwords cannot be tried fast.
The file lives beside the index (`<index>/users.json`) unless `--users` / `$RAG_USERS` names another;
it is written atomically and readable by its owner only.
"""

from __future__ import annotations

import ipaddress
import json
import os
import threading
import time
from pathlib import Path

from rag.errors import RagError

MAX_FAILURES = 5
WINDOW_S = 60.0


def users_path(index_dir: Path | str, given: Path | None = None) -> Path:
    """`given`, else $RAG_USERS, else users.json in the index folder; an index served from Milvus
    (`milvus://…`, no folder) keeps them in the user's configuration folder."""
    from rag.store import is_remote

    if given or os.environ.get("RAG_USERS"):
        return Path(given or os.environ["RAG_USERS"])
    if is_remote(index_dir):
        config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        return config / "kamervragen" / "users.json"
    return Path(index_dir) / "users.json"


def load_users(path: Path) -> dict[str, dict]:
    """name → {"hash", "editor"}; an empty dict when the file does not exist."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise RagError(f"The users file {path} cannot be read ({exc}); fix or remove it.") from exc


def add_user(path: Path, name: str, password: str, editor: bool = False) -> None:
    """Add (or replace) a user; the password is stored only as its argon2 hash."""
    from argon2 import PasswordHasher

    name = name.strip()
    if not name or any(c.isspace() for c in name):
        raise RagError("A user name is one word, without spaces.")
    if len(password) < 10:
        raise RagError("A password needs at least 10 characters.")
    users = load_users(path)
    users[name] = {"hash": PasswordHasher().hash(password), "editor": bool(editor)}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(users, indent=2), encoding="utf-8")
    tmp.chmod(0o600)
    os.replace(tmp, path)


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def users_for(host: str, path: Path) -> dict[str, dict]:
    """The users of `path`; an error saying what to run when `host` is beyond this machine and there
    are none."""
    users = load_users(path)
    if not is_loopback(host) and not users:
        raise RagError(f"Serving on {host} (beyond this machine) needs users who log in; add them with "
                       f"`rag users add NAME [--editor]` (users file: {path}), or serve on 127.0.0.1.")
    return users


class Gate:
    """Checks logins against the users file, limiting failed attempts per name."""

    def __init__(self, users: dict[str, dict]):
        self.users = users
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def __call__(self, name: str, password: str) -> bool:
        from argon2 import PasswordHasher
        from argon2.exceptions import InvalidHashError, VerificationError

        now = time.monotonic()
        with self._lock:
            recent = [t for t in self._failures.get(name, []) if now - t < WINDOW_S]
            self._failures[name] = recent
            if len(recent) >= MAX_FAILURES:
                return False  # too many failures lately: refused whatever the password
        user = self.users.get(name)
        try:
            ok = user is not None and PasswordHasher().verify(user["hash"], password)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            with self._lock:
                self._failures.setdefault(name, []).append(now)
        return ok

    def is_editor(self, name: str | None) -> bool:
        return bool(name and self.users.get(name, {}).get("editor"))
