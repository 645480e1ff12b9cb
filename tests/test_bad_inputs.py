"""Bad input to `rag index`: every kind is skipped with a one-line reason in the build summary (or,
for other encodings, read correctly), and none stops the rest of the build.

One real build (the `rag index` command, as a user runs it) over a folder made here of every kind
of bad file named in the issue, beside a good one. Uploads go through the same reader; their own
limits (type, size, names that try to leave the upload folder) are tested in test_ui.py.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import BUNDLED, REPO

from rag.ingest import MAX_FILE_BYTES

GOOD = "De leden van de SP-fractie vragen naar de zeehondencreche in Pieterburen. Wanneer komt de brief?\n"


def _encrypted_pdf(path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(BUNDLED / "besluitenlijst_example4.pdf").pages:
        writer.add_page(page)
    writer.encrypt("geheim")
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())


def _bad_corpus(folder: Path) -> dict[str, str | None]:
    """Writes the files; returns name → the start of the reason expected (None: indexed)."""
    folder.mkdir(parents=True)
    real_pdf = (BUNDLED / "besluitenlijst_example4.pdf").read_bytes()
    files: dict[str, bytes] = {
        "goed.txt": GOOD.encode(),
        "leeg.txt": b"",
        "alleen-witruimte.txt": b" \n\t \n",
        "rommel.pdf": os.urandom(4096),
        "rommel.xml": os.urandom(4096),
        "afgekapt.pdf": real_pdf[: len(real_pdf) // 3],
        "kapot.pdf": real_pdf[:200] + os.urandom(2000) + real_pdf[-400:],
        "cp1252.txt": "De leden van de CDA-fractie vragen naar de financiële gevolgen – en de coördinatie.".encode("cp1252"),
        "latin1.txt": "De leden van de VVD-fractie vragen naar de privé-scholen in Zuid-Holland.".encode("latin-1"),
        "bom.xml": (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
                               for i in range(1, 10))
                    + b']><handelingen><lolz>&lol9;</lolz></handelingen>'),
        "extern.xml": (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                       b'<handelingen><tekst>&xxe;</tekst></handelingen>'),
        "diep.xml": b"<handelingen>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</handelingen>",
        " spaties in de naam .txt": GOOD.replace("SP", "PVV").encode(),
        "-begint-met-streep.txt": GOOD.replace("SP", "D66").encode(),
        "ünïcödé ✓ naam.txt": GOOD.replace("SP", "BBB").encode(),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    _encrypted_pdf(folder / "versleuteld.pdf")
    with (folder / "te-groot.txt").open("wb") as f:  # sparse: no 50 MB written
        f.truncate(MAX_FILE_BYTES + 1)
    (folder / "lus").symlink_to(folder)
    (folder / "weg.txt").symlink_to(folder / "bestaat-niet.txt")
    (folder / "geheim.txt").write_text(GOOD)
    (folder / "geheim.txt").chmod(0)
    return {
        "goed.txt": None, "cp1252.txt": None, "latin1.txt": None, " spaties in de naam .txt": None,
        "-begint-met-streep.txt": None, "ünïcödé ✓ naam.txt": None,
        "leeg.txt": "file is empty", "alleen-witruimte.txt": "", "rommel.pdf": "", "rommel.xml": "",
        "afgekapt.pdf": "", "kapot.pdf": "", "versleuteld.pdf": "", "bom.xml": "", "extern.xml": "",
        "diep.xml": "", "te-groot.txt": "file is larger than 50 MB", "lus": "symbolic link to a folder",
        "weg.txt": "broken symbolic link", "geheim.txt": "",
    }


def _run_index(folder: Path, index: Path, home: Path) -> subprocess.CompletedProcess:
    """`rag index` as a user would run it; as root, as the unprivileged user nobody, so that a file
    without read permission is unreadable (root reads everything)."""
    env = {**os.environ, "RAG_MODEL": "fake:64", "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache"),
           "NUMBA_CACHE_DIR": str(home / "numba"), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "rag.cli", "index", str(folder), "--index", str(index), "--quiet"]
    if os.getuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        why = _cannot_run_this_checkout(nobody, env, home)
        if why:
            pytest.skip(f"the unprivileged user nobody cannot run this checkout ({REPO}): {why}; clone it where "
                        f"other users may enter the folders (e.g. not inside a 0700 temporary folder)")
        cmd = [*nobody, *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, cwd=str(home))


def _cannot_run_this_checkout(prefix: list[str], env: dict, home: Path) -> str | None:
    """Why `prefix` (another user) cannot import this checkout's `rag` with this Python, or None."""
    probe = subprocess.run([*prefix, sys.executable, "-c", "import rag.cli; print(rag.cli.__file__)"],
                           capture_output=True, text=True, env=env, timeout=120, cwd=str(home))
    if probe.returncode != 0:
        return (probe.stderr.strip().splitlines() or ["it exits with " + str(probe.returncode)])[-1]
    if not Path(probe.stdout.strip()).resolve().is_relative_to(REPO.resolve()):
        return f"it imports rag from {probe.stdout.strip()}, not from the checkout"
    return None


@pytest.fixture(scope="module")
def built():
    # Not pytest's tmp_path: its folders are private to root, and the build may run as nobody.
    root = Path(tempfile.mkdtemp(prefix="rag-bad-inputs-"))
    try:
        root.chmod(0o777)
        expected = _bad_corpus(root / "corpus")
        home = root / "home"
        home.mkdir()
        home.chmod(0o777)
        result = _run_index(root / "corpus", root / "index", home)
        yield expected, result, root / "index"
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_the_build_finishes_and_indexes_every_good_file(built):
    expected, result, index = built
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    manifest = json.loads((index / "builds" / (index / "CURRENT").read_text().strip() / "manifest.json").read_text())
    indexed = {Path(doc["source"]).name for doc in manifest["documents"].values()}
    assert indexed == {name for name, reason in expected.items() if reason is None}


def test_every_bad_file_gets_one_line_with_its_reason(built):
    expected, result, _ = built
    lines = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    reasons = {}
    for line in lines:
        path, _, reason = line.removeprefix("skipped ").partition(": ")
        reasons[Path(path).name] = reason
    bad = {name: reason for name, reason in expected.items() if reason is not None}
    assert set(reasons) == set(bad), result.stderr
    for name, start in bad.items():
        assert reasons[name].startswith(start) and reasons[name].strip(), (name, reasons[name])
    assert "permission" in reasons["geheim.txt"].lower() or "readable" in reasons["geheim.txt"].lower()
    assert "encrypt" in reasons["versleuteld.pdf"].lower()
    summary = result.stdout.strip().splitlines()[-1]
    assert f"{len(bad)} skipped" in summary


def test_other_encodings_are_read_not_skipped(built):
    _, _, index = built
    text = (index / "builds" / (index / "CURRENT").read_text().strip() / "chunks.jsonl").read_text(encoding="utf-8")
    assert "financiële gevolgen – en de coördinatie" in text
    assert "privé-scholen" in text
    assert "root:" not in text and "lollol" not in text  # no entity was expanded or fetched
