"""Layout: pages of lines (text extracted from PDF, OCR) → raw blocks, footnotes, vocabulary.

The rules follow the layout of Kamerstukken as text extracted from PDF (the core document):
- footnotes stand at the bottom of a page, numbered in sequence through the document, each cited by
  a marker glued to the body text ("Griekenland.1 Kan"); the long URLs in them may repeat after a
  blank line. They are taken out of the body and kept as `Note`s; their markers are removed.
- a paragraph cut by a page break (and by the footnote block before it) is joined again;
- "Inbreng van de leden van de X-fractie" opens party X's contribution; "I Vragen …", "II Reactie
  van de minister …" open parts; a short line that ends early without punctuation and is followed
  by a capitalised line opens a subsection ("Solidariteitspool", "Werksessie II – … om\\n…voorkomen");
- a word hyphenated at a line end is repaired only where the hyphen is a line-break artefact.
OCR text without wrapping (one paragraph per line, as in the historic papers) keeps each line as a
paragraph, and a footnote there is the single line that starts with the next note number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.types import Note
PARTY_HEADING = re.compile(r"^\s*Inbreng van (?:de leden van )?de (?P<party>\S.*?)[\s-]*fractie\s*$", re.IGNORECASE)
PART_HEADING = re.compile(r"^\s*(?P<numeral>I{1,3}|IV|VI{0,3}|IX|X)\.?\s+(?P<title>[A-Z][^.?!]{3,100})$")
NOTE_LINE = re.compile(r"^\s*(?P<n>\d{1,3})\s+\S")
URL_LINE = re.compile(r"^\s*https?://\S+\s*$")
SENTENCE_END = re.compile(r"[.?!:;…]['\"’”)]*$")
VOWELS = set("aeiouyáéíóúàèëïöüäâêîôû")
# Private-use characters mark a footnote citation inside a body line until the text is assembled.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
MAX_HEADING_WORDS = 16
# A heading does not end in a word that needs a continuation; a wrapped body line often does.
FUNCTION_WORDS = set(
    "de het een van en in op voor met tot om te dat die of aan bij als door naar over uit is zijn "
    "wordt worden heeft hebben ook niet nog maar dan the of and to a an for with".split()
)


@dataclass
class Line:
    page: int
    text: str


# ---------------------------------------------------------------- footnotes


def _marker_pattern(n: int) -> re.Pattern:
    # A citation is the number glued to a word or punctuation and followed by a space, a
    # punctuation mark or the line end ("Griekenland.1 Kan", "Financiën1, belast").
    # Not after an opening bracket: "(1 december 1989)" is a date, not a citation.
    return re.compile(rf"(?<=[^\s\d(\[]){n}(?=[\s,;:)]|\.\s|$)")


def _split_notes(pages, single_lines: bool = False) -> tuple[list[list[Line]], list[Note]]:
    """Take footnote blocks off the page bottoms; mark their citations in the body lines.

    A citation may stand on an earlier page than its note, so citations are looked up in all
    body text so far, after the previous citation.
    """
    bodies: list[list[Line]] = []
    notes: list[Note] = []
    seen: list[Line] = []  # body lines so far, in order
    cursor = 0  # index in `seen` of the line holding the latest citation
    for page in pages:
        lines = [Line(page.number, line) for line in page.lines]
        if single_lines:
            body = []
            for i, line in enumerate(lines):
                m = NOTE_LINE.match(line.text)
                n = len(notes) + 1
                found = _cite(seen[cursor:] + body, n, mark=True) if m and int(m.group("n")) == n and \
                    _reads_as_note(line.text, lines[i + 1:]) else None
                if found is None:
                    body.append(line)
                    continue
                notes.append(Note(n, line.text[m.end("n"):].strip(), page.number, -1))
            seen.extend(body)
            bodies.append(body)
            continue
        expected = len(notes) + 1
        start = None
        for i, line in enumerate(lines):
            m = NOTE_LINE.match(line.text)
            if m and int(m.group("n")) == expected and _cite(seen[cursor:] + lines[:i], expected) is not None:
                start = i
                break
        body = lines if start is None else lines[:start]
        seen.extend(body)
        bodies.append(body)
        if start is None:
            continue
        for note in _parse_note_block([line.text for line in lines[start:]], expected, page.number):
            found = _cite(seen[cursor:], note.number, mark=True)
            if found is not None:
                cursor += found
            notes.append(note)
    return bodies, notes


# What may follow a footnote on its page: more notes, or page furniture (a running foot, a page number).
FOOT_FURNITURE_CHARS = 80
# A note above body text (OCR puts some between a question and its answer) is at most this long.
NOTE_MID_PAGE_CHARS = 250


def _reads_as_note(text: str, after: list[Line]) -> bool:
    """Whether a numbered line of an OCR'd paper (one paragraph per line) reads as a footnote: at its page's
    foot (only numbered lines or furniture below it), or short and not a question ("1 Bedoeld wordt hier de
    rapportage, …" between a member's questions and the answer). Not "1 Marie Raphaël … 4 Nicolas Antonio
    Pina …", a law's list of the naturalised with body text below it (a stray "1" glued to "van1" above
    looked like its citation), nor a member's numbered question."""
    if all(NOTE_LINE.match(line.text) or len(line.text.strip()) < FOOT_FURNITURE_CHARS for line in after):
        return True
    return len(text.strip()) < NOTE_MID_PAGE_CHARS and not text.rstrip().endswith("?")


