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

from rag.parties import canonical_party, find_parties
from rag.types import Block

ASKED = re.compile(
    r"(?:Vragen|VRAGEN) (?:gesteld )?van (?:het lid|de leden|de heer|den heer|de heeren|de heren|mevrouw|mejuffrouw|"
    r"de dames?)\s+(?P<who>[^\n]{3,300}?)\s+(?:over|inzake|betreffende|be-\s?treffende|in verband met|naar aanleiding van|"
    r"met betrekking tot|omtrent|aangaande|ter zake van)\s")
# OCR can break the word after the askers ("betref fen-de"): then the askers end at their party.
ASKED_BY_PARTY = re.compile(
    r"(?:Vragen|VRAGEN) (?:gesteld )?van (?:het lid|de leden|de heer|den heer|de heeren|de heren|mevrouw|mejuffrouw|"
    r"de dames?)\s+(?P<who>[^\n()]{3,150}\((?![Il]n-?\s?gez)[^()\n]{1,30}\))")
# A written question's heading ends at "(Ingezonden", a line end or a sentence's full stop; not at an
# abbreviation's ("t.b.v. minderheidsgroepen", "(P. v. d. A.)", "nr. 12", "jl. bij").
_HEADING_END = re.compile(r"\s*\([Il]n-?\s?gez|(?<=[a-z)])(?<![\s.(][a-z])(?<!\bnr)(?<!\bblz)\.\s(?![a-z])|\n")


def heading(text: str, asked: re.Match) -> str:
    """The whole heading an `ASKED` match opens, on one line: "Vragen van het lid Van Traa (PvdA) over
    Zaïre", with the subject (the match itself ends at "over")."""
    whole = _HEADING_END.split(text[asked.start():asked.start() + 400])[0]
    return " ".join((whole if len(whole) >= asked.end() - asked.start() else text[asked.start():asked.end()]).split())


SUBMITTED = re.compile(r"\([Il]n-?\s?gez[^)]{0,40}\)")  # OCR reads "Ingezonden" as "lngezon-den" too
ANSWERED = re.compile(
    r"(?:Antwoord|ANTWOORD|Mededeling|MEDEDELING) van (?:de heer |mevrouw |mejuffrouw |de )?"
    r"(?P<who>[^()\n]{3,120}?)\s*(?:\((?P<dept>[^)]{0,120})\)|,\s*(?P<office>(?:[Mm]inister|[Ss]taatssecretaris)"
    r"[^\n(.]{0,160}))\.?\s*(?:\((?:Ontvangen|ontvangen|[Il]n-?\s?gez)[^)]{0,40}\)\.?)?")


