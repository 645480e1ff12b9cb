"""A load test of the chat interface on loopback: N concurrent sessions asking questions for a fixed
time, each through its own Gradio client; bounded in sessions and time, stopping by itself.

Only loopback addresses are accepted as targets.
"""

from __future__ import annotations

import ipaddress
import statistics
import threading
import time
from urllib.parse import urlparse

from rag.errors import RagError


def _loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    try:
        ok = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = False
    if not ok:
        raise RagError(f"The load test only targets this machine (127.0.0.1 or localhost), not {host!r}.")


def run_load(url: str, questions: list[str], sessions: int = 20, seconds: float = 60.0) -> dict:
    """Requests, errors and latency percentiles of `sessions` clients asking for `seconds`."""
    _loopback(url)
    if not 1 <= sessions <= 100 or not 0 < seconds <= 600:
        raise RagError("Use 1-100 sessions for at most 600 seconds.")
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def session(n: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # noqa: BLE001 - every failure is counted, none stops the test
            with lock:
                errors.append(f"connect: {exc}")
            return
        i = n
        while time.monotonic() < deadline:
            question = questions[i % len(questions)]
            i += sessions
            started = time.perf_counter()
            try:
                reply = client.predict(question, 5, api_name="/ask")  # the app's one API endpoint
                text = reply.get("answer") if isinstance(reply, dict) else reply
                ok = isinstance(text, str) and bool(text)
            except Exception as exc:  # noqa: BLE001
                ok, text = False, str(exc)
            with lock:
                latencies.append(time.perf_counter() - started)
                if not ok:
                    errors.append(str(text)[:200])

    threads = [threading.Thread(target=session, args=(n,), daemon=True) for n in range(sessions)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 120)
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * (len(ordered) - 1)))] if ordered else None
    return {"sessions": sessions, "seconds": round(elapsed, 1), "requests": len(latencies), "errors": len(errors),
            "error_examples": errors[:3], "requests_per_s": round(len(latencies) / elapsed, 2),
            "p50_ms": round(1000 * statistics.median(ordered), 1) if ordered else None,
            "p95_ms": round(1000 * p95, 1) if p95 is not None else None}