def _cite(lines: list[Line], n: int, mark: bool = False) -> int | None:
    """Index in `lines` of the first citation of note n, or None; `mark` wraps it in markers."""
    pattern = _marker_pattern(n)
    for index, line in enumerate(lines):
        m = pattern.search(line.text)
        if m:
            if mark:
                line.text = f"{line.text[:m.start()]}{MARK_OPEN}{n}{MARK_CLOSE}{line.text[m.end():]}"
            return index
    return None


def _parse_note_block(lines: list[str], first: int, page: int) -> list[Note]:
    texts: list[list[str]] = []
    for raw in lines:
        line = raw.strip()
        m = NOTE_LINE.match(line)
        if m and int(m.group("n")) == first + len(texts):
            texts.append([line[m.end("n"):].strip()])
        elif line and texts:
            if URL_LINE.match(line) and line in _joined(texts):
                continue  # the extraction repeats long URLs after the notes
            texts[-1].append(line)
    return [Note(first + i, _join_note(parts), page, -1) for i, parts in enumerate(texts)]


def _joined(texts: list[list[str]]) -> str:
    """All note lines run together, so a URL broken over lines reads whole."""
    return "".join("".join(parts) for parts in texts)


def _join_note(parts: list[str]) -> str:
    out = parts[0]
    for part in parts[1:]:
        # URLs broken at a hyphen or slash continue without a space.
        out += part if re.search(r"https?://\S*[-/]$", out) else " " + part
    return out


# ---------------------------------------------------------------- paragraphs


def _paragraphs(bodies: list[list[Line]]) -> list[list[Line]]:
    """Blank-line separated paragraphs; one cut by a page break is joined to its continuation."""
    paragraphs: list[list[Line]] = []
    for page_index, lines in enumerate(bodies):
        page_paras: list[list[Line]] = []
        current: list[Line] = []
        for line in lines:
            if line.text.strip():
                current.append(line)
            elif current:
                page_paras.append(current)
                current = []
        if current:
            page_paras.append(current)
        if page_paras and paragraphs and page_index > 0 and _continues(paragraphs[-1], page_paras[0]):
            paragraphs[-1].extend(page_paras.pop(0))
        paragraphs.extend(page_paras)
    return paragraphs


def _continues(before: list[Line], after: list[Line]) -> bool:
    last, first = before[-1].text.strip(), after[0].text.strip()
    if before[-1].page == after[0].page:
        return False
    if PARTY_HEADING.match(first) or PART_HEADING.match(first) or PARTY_HEADING.match(last):
        return False
    return first[:1].islower() or not SENTENCE_END.search(last)


# ---------------------------------------------------------------- blocks


@dataclass
class RawBlock:
    kind: str
    lines: list[Line]


def _line_width(bodies: list[list[Line]]) -> int:
    lengths = sorted(len(line.text.rstrip()) for lines in bodies for line in lines if line.text.strip())
    return lengths[int(len(lengths) * 0.9)] if lengths else 80


def _ends_early(line: str, next_line: str, width: int) -> bool:
    """A line that stops although the next line's first word would have fitted on it."""
    next_word = next_line.split()[0] if next_line.split() else ""
    return len(line.rstrip()) + 1 + len(next_word) < width - 5


