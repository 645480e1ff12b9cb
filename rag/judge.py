"""Whether the best passage answers the question: a logistic judge over signals that hold across
index sizes and languages, fitted on the labelled questions (`eval/fit_judge.py`).

Signals of the best passage and its question:
- `cosine`: its dense similarity to the question;
- `standout`: how far that similarity stands above the question's own other candidates (in standard
  deviations of the next 49): relative to the question, so it does not drift as the index grows;
- `coverage`: the share of the question's words (or their Dutch renderings) in the passage;
- `weighted_coverage`: that share with each word weighed by its IDF in the index (`rag.answer.weighted_coverage`):
  a passage that holds the question's common words but not its rare one ("volkstelling") covers little;
  a Dutch compound counts as held by one of the same head or by a part ("terugkeerhub": "transithub");
- `unknown_names`: named things of the question (a capitalised word, an acronym, a word with digits,
  a Dutch law's name of several words) that occur nowhere in the index ("ChatGPT", "Eurodac", "2036",
  "Wet toekomst pensioenen"): the corpus cannot answer about them;
- `english`: an English question, whose words the Dutch passage cannot share;
- `uncovered`: a Dutch question that shares no word with the passage. Of the labelled cases, no
  answerable Dutch question's passage shares none, while 41 of 61 unanswerable ones do; as coverage
  alone, a linear weight could not say "none at all" without also refusing English questions;
- `country_missing`: the question names a country (in English or Dutch, `rag.countries`) and the
  passage, with its title, names none of them ("agreements with India" → a passage on Greece);
- `countries_missing_digital`: the share of those countries a born-digital passage (a paper from 1995
  on, `rag.answer.born_digital`) does not name ("Sweden's agreements with Syria" → a passage on return
  to Syria). An OCR'd paper's silence says less: a country OCR'd beyond recognition, an old name, a
  subject set out pages before; so `country_missing` weighs both kinds and this one the digital only;
- `unattributed`: the question names a party and the passage is not credited to it, it only names it
  (a list of members, a minister's reply, a committee's report); not when it asks how the party voted
  (the chair's result) or what the government answered it (the minister's reply is the answer);
- `party_gap`: for a question scoped to a party, how far the best passage of another party (within the
  question's other filters: the whole index when it has none) lies above this one in cosine: asked
  what a party said on what only another party raised, the other party's passage stands above. Until
  round 17 the best passage of any kind; a minister's reply or a paper's list of questions, credited to
  no party, stands above the party's own when the party did raise the thing;
- `quoted_missing`: terms the question quotes ('keuze-aannemer') that the passage does not hold word
  for word (`rag.answer.quoted_missing`): a user quotes what the paper they look for says;
- `recent_year_missing`: the question names a year after the scanned archive (1996 on) and the passage is
  neither of that time nor writes that year (`rag.answer.recent_year_missing`): "the 2019 nitrogen ruling"
  → a 1981 advice; "Schiphol's 440,000 flights of June 2022" → 1991 questions on Schiphol's police;
- `names_missing_digital`: the share of the question's named things that the index holds and a born-digital
  passage does not (`rag.answer.names_missing_digital`): "the Entry/Exit System at Schiphol" → a 2026 passage
  on asylum. Like `countries_missing_digital`, not for an OCR'd paper, which garbles names;
- `soft_coverage`: how closely the passage's words match the question's in the model's own token
  vectors (`rag.token_match`, BERTScore's recall): "relocation" is matched by "herplaatsing", which
  `coverage` can only credit through the glossary or the dictionary;
- `year_far`: the question names years (any era) that the passage's paper is more than two years from and
  that the passage does not write (`rag.answer.year_far`): "the seamen's strike of June 1911" → a 1954 bill
  quoting an English declaration. Measured and left out in round 9 (320 cases), taken in round 19 (1,940).
`unattributed` and `party_gap` were measured and left out on 66 unanswerable questions, and taken on
114 (README, "Saying what is not there").

The fitted weights are in `judges.json` per model; a model without them is judged by
`rag.answer.Judge` (its thresholds) alone.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from rag.glossary import colonial_spellings, dutch_terms
from rag.lexical import tokenize
from rag.query import Query, decade_of

FEATURES = ("cosine", "standout", "coverage", "weighted_coverage", "unknown_names", "english", "uncovered", "country_missing",
            "countries_missing_digital", "unattributed", "party_gap", "quoted_missing", "recent_year_missing",
            "names_missing_digital", "soft_coverage", "year_far")
WEIGHTS_FILE = Path(__file__).with_name("judges.json")

_WORD = re.compile(r"\w[\w'’.-]*\w|\w")
_ENGLISH = set("the of and to what did does was were which who how why about is are for with on by from "
               "that this their has have had would will".split())
_DUTCH = set("de het een van en te wat welke wie hoe waarom over vroeg vroegen zei is zijn voor met op door "
             "aan dat deze die er heeft hebben wil wilde naar worden wordt niet bij als om ook nog zich".split())


def is_english(text: str) -> bool:
    """Whether a question reads as English (more English than Dutch function words)."""
    words = text.lower().split()
    return sum(w in _ENGLISH for w in words) > sum(w in _DUTCH for w in words)


def named_things(query: Query) -> list[str]:
    """Words of the question that name something: capitalised (not the first word), acronyms, or with
    digits; not the members the question is scoped to (their names are the scope, not the subject), nor
    the words that frame a question ("D66 MPs", "the Chamber": who asks, not what about)."""
    from rag.answer import FRAMING_WORDS

    words = _WORD.findall(query.text)
    members = {m.lower() for name in query.filters.speakers for m in name.split()}

    found = []
    for i, word in enumerate(words):
        # an English prefix or suffix that only describes is not part of the name: "Prussian-born" is
        # "Prussian", "mid-1970s" "1970s"
        word = _DESCRIBING.sub("", word)
        if (any(c.isdigit() for c in word) or (word[:1].isupper() and i > 0) or (len(word) > 1 and word.isupper())) \
                and word.lower() not in members and word.lower() not in FRAMING_WORDS:
            found.append(word)
    return found


_DESCRIBING = re.compile(r"^(?:late|early|mid|pre|post|anti|pro|ex|non)-(?=\w)|"
                         r"(?<=\w)-(?:born|based|style|led|backed|owned|made|built|run|funded|era|type|like)$")


# A Dutch law's (or directive's, treaty's, …) name: the word and what follows it, up to a function
# word or a preposition ("Wet zorg en dwang voor mensen met dementie"), or punctuation.
_LAW = re.compile(r"\b(?:Wet|Richtlijn|Verordening|Verdrag|Besluit|Regeling)\b")
_PREPOSITIONS = frozenset("aan achter behalve beneden bij binnen boven buiten door gedurende in inzake jegens langs met "
                          "na naar naast om omtrent onder ondanks op over per rond rondom sinds tegen tegenover tijdens "
                          "tot tussen uit van vanaf vanwege via volgens voor voorbij wegens zonder zoals betreffende".split())


def law_names(question: str) -> list[str]:
    """The names of laws a Dutch question gives in full, as a paper would write them: "Wet toekomst
    pensioenen", "Wet op de rechtsbijstand" ("op de"/"op het" right after "Wet" belong to it), "Wet zorg en
    dwang" ("en" between two of its words), "Wet DBA"; not a bare "Wet"."""
    from rag.lexical import _stopword_set

    stop = _stopword_set() | _PREPOSITIONS
    names = []
    for found in _LAW.finditer(question):
        words = question[found.end():].split()
        name = [found.group()]
        if [w.lower() for w in words[:2]] in (["op", "de"], ["op", "het"]):
            name += words[:2]
            words = words[2:]
        for i, word in enumerate(words):
            bare = word.strip(",.;:?!()'\"‘’“”")
            joins = bare.lower() == "en" and i + 1 < len(words) and words[i + 1].strip(",.;:?!()").lower() not in stop
            if not bare or not word[0].isalnum() or (bare.lower() in stop and not joins):
                break  # "(Wet DBA)" after a name is another name
            name.append(bare)
            if bare != word:  # punctuation ends the name
                break
        if len(name) > 1 and name[-1].lower() not in ("op", "de", "het"):
            names.append(" ".join(name))
    return list(dict.fromkeys(names))


