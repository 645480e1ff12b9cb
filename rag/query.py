"""Question → Query: the text to search and the filters, with the parties the question names.

A question that names a party ("What did JA21 ask about Uganda?") searches that party's passages
only, for the rest of the question; explicit filters (`--party`) take precedence over names found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.errors import QuestionError
from rag.glossary import dutch_terms
from rag.parties import PARTIES, canonical_party, find_parties

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What remains of "de leden van de X-fractie" / "the X party" once the name is taken out.
_PARTY_FRAME = re.compile(r"\b(?:de leden van|leden van|de|het|the|members of|party|fractie|-fractie)\b\s*$", re.I)


@dataclass(frozen=True)
class Query:
    """`text` is the question less the party names used as filters; `terms` are Dutch glossary terms."""

    question: str
    text: str
    parties: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()

    @property
    def search_text(self) -> str:
        """What both retrievers search: the text plus the Dutch renderings of its English terms."""
        return " ".join((self.text, *self.terms))


def clean_question(question: str) -> str:
    """The question with control characters dropped and white space folded; errors if unusable."""
    text = re.sub(r"\s+", " ", _CONTROL.sub(" ", question or "")).strip()
    if not text:
        raise QuestionError('The question is empty; ask something, for example: rag ask "What did JA21 ask about Uganda?"')
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(f"The question has {len(text)} characters; keep it under {MAX_QUESTION_CHARS}.")
    return text


def canonical_parties(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Canonical forms of the given party names; an unknown name is an error naming the known ones."""
    out = []
    for name in names:
        canonical = canonical_party(name)
        if canonical is None:
            raise QuestionError(f"Unknown party {name!r}; known parties: {', '.join(PARTIES)}.")
        out.append(canonical)
    return tuple(dict.fromkeys(out))


def parse_question(question: str, parties: tuple[str, ...] = (), doc_ids: tuple[str, ...] = ()) -> Query:
    text = clean_question(question)
    if parties:
        return Query(text, text, canonical_parties(parties), tuple(doc_ids), tuple(dutch_terms(text)))
    named = find_parties(text)
    if not named:
        return Query(text, text, (), tuple(doc_ids), tuple(dutch_terms(text)))
    rest, last = [], 0
    for _, start, end in named:
        before = _PARTY_FRAME.sub("", text[last:start])
        rest.append(before)
        last = end
    rest.append(text[last:])
    search = re.sub(r"\s+", " ", " ".join(rest)).strip(" ,;")
    if len(re.findall(r"\w{3,}", search)) == 0:
        search = text  # the question is only a party name: rank that party's passages by it
    return Query(text, search, tuple(dict.fromkeys(p for p, _, _ in named)), tuple(doc_ids),
                 tuple(dutch_terms(search)))
