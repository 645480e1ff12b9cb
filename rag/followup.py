"""Follow-up questions: a turn that leans on the conversation becomes the question actually searched.

Deterministic, from the user's earlier turns only (no model): each turn is resolved against the
previous resolved one, so "Wat vroeg JA21 over Oeganda?" → "En de VVD?" searches "Wat vroeg de VVD
over Oeganda?", and a third turn "En over Syrië?" searches "Wat vroeg de VVD over Syrië?".

A turn is one of:
- **standalone**: it has its own subject and no follow-up marker: searched as typed;
- **party**: it names a party or member and nothing else ("En de VVD?", "What about the CDA?", "Meer van
  JA21"): the previous question with the party replaced;
- **topic**: another subject for the same speakers ("En over Syrië?", "What about the solidarity
  pool?", "Wat vroegen ze nog meer over terugkeer?", "En voor de motie-Kröger?"): the previous question
  with what followed the same preposition (or its last "over"/"about") replaced;
- **answer** / **elliptic**: anything else that leans on the conversation ("Wat antwoordde de
  minister?", "Waarom?", "Wie waren ervan vrijgesteld?", "En in 2018?"): the turn asked together with
  the question before it, "Waarom? (Wat vroeg de BBB over …?)".
A turn leans on the conversation when it starts as a continuation ("En …", "And …"), says little of
its own, or refers back ("ervan", "daarover", "it", "they") without a full subject of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.lexical import tokenize
from rag.parties import find_parties

# A turn that starts as a continuation, and words that refer back to what was said before.
_CONTINUES = re.compile(r"\s*(?:en|and|maar|but|ook|also|what about|how about|verder|furthermore|dus|so)\b", re.I)
_REFERS_BACK = re.compile(
    r"\b(?:ze|zij|hun|hen|hij|hem|haar|zijn|die|dat|dit|deze|daar\w*|hier\w*|er(?:van|over|op|in|mee|aan|voor|"
    r"tegen|bij|uit|na)|waar(?:van|over|op|om|door|voor|mee)|toen|it|its|they|them|their|he|him|his|she|her|this|"
    r"that|these|those|there|then|else|meer|more|nog|ook|also|same|dezelfde|hetzelfde)\b", re.I)
_GOVERNMENT = re.compile(
    r"\b(?:minister\w*|staatssecretaris\w*|regering|kabinet|government|cabinet|antwoord\w*|answer\w*|"
    r"repl(?:y|ied|ies)|respon\w*|reageer\w*|reactie)\b", re.I)
# Words that frame a follow-up but say nothing about its subject.
_FRAME = set("""en and maar but ook also what about how wat hoe over about on nog meer more else anything
zei zeiden zegt said say says vroeg vroegen vraagt asked ask asks did do does de het the een a an van of
from door by ze zij hun hen they them their hij he zijn his her daar daarover daarop hierover that this dat dit
die die same dezelfde hetzelfde verder furthermore wil wilde wanted want want wants willen fractie party
leden members lid member partij in op to at heeft hebben had has have iets something anything
gevraagd gezegd gesteld stelde eerder earlier tot nu now so far waren was were is zijn wordt werd been er
ervan erover daarvoor daarover waarvan waarop toen then else""".split())
_ABOUT = re.compile(r"\b(?:over|about|on|regarding|concerning|inzake|betreffende|omtrent|rond|met betrekking tot)\s+",
                    re.I)
# "En over de borgtocht?", "And on the Wassenberg motion?", "What about the solidarity pool?"
_SWITCH = re.compile(r"\s*(?:en|and|maar|but|ook|also|what about|how about)\s+(?:(?:wat|what)\s+)?"
                     r"(?:(?P<prep>over|about|on|voor|for|regarding|concerning|inzake|met betrekking tot)\s+)?"
                     r"(?P<x>[^?]+?)\s*\??", re.I)
# "Wat vroegen ze nog meer over terugkeer?": the same speakers, another subject
_PRONOUN_ABOUT = re.compile(r"\b(?:ze|zij|they|hij|he|she)\b.*?\b(?P<prep>over|about)\s+(?P<x>[^?]+?)\s*\??$", re.I)
_YEAR = re.compile(r"\b(?:1[89]\d\d|20\d\d)\b")
_ARTICLE = r"(?:(?:de|het|the)\s+)?"


@dataclass(frozen=True)
class Resolved:
    """A turn as typed, the question searched for it, and how it was read."""

    turn: str
    question: str
    kind: str  # standalone, party, answer, topic, elliptic
    # The last question of the conversation said in full: a later follow-up is asked together with it.
    context: str = ""

    def __post_init__(self):
        if not self.context:
            object.__setattr__(self, "context", self.question)


def resolve(turns: list[str]) -> list[Resolved]:
    """Each turn of a conversation (the user's messages, in order) resolved against the ones before."""
    out: list[Resolved] = []
    for turn in turns:
        turn = re.sub(r"\s+", " ", turn or "").strip()
        out.append(_resolve(turn, out[-1] if out else None))
    return out


def searched_question(history: list[str], turn: str) -> Resolved:
    """The last turn of a conversation resolved: `history` the user's earlier messages."""
    return resolve([*history, turn])[-1]


def _content(text: str) -> list[str]:
    """The words of a turn that carry a subject: not party names, frame or follow-up words."""
    rest = _without_parties(text)
    return [w for w in re.findall(r"[\w'’-]+", rest.lower()) if w not in _FRAME and not w.isdigit()
            and tokenize([w])[0]]


def _without_parties(text: str) -> str:
    spans = find_parties(text)
    for _, start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return text


def _party_phrases(text: str) -> list[tuple[int, int]]:
    """Spans of the parties a text names, with their article and "-fractie" ("de VVD-fractie")."""
    out = []
    for _, start, end in find_parties(text):
        before = re.search(_ARTICLE + r"$", text[:start], re.I)
        after = re.match(r"-?fractie\b", text[end:], re.I)
        out.append((before.start() if before and before.group(0) else start, end + (after.end() if after else 0)))
    return out


def _english(text: str) -> bool:
    from rag.judge import is_english

    return is_english(text)


def _resolve(turn: str, previous: Resolved | None) -> Resolved:
    if previous is None or not turn:
        return Resolved(turn, turn, "standalone")
    parties = _party_phrases(turn)
    content = _content(turn)
    years = set(_YEAR.findall(turn))
    subject = [w for w in content if w not in years]
    before = previous.question
    if parties and not subject:
        same_language = _english(turn) == _english(before) or len(turn.split()) <= 2
        # "What about the VVD?" after a Dutch question: the party without the English article
        new = " en ".join(turn[s:e] if same_language else re.sub("^" + _ARTICLE, "", turn[s:e], flags=re.I)
                          for s, e in parties)
        return Resolved(turn, _replace_parties(before, new), "party")
    if not _leans_on_context(turn, subject):
        return Resolved(turn, turn, "standalone")
    switched = _SWITCH.fullmatch(turn) or _PRONOUN_ABOUT.search(turn)
    if switched and not parties and subject and not _REFERS_BACK.search(switched.group("x")) \
            and not _GOVERNMENT.search(turn):
        rewritten = _new_subject(before, switched.group("prep"), switched.group("x"), _english(turn))
        if rewritten:
            return Resolved(turn, rewritten, "topic")
    # Anything else that leans on the conversation ("Wat antwoordde de minister?", "Waarom?", "Wie
    # stemden ervoor?", "En in 2018?"): asked together with the question it follows, said in full.
    kind = "answer" if _GOVERNMENT.search(turn) and not parties else "elliptic"
    return Resolved(turn, f"{turn} ({previous.context})", kind, context=previous.context)


def _leans_on_context(turn: str, subject: list[str]) -> bool:
    """Whether a turn needs the conversation: it starts as a continuation ("En …", "And …"), or says
    little of its own, or refers back ("ervan", "daarover", "it", "they") without a full subject."""
    if _CONTINUES.match(turn) or len(subject) <= 2:
        return True
    return bool(_REFERS_BACK.search(turn)) and len(subject) <= 4


def _replace_parties(question: str, new: str) -> str:
    """The question with its party phrases replaced by `new` (added when it names none)."""
    spans = _party_phrases(question)
    if not spans:
        return f"{question.rstrip('?').rstrip()} ({new})?"
    out, last = [], 0
    for i, (start, end) in enumerate(spans):
        out.append(question[last:start])
        if i == 0:
            out.append(new)
        last = end
    out.append(question[last:])
    return re.sub(r"\s+(en|and|,)\s*(?=[?,.]|$)", "", re.sub(r"\s+", " ", "".join(out))).strip()


def _who(question: str) -> str:
    spans = _party_phrases(question)
    return " en ".join(question[s:e] for s, e in spans)


def _new_subject(previous: str, prep: str | None, subject: str, english: bool) -> str | None:
    """The previous question about another subject: what followed its last `prep` (or its last
    "over"/"about" when the turn has none) replaced; "Wat vroeg <party> over <subject>?" when it has
    neither but names a party; None otherwise."""
    pattern = re.compile(rf"\b{re.escape(prep)}\s+", re.I) if prep else _ABOUT
    found = list(pattern.finditer(previous))
    if found:
        return f"{previous[:found[-1].end()]}{subject}?"
    who = _who(previous)
    if not who:
        return None
    return f"What did {who} ask about {subject}?" if english else f"Wat vroeg {who} over {subject}?"