def _split_headings(para: list[Line], width: int) -> list[RawBlock]:
    blocks: list[RawBlock] = []
    rest = list(para)
    while rest:
        for i, line in enumerate(rest):
            if PARTY_HEADING.match(line.text) or PART_HEADING.match(line.text):
                if i:
                    blocks.extend(_leading_heading(rest[:i], width))
                kind = "party" if PARTY_HEADING.match(line.text) else "part"
                blocks.append(RawBlock(kind, [line]))
                rest = rest[i + 1:]
                break
        else:
            blocks.extend(_leading_heading(rest, width))
            rest = []
    return blocks


def _leading_heading(lines: list[Line], width: int) -> list[RawBlock]:
    """Split off a subheading of one or two lines at the top of a paragraph, if there is one."""
    texts = [line.text.strip() for line in lines]
    if len(lines) == 1:
        text = texts[0]
        if not SENTENCE_END.search(text) and not text.endswith(",") and len(text.split()) <= MAX_HEADING_WORDS \
                and text[:1].isupper() and len(text) < width * 0.8:
            return [RawBlock("heading", lines)]
        return [RawBlock("paragraph", lines)]
    for j in range(min(2, len(lines) - 1)):
        head = " ".join(texts[: j + 1])
        if SENTENCE_END.search(texts[j]) or texts[j].endswith(",") or len(head.split()) > MAX_HEADING_WORDS:
            break
        if re.search(r"[.?!]\s", head) or not head[:1].isupper():
            break
        last_word = texts[j].split()[-1].lower() if texts[j].split() else ""
        if _ends_early(lines[j].text, texts[j + 1], width) and texts[j + 1][:1].isupper() \
                and last_word not in FUNCTION_WORDS:
            return [RawBlock("heading", lines[: j + 1]), RawBlock("paragraph", lines[j + 1:])]
        if _ends_early(lines[j].text, texts[j + 1], width):
            break
    return [RawBlock("paragraph", lines)]


# ---------------------------------------------------------------- text assembly


def _vocabulary(bodies: list[list[Line]]) -> set[str]:
    words: set[str] = set()
    for lines in bodies:
        for line in lines:
            words.update(w.lower() for w in re.findall(r"\w+(?:-\w+)*", line.text))
    return words


def _join_lines(left: str, right: str, vocabulary: set[str]) -> tuple[str, int]:
    """Join two lines of one paragraph, repairing a hyphenation only where it is an artefact.

    Returns the joined text and the offset at which `right` begins in it.
    """
    m_left = re.search(r"(\w+)-$", left)
    m_right = re.match(r"(\w+)", right)
    if not (m_left and m_right):
        return f"{left} {right}", len(left) + 1
    a, b = m_left.group(1), m_right.group(1)
    hyphenated, joined = f"{a}-{b}".lower(), f"{a}{b}".lower()
    keep = (
        not a.islower() or not b[:1].islower()  # EVRM-jurisprudentie, Taliban-regime, JBZ-Raad
        or (a[-1] in VOWELS and b[0] in VOWELS)  # Dutch writes a hyphen where vowels collide
        or hyphenated in vocabulary
    ) and joined not in vocabulary
    return (f"{left}{right}", len(left)) if keep else (f"{left[:-1]}{right}", len(left) - 1)


def _heading_text(raw: RawBlock) -> str:
    return re.sub(r"\s+", " ", " ".join(line.text for line in raw.lines)).strip()




# ---------------------------------------------------------------- entry point


def is_unwrapped(pages) -> bool:
    """Whether lines are whole paragraphs (OCR without blank lines) rather than wrapped lines
    with blank lines between paragraphs."""
    lines = [line for page in pages for line in page.lines]
    filled = [len(line.strip()) for line in lines if line.strip()]
    blank = len(lines) - len(filled)
    if not filled:
        return False
    return blank * 30 < len(filled) or sum(n > 150 for n in filled) > 0.15 * len(filled)


def _unwrapped_paragraphs(lines: list[Line]) -> list[list[Line]]:
    """One paragraph per line, except that a line continues the previous one when that ended
    mid-sentence and this one starts in lower case (or the previous ended in a hyphen)."""
    paragraphs: list[list[Line]] = []
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        if paragraphs:
            last = paragraphs[-1][-1].text.strip()
            if last.endswith("-") or (text[:1].islower() and not SENTENCE_END.search(last)):
                paragraphs[-1].append(line)
                continue
        paragraphs.append([line])
    return paragraphs


# The standing heading of every Aanhangsel page: page furniture, not anybody's text ("Vragen gesteld door leden
# van de Kamer, met de daarop door de regering gegeven antwoorden" from 1987 on).
BOILERPLATE = re.compile(r"^\s*(?:Vragen gesteld door|VRAGEN door|Vragen door) (?:de )?leden (?:der|van de) Kamer", re.I)


