"""Seeded random draws from the historic papers of ../shared/corpus, for labelling.

    python eval/draw_samples.py [--corpus ../shared/corpus] [--seed 12] [--out eval/samples]

Writes eval/samples/historic-docs.tsv (documents to write questions on, each with a random anchor
offset in the file: the question is written about the text at the anchor) and
eval/samples/attribution-draw.jsonl (passages to label with their speaker and party).

Nothing is chosen by what the parser reads: documents and lines are drawn uniformly. Stratum "any"
draws from every historic paper; stratum "named" from the papers whose raw text names a party or a
member somewhere (a broad pattern, not the parser's), with the anchor at a random such mention, so
that half the questions can name a party or member as users do.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
NAMED = re.compile(r"fractie|\b(?:het lid|de leden|De heer|Mevrouw)\b|\((?:[A-Z][A-Za-z.'’ ]{1,12}|D'?66)\)")
# Stratum "contribution": where a member or a party's members take the floor, as a reader sees it.
CONTRIBUTION = re.compile(r"[Dd]e leden van de \S+[ -]?fractie|(?:De heer|Mevrouw) [A-Z][\w-]+(?: [A-Z][\w-]+)? \(|"
                          r"(?:Vragen|VRAGEN) van (?:het lid|de leden|de heer)|(?:MOTIE|AMENDEMENT|Motie|Amendement) van "
                          r"(?:het lid|HET LID|de leden|DE LEDEN|de heer)")


def _files(corpus: Path) -> list[Path]:
    return sorted((corpus / "sgd").glob("*.txt"))


def draw_documents(files: list[Path], rng: random.Random, n_any: int, n_named: int,
                   pattern: re.Pattern = NAMED, stratum: str = "named") -> list[dict]:
    rows = []
    for path in rng.sample(files, n_any):
        text = path.read_text(encoding="utf-8", errors="replace")
        rows.append({"stratum": "any", "file": f"sgd/{path.name}", "anchor": rng.randrange(max(len(text), 1))})
    taken = {r["file"] for r in rows}
    named = []
    for path in files:
        if f"sgd/{path.name}" in taken:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits = [m.start() for m in pattern.finditer(text)]
        if hits:
            named.append((path, hits))
    for path, hits in rng.sample(named, n_named):
        rows.append({"stratum": stratum, "file": f"sgd/{path.name}", "anchor": rng.choice(hits)})
    return rows


def draw_lines(files: list[Path], rng: random.Random, n: int) -> list[dict]:
    """`n` lines drawn uniformly among all lines with at least 20 letters, with their file offset."""
    population = []
    for path in files:
        offset = 0
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.split("\n"), 1):
            if sum(c.isalpha() for c in line) >= 20:
                population.append((path, number, offset, line))
            offset += len(line) + 1
    out = []
    for path, number, offset, line in sorted(rng.sample(population, n), key=lambda x: (x[0].name, x[1])):
        out.append({"file": f"sgd/{path.name}", "line": number, "offset": offset, "text": line})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=HERE.parent.parent / "shared" / "corpus")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--any", type=int, default=50)
    parser.add_argument("--named", type=int, default=40)
    parser.add_argument("--lines", type=int, default=320)
    parser.add_argument("--more-named", type=int, default=30,
                        help="a second 'named' draw (seed + 2), appended: questions that must name a party or member")
    parser.add_argument("--contributions", type=int, default=30,
                        help="a 'contribution' draw (seed + 3), appended: anchors where a member or party speaks")
    parser.add_argument("--out", type=Path, default=HERE / "samples", help="the folder the draws are written to")
    args = parser.parse_args()
    files = _files(args.corpus)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    docs = draw_documents(files, random.Random(args.seed), args.any, args.named)
    if args.more_named:
        taken = {d["file"] for d in docs}
        more = [d for d in draw_documents(files, random.Random(args.seed + 2), 0, args.more_named + len(taken))
                if d["file"] not in taken]
        docs += more[:args.more_named]
    if args.contributions:
        taken = {d["file"] for d in docs}
        more = [d for d in draw_documents(files, random.Random(args.seed + 3), 0, args.contributions + len(taken),
                                          CONTRIBUTION, "contribution") if d["file"] not in taken]
        docs += more[:args.contributions]
    with (out / "historic-docs.tsv").open("w", encoding="utf-8") as f:
        f.write("n\tstratum\tfile\tanchor\n")
        for i, row in enumerate(docs, 1):
            f.write(f"{i}\t{row['stratum']}\t{row['file']}\t{row['anchor']}\n")
    lines = draw_lines(files, random.Random(args.seed + 1), args.lines)
    with (out / "attribution-draw.jsonl").open("w", encoding="utf-8") as f:
        for i, row in enumerate(lines, 1):
            f.write(json.dumps({"id": f"at-{i:03d}", **row}, ensure_ascii=False) + "\n")
    print(f"{len(docs)} documents, {len(lines)} lines drawn (seed {args.seed}) into {out}")


if __name__ == "__main__":
    main()