_PLURAL_ACRONYM = re.compile(r"[A-Z]{2,}s")


def _uncompared(word: str) -> str:
    """An English comparative or superlative's base ("Higher" → "High", "Largest" → "Larg"), which the
    dictionary lists; the word itself otherwise. "the Higher Education Act" names no unknown "Higher"."""
    for ending in ("est", "er"):
        if len(word) > len(ending) + 3 and word.lower().endswith(ending):
            return word[: -len(ending)]
    return word


def unknown_names(query: Query, lexical, phrases=None) -> int:
    """How many named things of the question occur nowhere in the index, in any spelling we can make:
    the word itself or a Dutch rendering (the glossary's; for an English question the dictionary's too;
    an Indonesian name in the Dutch-era spelling, `rag.glossary.colonial_spellings`),
    every part of it ("COVID-19": "covid" as well as "19"); and, with `phrases` (a phrase → whether some
    passage holds it word for word), the laws a Dutch question names that no passage names
    (`law_names`): "Wet toekomst pensioenen" is unknown though "wet", "toekomst" and "pensioenen" are not."""
    from rag.countries import country_name_words
    from rag.translation import translations

    english = is_english(query.question)
    count = 0 if english or phrases is None else sum(not phrases(name) for name in law_names(query.text))
    countries = country_name_words(query.text)
    for word in named_things(query):
        if word in countries:
            continue  # "Saudi" of "Saudi Arabia": a country is judged whole, by `country_missing`
        # an English question's word in its Dutch forms too, the dictionary's as well ("Geneva": "Genève")
        renderings = dutch_terms(word) + (translations(word) + translations(_uncompared(word)) if english else []) + \
            colonial_spellings(word)
        # an acronym's English plural is the acronym: "NVs", "MPs"
        singular = [word[:-1]] if _PLURAL_ACRONYM.fullmatch(word) else []
        # a decade is a date: known when one of its years is ("the 1910s")
        decade = decade_of(word)
        years = [str(year) for year in range(decade, decade + 10)] if decade else []
        spellings = [tokenize([w])[0] for w in [word, *singular, *years]] + [tokenize([dutch])[0] for dutch in renderings]
        spellings = [[t for t in tokens if len(t) >= 3] or tokens for tokens in spellings if tokens]
        if spellings and not any(all(lexical.knows(t) for t in tokens) for tokens in spellings):
            count += 1
    return count


