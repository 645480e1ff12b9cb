"""Question → Query: the text to search and the filters, with the parties the question names.

A question that names a party ("What did JA21 ask about Uganda?") searches that party's passages
only, for the rest of the question; explicit filters (`--party`) take precedence over names found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.errors import QuestionError
from rag.glossary import dutch_terms
from rag.translation import translations
from rag.parties import PARTIES, canonical_party, find_parties

MAX_QUESTION_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What remains of "de leden van de X-fractie" / "the X party" once the name is taken out.
_PARTY_FRAME = re.compile(r"\b(?:de leden van|leden van|de|het|the|members of|party|fractie|-fractie)\b\s*$", re.I)
# A party named as the author of what another party is asked about ("wat vond FvD van het D66-voorstel",
# "the PVV motion", "de motie van de SP"): it names the subject, not who is asked.
_PROPOSAL = (r"(?:voorstel|wetsvoorstel|initiatiefwetsvoorstel|initiatief|motie|amendement|plan|idee|debatverzoek|verzoek|"
             r"proposal|motion|amendment|idea|bill|request)")
_AUTHOR_AFTER = re.compile(rf"(?:-|'s\s+|’s\s+|\s+){_PROPOSAL}(?:s|en|n)?\b", re.I)
_AUTHOR_BEFORE = re.compile(rf"\b{_PROPOSAL}(?:s|en|n)?\s+(?:van|by|from|of)\s+(?:de\s+|het\s+|the\s+)?$", re.I)


# A question on who sat on a committee names parties as its list does ("Wessel-Tuinstra (D'66), Dijkman
# (CDA)"): the answer is the committee's composition, which is no party's own passage.
_COMPOSITION = re.compile(r"\b(?:sat|sit|sits|served|serve)\s+(?:on|in)\b|\bza(?:ten|t)\s+in\s+de\b|"
                          r"\b(?:(?:hadden|had|namen|nam|hebben|heeft|nemen|neemt)\s+zitting|zitting\s+(?:hadden|had|namen|nam))\b",
                          re.I)


def _authors(text: str, named: list[tuple[str, int, int]]) -> set[int]:
    """Which of the named parties (by position) only author a proposal the question asks another about;
    none when every naming of a party is an author's (then the question asks about their proposals)."""
    authors = {i for i, (_, start, end) in enumerate(named)
               if _AUTHOR_AFTER.match(text, end) or _AUTHOR_BEFORE.search(text[max(0, start - 40):start])}
    return authors if len(authors) < len(named) else set()


# The Tweede Kamer is where nearly every paper was said, and its name heads nearly every page: named
# in a question ("What did the Tweede Kamer say in 1896 about Aceh?") it ranks page headings, not the
# subject, so it is not searched. The Eerste Kamer is searched: its papers are the few that name it.
_HOME_CHAMBER = re.compile(r"\b(?:(?i:de|the|in|in de|in the)\s+)?(?:(?i:Tweede\s+Kamer|Second\s+Chamber|House\s+of\s+"
                           r"Representatives)|House)(?![\w-])")


@dataclass(frozen=True)
class Filters:
    """What a passage must match: any of the parties, documents and types; a date in [since, until].

    Dates compare as ISO prefixes: `since="2020"` admits "2020-03-01"; a document without a date
    matches no date filter.
    """

    parties: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    # Members the question names: the passages of the documents that name them (`rag.retriever.with_members`).
    speakers: tuple[str, ...] = ()
    # True when the parties come from the question's words rather than a filter the user set: then
    # passages without a party that name one of them count too (`rag.collection.PARTY_POLICY`).
    named_in_question: bool = False
    # The question asks how a party voted: a vote's result, which names every party, counts too.
    about_votes: bool = False

    def __bool__(self) -> bool:
        return bool(self.parties or self.doc_ids or self.types or self.since or self.until or self.speakers)

    def without_parties(self) -> "Filters":
        """The same filters for every party's passages."""
        return replace(self, parties=(), named_in_question=False, about_votes=False)


@dataclass(frozen=True)
class Query:
    """`text` is the question less the party names used as filters and the Tweede Kamer it names
    (`without_home_chamber`); `terms` are Dutch glossary terms."""

    question: str
    text: str
    filters: Filters = Filters()
    terms: tuple[str, ...] = ()
    years: tuple[int, ...] = ()  # years the question names ("in 1975", "1920-1921"): preferred, not filtered
    dossiers: tuple[str, ...] = ()  # numbers that may be a dossier ("bill 7808", "Kamerstuk 23 470"): preferred
    wants_government: bool = False  # asks what a minister or the government answered: their passages preferred
    translations: tuple[str, ...] = ()  # an English question's words in Dutch, for BM25 (`rag.translation`)

    @property
    def parties(self) -> tuple[str, ...]:
        return self.filters.parties

    @property
    def search_text(self) -> str:
        """What both retrievers search: the text plus the Dutch renderings of its English terms."""
        return " ".join((self.text, *self.terms))

    @property
    def lexical_text(self) -> str:
        """What BM25 searches: the search text plus the dictionary's Dutch words for its English ones."""
        return " ".join((self.search_text, *self.translations))


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