# The printer's line at the foot of a paper of 1988–1995 ("414665F ISSN 0921 -7363 Sdu Uitgeverij
# Plantijnstraat 's-Gravenhage 1994"): furniture; as a passage it was retrieved for unrelated questions
# and credited to the party whose contribution it followed.
COLOPHON = re.compile(r"\bISSN\s?\d{3,4}\b")  # the OCR drops a digit: "ISSN 921 7398"
COLOPHON_WORDS = 20


def _is_colophon(text: str) -> bool:
    return bool(COLOPHON.search(text)) and len(text.split()) <= COLOPHON_WORDS


# The running foot of a paper of 1981–1995 ("Tweede Kamer, vergaderjaar 1990-1991, 21 800 VI en VII, nr. 30",
# "Tweede Kamer, zitting 1982-1983, Aanhangsel" and its page number): furniture; as a passage, or the tail
# of one, it stood for the paper's last words, its years and dossier numbers matched any question on them.
RUNNING_FOOT = re.compile(r"^\s*(?:Tweede|Eerste)\s+Kamer\s*,?\s+(?:zitting|vergaderjaar)\s+\d{4}\s*-\s*\d{4}\b")
# What the OCR reads after them: the page number, the printer's place on a line of its own ("•s-Gravenhagé
# 199»"), specks and rules ("—", ",.,", "_").
_PRINTERS_PLACE = re.compile(r"^\W*.?\W*s\W*Gr\S{0,2}venh\S{0,2}g", re.I)
_WORD_OF_LETTERS = re.compile(r"[^\W\d_]{2}")  # "Ja." is an answer, "93" and ",.," are not


def _is_colophon_or_foot(text: str) -> bool:
    return _is_colophon(text) or (bool(RUNNING_FOOT.match(text)) and len(text.split()) <= COLOPHON_WORDS)


def _is_furniture(text: str, after_furniture: bool) -> bool:
    """The printer's line, a running foot, or what the OCR read after them."""
    return _is_colophon_or_foot(text) or (after_furniture and (not _WORD_OF_LETTERS.search(text)
                                                               or bool(_PRINTERS_PLACE.match(text))))


def _after_furniture(blocks: list[RawBlock]) -> bool:
    """Whether the blocks end in the printer's line or a running foot (and what followed them)."""
    for block in reversed(blocks):
        if block.kind != "front":
            return False
        if _is_colophon_or_foot(" ".join(line.text for line in block.lines)):
            return True
    return False


def _classify(lines: list[Line], seen_body: bool, after_furniture: bool = False) -> RawBlock:
    text = " ".join(line.text.strip() for line in lines)
    if BOILERPLATE.match(text) or _is_furniture(text, after_furniture):
        return RawBlock("front", lines)
    if len(lines) == 1 and PARTY_HEADING.match(text):
        return RawBlock("party", lines)
    if len(lines) == 1 and PART_HEADING.match(text) and seen_body:
        return RawBlock("part", lines)
    words = len(text.split())
    if not seen_body and words < 12 and not SENTENCE_END.search(text):
        return RawBlock("front", lines)  # the header lines of a paper: chamber, year, dossier, number
    if words <= 10 and len(text) < 70 and not SENTENCE_END.search(text) and text[:1].isalnum():
        return RawBlock("heading", lines)
    return RawBlock("paragraph", lines)


def layout(pages) -> tuple[list[RawBlock], list[Note], set[str]]:
    """Raw blocks in reading order, the footnotes, and the vocabulary (for hyphenation repair)."""
    unwrapped = is_unwrapped(pages)
    bodies, notes = _split_notes(pages, single_lines=unwrapped)
    vocabulary = _vocabulary(bodies)
    if unwrapped:
        blocks: list[RawBlock] = []
        for para in _unwrapped_paragraphs([line for lines in bodies for line in lines]):
            blocks.append(_classify(para, any(b.kind == "paragraph" for b in blocks), _after_furniture(blocks)))
        return blocks, notes, vocabulary
    width = _line_width(bodies)
    blocks = []
    for block in (b for para in _paragraphs(bodies) for b in _split_headings(para, width)):
        furniture = block.kind in ("paragraph", "heading") \
            and _is_furniture(" ".join(line.text for line in block.lines), _after_furniture(blocks))
        blocks.append(RawBlock("front", block.lines) if furniture else block)
    return blocks, notes, vocabulary