def standout(dense_scores: list[float]) -> float:
    """The best cosine's distance above the others, in their standard deviations (0 with < 3)."""
    if len(dense_scores) < 3:
        return 0.0
    rest = np.asarray(dense_scores[1:], dtype=np.float64)
    return float((dense_scores[0] - rest.mean()) / (rest.std() + 1e-6))


@dataclass(frozen=True)
class LogisticJudge:
    """P(answers) = σ(bias + Σ weight × (signal − mean) / scale); the passage answers when P ≥ threshold."""

    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float = 0.5
    ranges: tuple[tuple[float, float], ...] | None = None  # each signal's lowest and highest in the fitted cases

    def probability(self, signals: dict[str, float]) -> float:
        z = self.bias + sum(w * (signals[name] - m) / s
                            for name, m, s, w in zip(FEATURES, self.means, self.scales, self.weights))
        return 1.0 / (1.0 + math.exp(-z))

    def answers(self, signals: dict[str, float]) -> bool:
        return self.probability(signals) >= self.threshold

    def settled(self, signals: dict[str, float], unknown: str) -> bool | None:
        """The decision when it is the same whatever the signal `unknown` is, anywhere in the range it took
        in the cases the judge was fitted on; None when its value decides (or no range is known). Spares
        computing a costly signal for a clear case."""
        if self.ranges is None:
            return None
        low, high = self.ranges[FEATURES.index(unknown)]
        at_low, at_high = self.answers({**signals, unknown: low}), self.answers({**signals, unknown: high})
        return at_low if at_low == at_high else None


@lru_cache(maxsize=8)
def logistic_judge_for(model: str) -> LogisticJudge | None:
    """The fitted judge for a model, or None when `judges.json` has none for it."""
    try:
        fitted = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8")).get(model)
    except (OSError, ValueError):
        return None
    if not fitted or tuple(fitted.get("features", ())) != FEATURES:
        return None
    ranges = tuple(zip(fitted["lows"], fitted["highs"])) if "lows" in fitted and "highs" in fitted else None
    return LogisticJudge(tuple(fitted["means"]), tuple(fitted["scales"]), tuple(fitted["weights"]),
                         float(fitted["bias"]), float(fitted.get("threshold", 0.5)), ranges)