def _numbered(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(number, offset) of the item numbers 1, 2, 3 … in text[start:end], in order, gaps allowed."""
    found: list[tuple[int, int]] = []
    pos, expected = start, 1
    while expected < 60:
        for n in (expected, expected + 1):
            m = re.compile(rf"(?:^|(?<=[\s.?!]))({n})\.?\s?(?=[A-Z«„\"'(])").search(text, pos, end)
            if m:
                found.append((n, m.start(1)))
                pos, expected = m.end(1), n + 1
                break
        else:
            break
    return found


def _items(text: str, start: int, end: int, role: str, party, speaker, first_from: int | None = None) -> list[Block]:
    """Numbered items of text[start:end] (numbers looked for from `first_from`); text before the
    first number opens the first item."""
    marks = _numbered(text, start if first_from is None else first_from, end)
    blocks = []
    if not marks:
        blocks.append(Block("paragraph", start, end, party, "", speaker, role, None))
    elif first_from is not None:
        marks[0] = (marks[0][0], start)
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


def _asked(text: str, pos: int):
    """The next "Vragen van … over" heading from `pos`, or one whose subject word OCR broke."""
    asked, by_party = ASKED.search(text, pos), ASKED_BY_PARTY.search(text, pos)
    if asked and by_party and asked.start() == by_party.start():
        # Both read the same heading: the party closes the askers only when the subject word that
        # ASKED found lies beyond it (OCR broke the first one).
        return by_party if by_party.end("who") < asked.end("who") else asked
    found = [m for m in (asked, by_party) if m]
    return min(found, key=lambda m: m.start()) if found else None


def split_questions_and_answers(text: str, blocks: list[Block]) -> list[Block]:
    """Blocks with each set of written questions and its answer replaced by numbered, linked items
    (an Aanhangsel page may hold several sets); other blocks unchanged."""
    sets = []
    pos = 0
    while True:
        asked = _asked(text, pos)
        if not asked:
            break
        submitted = SUBMITTED.search(text, asked.end(), asked.end() + 400)
        q_start = submitted.end() if submitted else asked.end()
        following = _asked(text, q_start)
        limit = following.start() if following else len(text)
        # Questions whose answer is not on these pages are still the askers' (answered = None).
        sets.append((asked, q_start, ANSWERED.search(text, q_start, limit), limit))
        pos = limit if following else len(text)
    if not sets:
        return blocks
    # Without any answer, only a heading that opens a paragraph (as in an Aanhangsel) is taken for
    # written questions: "Vragen van het lid X over …" in running text is somebody quoting them.
    if not any(answered for _, _, answered, _ in sets) and not all(
            asked.start() == 0 or text[asked.start() - 1] == "\n" or SUBMITTED.search(text, asked.end(), q_start + 1)
            for asked, q_start, _, _ in sets):
        return blocks
    out = [b for b in blocks if b.end <= sets[0][0].start()]
    for asked, q_start, answered, limit in sets:
        end = _before_furniture(blocks, q_start, limit)
        out.extend(_question_set(text, asked, q_start, answered if answered and answered.start() < end else None, end))
        out.extend(b for b in blocks if b.kind == "front" and end <= b.start and b.end <= limit)
    return out


def _before_furniture(blocks: list[Block], start: int, limit: int) -> int:
    """Where a set of questions that runs to `limit` ends before the page furniture closing it (the running foot,
    its page number, the printer's line): furniture is nobody's answer."""
    for block in sorted((b for b in blocks if start <= b.start and b.end <= limit), key=lambda b: b.start, reverse=True):
        if block.kind != "front":
            break
        limit = block.start
    return limit


_LABEL_ABOVE = re.compile(r"(?<=[\n?.!])[ \t]*(?:Antwoord|ANTWOORD)\s*\Z")


def _question_set(text: str, asked, q_start: int, answered, limit: int) -> list[Block]:
    who = asked.group("who")
    in_parens = (canonical_party(m.group(1)) for m in re.finditer(r"\((?:beiden\s+|allen\s+)?([^()]{1,30})\)", who))
    askers_party = next((p for p in in_parens if p), None) or next((p for p, _, _ in find_parties(who)), None)
    askers = re.sub(r"\s*,?\s+en\b", " en", re.sub(r"\s*\([^)]*\)\.?", ",", who)).strip(" ,.")
    section = heading(text, asked)
    asked_how = f"written questions: {section}" + ("" if askers_party else "; party not in the heading")
    # The heading ("Vragen van het lid X (Party) over …") is the askers' text too, and says what the
    # questions are about: it opens the first question's passage.
    asked_end = limit
    if answered:  # a column's label "Antwoord" on a line of its own above the answer's heading is the answer's
        label = _LABEL_ABOVE.search(text, max(asked.end(), answered.start() - 40), answered.start())
        asked_end = label.start() if label else answered.start()
    questions = _items(text, asked.start(), asked_end, "question", askers_party,
                       askers, first_from=q_start)
    out = [replace(b, section=section, speaker_role="member", attribution=asked_how) for b in questions]
    if answered:
        minister = " ".join(re.sub(r",\s*$", "", answered.group("who")).split())
        answer_how = f"answer: {' '.join(text[answered.start():answered.end()].split())[:120]}"
        answers = _items(text, answered.end(), limit, "answer", None, minister)
        for block in answers:
            for part, asks in _split_asking(text, block):
                if asks:  # the askers' question, set after the answer by the page's columns or quoted in it
                    out.append(replace(part, role="question", party=askers_party, speaker=askers, section=section,
                                       speaker_role="member", attribution=asked_how))
                else:
                    out.append(replace(part, section=section, speaker_role="minister", attribution=answer_how))
    return out


# A paragraph that asks the minister something in the third person is the askers' text, not the answer.
_ASKS_MINISTER = re.compile(r"(?:\d{1,2}\.?\s+)?(?:Is|Zijn|Ziet|Wil|Wilt|Kan|Acht|Deelt|Heeft|Bent|Hoe|Waarom|Wat|Welke|"
                            r"Op welke)\b[^\n]{0,200}?\b(?:de|den|het)\s+(?:Minister|Staatssecretaris|Regeering|Regering|"
                            r"Bewindsman)s?\b[^\n]*\?\s*$")


def _split_asking(text: str, block: Block) -> list[tuple[Block, bool]]:
    """The block's paragraphs in runs: (part, whether it asks the minister)."""
    parts: list[tuple[Block, bool]] = []
    pos = block.start
    for line in re.finditer(r"[^\n]+", text[block.start:block.end]):
        s, e = block.start + line.start(), block.start + line.end()
        asks = bool(_ASKS_MINISTER.fullmatch(line.group().strip()))
        if parts and parts[-1][1] == asks:
            parts[-1] = (replace(parts[-1][0], end=e), asks)
        else:
            parts.append((replace(block, start=pos if not parts else s, end=e), asks))
        pos = e
    if not parts or not any(asks for _, asks in parts):
        return [(block, False)]
    return [(_trimmed(text, part), asks) for part, asks in parts]
