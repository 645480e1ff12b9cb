"""Written questions with their answers (Aanhangsel van de Handelingen): numbered questions and
answers as separate blocks, linked by number (`Block.qa`), questions carrying the askers' party.

    Vragen van het lid Oedayraj Singh Varma (GroenLinks) over … (Ingezonden 10 november 1994)
    1 Bestaat tandheelkundig amalgaam … ? 2 …
    Antwoord van minister Borst-Eilers (Volksgezondheid …). (Ontvangen 22 december 1994)
    1 Ja, … 2 …

OCR of two-column pages can put parts out of order; numbers are matched in sequence, so a stray
part stays with the item before it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.parties import find_parties
from rag.types import Block

ASKED = re.compile(r"Vragen (?:gesteld )?van (?:het lid|de leden) (?P<who>.{3,200}?)\s+(?:over|inzake|betreffende)\s")
SUBMITTED = re.compile(r"\([Il]ngez[^)]{0,40}\)")  # OCR reads "Ingezonden" as "lngezon-den" too
ANSWERED = re.compile(r"(?:Antwoord|Mededeling) van (?:de )?(?P<who>[^()]{3,120}?)\s*\((?P<dept>[^)]{0,120})\)"
                      r"\.?\s*(?:\((?:Ontvangen|ontvangen)[^)]{0,40}\))?")


def _numbered(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(number, offset) of the item numbers 1, 2, 3 … in text[start:end], in order, gaps allowed."""
    found: list[tuple[int, int]] = []
    pos, expected = start, 1
    while expected < 60:
        for n in (expected, expected + 1):
            m = re.compile(rf"(?:^|(?<=[\s.?!]))({n})\s?(?=[A-Z«„\"'(])").search(text, pos, end)
            if m:
                found.append((n, m.start(1)))
                pos, expected = m.end(1), n + 1
                break
        else:
            break
    return found


def _items(text: str, start: int, end: int, role: str, party, speaker) -> list[Block]:
    marks = _numbered(text, start, end)
    blocks = []
    if not marks:
        blocks.append(Block("paragraph", start, end, party, "", speaker, role, None))
    elif text[start:marks[0][1]].strip():
        blocks.append(Block("paragraph", start, marks[0][1], party, "", speaker, role, None))
    for (n, s), (_, e) in zip(marks, marks[1:] + [(0, end)]):  # an empty zip when there are no marks
        blocks.append(Block("paragraph", s, e, party, "", speaker, role, n))
    return [_trimmed(text, b) for b in blocks if text[b.start:b.end].strip()]


def _trimmed(text: str, block: Block) -> Block:
    s, e = block.start, block.end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return replace(block, start=s, end=e)


def split_questions_and_answers(text: str, blocks: list[Block]) -> list[Block]:
    """Blocks with the question and answer part replaced by numbered, linked items (else unchanged)."""
    asked = ASKED.search(text, 0, 3000)
    if not asked:
        return blocks
    submitted = SUBMITTED.search(text, asked.end(), asked.end() + 400)
    q_start = submitted.end() if submitted else asked.end()
    answered = ANSWERED.search(text, q_start)
    if not answered:
        return blocks
    who = asked.group("who")
    askers_party = next((p for p, _, _ in find_parties(who)), None)
    askers = re.sub(r"\s*\([^)]*\)", "", who).strip()
    minister = " ".join(answered.group("who").split())
    head = [b for b in blocks if b.end <= asked.start()]
    header = Block("heading", asked.start(), q_start, askers_party, "", askers)
    questions = _items(text, q_start, answered.start(), "question", askers_party, askers)
    answers = _items(text, answered.end(), len(text), "answer", None, minister)
    section = text[asked.start():asked.end()].strip()
    return head + [_trimmed(text, header)] + [replace(b, section=section) for b in questions + answers]