def make_filters(parties=(), doc_ids=(), types=(), since: str | None = None, until: str | None = None) -> Filters:
    """Filters from user input: party names canonicalised, dates checked."""
    for name, value in (("since", since), ("until", until)):
        if value and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise QuestionError(f"--{name} takes a date as YYYY, YYYY-MM or YYYY-MM-DD, not {value!r}.")
    return Filters(canonical_parties(tuple(parties)), tuple(doc_ids), tuple(t.lower() for t in types),
                   since or None, until or None)


_GOVERNMENT = re.compile(r"\b(?:minister\w*|staatssecretaris\w*|bewinds\w+|regering|kabinet|government|cabinet|"
                         r"antwoord\w*|answer\w*|repl(?:y|ied|ies)|respond\w*|reageerde)\b", re.I)
_VOTES = re.compile(r"\b(?:stem(?:de|den|t|men|ming\w*)|gestemd|vot(?:e|ed|es|ing)|aangenomen|verworpen|"
                    r"adopted|rejected)\b", re.I)
_YEAR = re.compile(r"(?<![\w.,/])(1[89]\d\d|20\d\d)(?![\w.,/]\d)")


_DECADE_END = re.compile(r"['’]?s\b")


def years_in(text: str) -> tuple[int, ...]:
    """The years a question names (1800–2099), in order; "1920-1921" gives both, a decade ("the 1910s",
    "late-1880s", "the 1950's") its first and last."""
    years = []
    for found in _YEAR.finditer(text):
        years.append(int(found.group(1)))
        if _decade_end(text, found) is not None:
            years.append(years[-1] + 9)
    return tuple(dict.fromkeys(years))


def decade_of(word: str) -> int | None:
    """The first year of the decade a word names ("1910s", "late-1880s", "1950's"), or None."""
    found = _YEAR.search(word)
    return int(found.group(1)) if found and _decade_end(word, found) == len(word) else None


def _decade_end(text: str, year: re.Match) -> int | None:
    """Where the decade ends when the year found is one's first ("1910" of "1910s"), else None."""
    end = _DECADE_END.match(text, year.end()) if int(year.group(1)) % 10 == 0 else None
    return end.end() if end else None


# A dossier number printed in groups ("23 470"), as the index stores it ("23470").
_GROUPED_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}) (\d{3})(?![\d.,]\d)")
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3} \d{3}|\d{3,6})(?![\d,]\d|\.\d)")


def dossiers_in(text: str) -> tuple[str, ...]:
    """Numbers a question names that may be a dossier ("7808", "23 470" as "23470"); not its years."""
    years = {str(y) for y in years_in(text)}
    return tuple(dict.fromkeys(n.replace(" ", "") for n in _NUMBER.findall(text) if n not in years))


def parse_question(question: str, filters: Filters = Filters()) -> Query:
    """The query for a question; parties it names become the party filter unless one is given;
    the years it names are kept (`Query.years`) for retrieval to prefer documents of that time."""
    from rag.judge import is_english

    query = _parse(question, filters)
    numbers = tuple(a + b for a, b in _GROUPED_NUMBER.findall(query.text))
    query = replace(query, terms=query.terms + numbers, years=years_in(question), dossiers=dossiers_in(question),
                    wants_government=bool(_GOVERNMENT.search(question)))
    if is_english(question):
        query = replace(query, translations=tuple(translations(query.search_text)))
    return query


def without_home_chamber(text: str) -> str:
    """The question less the Tweede Kamer it names (`_HOME_CHAMBER`); the whole text when that is all."""
    rest = re.sub(r"\s+", " ", _HOME_CHAMBER.sub(" ", text)).strip()
    return rest if re.search(r"\w{3,}", rest) else text


def _parse(question: str, filters: Filters) -> Query:
    asked = clean_question(question)
    text = without_home_chamber(asked)
    if filters.parties:
        return Query(asked, text, filters, tuple(dutch_terms(text)))
    named = find_parties(text)
    if not named or _COMPOSITION.search(text):
        return Query(asked, text, filters, tuple(dutch_terms(text)))
    authors = _authors(text, named)
    rest, last = [], 0
    for i, (_, start, end) in enumerate(named):
        if i in authors:
            continue  # the proposal's author stays in the words searched
        rest.append(_PARTY_FRAME.sub("", text[last:start]))
        last = end
    rest.append(text[last:])
    # "Van Lier (PvdA)" leaves no empty "( )" behind
    search = re.sub(r"\s+", " ", re.sub(r"\(\s*\)", " ", " ".join(rest))).strip(" ,;")
    if len(re.findall(r"\w{3,}", search)) == 0:
        search = text  # the question is only a party name: rank that party's passages by it
    parties = tuple(dict.fromkeys(p for i, (p, _, _) in enumerate(named) if i not in authors))
    votes = bool(_VOTES.search(text))
    return Query(asked, search, replace(filters, parties=parties, named_in_question=True, about_votes=votes),
                 tuple(dutch_terms(search)))
