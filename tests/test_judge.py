"""The answer judge: its signals, the fitted weights it loads, and its decisions on the real model."""

from __future__ import annotations

import pytest

from rag.judge import FEATURES, LogisticJudge, is_english, logistic_judge_for, named_things, standout, unknown_names
from rag.lexical import LexicalIndex
from rag.query import parse_question


@pytest.mark.parametrize("question, english", [
    ("What did JA21 ask about Uganda?", True), ("Wat vroeg JA21 over Oeganda?", False),
    ("Which questions were asked about COVID-19 vaccination of children?", True),
    ("Welke afspraken zijn er gemaakt over de Eurovisie in Rotterdam?", False),
])
def test_english_questions_are_told_from_dutch(question, english):
    assert is_english(question) is english


def test_named_things_are_capitalised_words_acronyms_and_numbers_not_the_party():
    query = parse_question("Wat zei de VVD over ChatGPT, de ECHR en de Spelen van 2036 in Amsterdam?")
    assert named_things(query) == ["ChatGPT", "ECHR", "Spelen", "2036", "Amsterdam"]  # "VVD" is the filter


def test_unknown_names_are_those_no_passage_holds():
    lexical = LexicalIndex.build(["De Spelen in Amsterdam werden besproken, ook het EVRM en Oeganda.",
                                  "Een tweede passage over de begroting."])
    assert unknown_names(parse_question("Wat is er gezegd over ChatGPT in Amsterdam?"), lexical) == 1
    # an English name counts as known when its Dutch rendering is in the index ("Uganda" → "Oeganda")
    assert unknown_names(parse_question("What was said about Uganda in Amsterdam?"), lexical) == 0
    # every part of a name must be there: "19" is, "covid" is not
    lexical = LexicalIndex.build(["Op 19 mei sprak de Kamer over vaccinatie van kinderen."])
    assert unknown_names(parse_question("Which questions were asked about COVID-19 vaccination?"), lexical) == 1


def test_a_decade_is_a_date_and_a_describing_affix_no_part_of_a_name():
    lexical = LexicalIndex.build(["Verslag van 1913 over de naturalisatie van een Pruisisch timmerman in Lissabon."])
    query = parse_question("What did the Prussian-born carpenter from Lisbon-born stock ask in the 1910s?")
    assert named_things(query) == ["Prussian", "Lisbon", "1910s"]
    assert unknown_names(query, lexical) == 0  # 1913 is of the 1910s
    assert unknown_names(parse_question("What was planned for the mid-1930s?"), lexical) == 1  # no year of it
    # an affix that is part of the name stays: "chromium-6" is not "6", nor "Commissioner-designate" "Commissioner"
    assert named_things(parse_question("What about chromium-6 and Commissioner-designate Vella?")) == \
        ["chromium-6", "Commissioner-designate", "Vella"]


def test_standout_is_relative_to_the_questions_own_candidates():
    assert standout([0.9, 0.8, 0.8, 0.8]) > 100  # far above identical others
    assert standout([0.86, 0.85, 0.84, 0.86, 0.85]) < 2
    assert standout([0.9, 0.8]) == 0.0  # too few to say
    # the same shape at another level (a larger index lifts every cosine) stands out the same
    assert standout([0.80, 0.70, 0.72, 0.68]) == pytest.approx(standout([0.85, 0.75, 0.77, 0.73]), rel=1e-6)


def test_the_logistic_judge_weighs_its_signals():
    judge = LogisticJudge(means=(0.85, 4, 0.3, 0.3, 0.3, 0.5), scales=(0.04, 2.6, 0.3, 0.3, 0.7, 0.5),
                          weights=(1.8, 0.7, 1.7, 0.8, -1.0, 1.1), bias=1.5)
    strong = {"cosine": 0.9, "standout": 6, "coverage": 0.6, "weighted_coverage": 0.6, "unknown_names": 0, "english": 0}
    assert judge.answers(strong)
    assert not judge.answers({**strong, "cosine": 0.8, "coverage": 0.0, "unknown_names": 2})
    assert judge.probability({**strong, "weighted_coverage": 0.1}) < judge.probability(strong)
    assert judge.probability({**strong, "unknown_names": 1}) < judge.probability(strong)


def test_fitted_weights_load_for_the_default_model_only():
    from rag.models import DEFAULT_MODEL

    import json
    import re

    from rag.judge import WEIGHTS_FILE

    fitted = logistic_judge_for(DEFAULT_MODEL)
    stored = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))[DEFAULT_MODEL]
    assert fitted is not None and len(fitted.weights) == len(FEATURES)
    assert fitted.weights == tuple(stored["weights"]) and fitted.bias == stored["bias"]
    # the threshold the fit was chosen at (eval/fit_judge.py), stored with the weights
    chosen = re.search(r"^THRESHOLD = ([\d.]+)", (WEIGHTS_FILE.parents[1] / "eval" / "fit_judge.py").read_text(), re.M)
    assert fitted.threshold == stored["threshold"] == float(chosen.group(1))
    assert logistic_judge_for("fake:64") is None  # other models: the threshold rule


@pytest.mark.slow
@pytest.mark.parametrize("question, status", [
    ("What did JA21 ask about Uganda?", "found"),
    ("Wat vroeg GL-PvdA over de weigering van Hongarije en Slowakije?", "found"),
    ("Wat is er gezegd over ChatGPT in het onderwijs?", "not_found"),
    ("What did members say about Bitcoin mining?", "not_found"),
    ("What did the VVD ask about a return agreement with Chile?", "party_missing"),  # a country no passage names
    ("What did the PVV ask about the deal with Greece?", "found"),  # the passage says "de Grieken", "Griekse"
    # only GroenLinks-PvdA asks about it; the VVD's best passage is on return too, well below theirs
    ("Wat vraagt de VVD over het Frontex-programma voor vrijwillige terugkeer van Syriërs?", "party_missing"),
    ("Does the VVD think the return regulation can still enter into force with the migration pact?", "found"),
    # JA21's passage says "pilot" and "transithub", not "proef" and "terugkeerhub": its tokens match them
    ("Wat wil JA21 weten over de proef met een terugkeerhub in Oeganda?", "found"),
    # the CDA's passage is on return to Syria; Sweden, the question's other country, it never names
    ("What did the CDA ask about Sweden's plans to make agreements with Syria on returning convicted Syrian "
     "criminals?", "party_missing"),
    ("Wat vroeg het CDA over de plannen van Zweden om met Syrië afspraken te maken over de terugkeer van "
     "veroordeelde Syriërs?", "party_missing"),
    ("Wat vroeg het CDA over terugkeer naar Syrië en Afghanistan?", "found"),
])
def test_the_judge_on_the_real_model(real_index, question, status):
    from rag.api import Assistant

    assert Assistant(real_index, chat_model=False).ask(question).status == status


def test_a_dutch_question_sharing_no_word_with_the_passage_is_uncovered():
    from rag.answer import signals
    from rag.retriever import Standing
    from rag.types import Chunk, Hit

    text = "De leden van de CDA-fractie vragen naar de terugkeer van asielzoekers."
    hit = Hit(Chunk("c", "d", text, 0, len(text), "CDA", "", 1, 1), 1.0, 1, 1, 1, 0.86, 3.0)

    def uncovered(question):
        return signals(hit, parse_question(question), Standing(0.05, 4.0))["uncovered"]

    assert uncovered("Welke compensatie is afgesproken voor de pechgeneratie?") == 1.0
    assert uncovered("Wat vroeg het CDA over de terugkeer?") == 0.0  # "terugkeer" is in the passage
    assert uncovered("What about the pechgeneratie?") == 0.0  # English shares no word by nature: its own signal


def test_countries_are_found_in_english_and_dutch_but_not_the_netherlands():
    from rag.countries import countries_in

    assert countries_in("What did the CDA ask about Sweden's plans?") == countries_in("Plannen van Zweden") == {"SE"}
    assert countries_in("Wat vroeg JA21 over Oeganda?") == countries_in("What about Uganda?") == {"UG"}
    assert countries_in("the EU-Turkey Statement") == countries_in("de deal met Turkije") == {"TR"}
    assert countries_in("Syria and Syrië, Iran") == {"SY", "IR"}
    assert countries_in("Nederland en the Netherlands; Indiana; Chinese politiebureaus") == set()
    # loose, for the passage: the people and the adjective too
    assert countries_in("de deal met de Grieken; de Griekse asielminister", loose=True) == {"GR"}
    assert countries_in("de deal met de Grieken") == set()
    # the old spelling in a historic paper (before 1947)
    assert countries_in("de toetreding door de Vereenigde Staten", loose=True) == {"US"}


def test_a_passage_that_names_none_of_the_questions_countries_misses_them():
    """"migration agreements with India" answered by a passage on Greece: the passage names no country the
    question asks about; its Dutch name counts, and so does the title."""
    from rag.answer import signals
    from rag.retriever import Standing
    from rag.types import Chunk, Hit

    def missing(question, text, title=""):
        hit = Hit(Chunk("c", "d", text, 0, len(text), "PVV", "", 1, 1, title=title), 1.0, 1, 1, 1, 0.86, 3.0)
        return signals(hit, parse_question(question), Standing(0.05, 4.0))["country_missing"]

    greece = "De minister heeft een deal met Griekenland gesloten over het overnemen van Dublinclaimanten."
    assert missing("What did the PVV ask about migration agreements with India?", greece) == 1.0
    assert missing("What did the PVV ask about the deal with Greece?", greece) == 0.0
    assert missing("What did the PVV ask about the deal with Greece?", "De deal met de Grieken is geflopt.") == 0.0
    assert missing("Wat vroeg de PVV over Griekenland en India?", greece) == 0.0  # one of them is enough
    assert missing("What did the PVV ask about Dublin claimants?", greece) == 0.0  # no country asked
    assert missing("What about Sweden?", "Deze leden vragen naar de terugkeer.", title="Brief over Zweden") == 0.0


def test_a_born_digital_passage_misses_the_share_of_the_questions_countries_it_does_not_name():
    """"Sweden's agreements with Syria" answered by a 2026 passage on return to Syria: half the countries
    are missing. A scanned paper (before 1995, or undated) is not held to it: OCR and old names hide
    countries it does name."""
    from rag.answer import born_digital, signals
    from rag.retriever import Standing
    from rag.types import Chunk, Hit

    def missing(question, text, date, title=""):
        chunk = Chunk("c", "d", text, 0, len(text), "CDA", "", 1, 1, title=title, date=date)
        return signals(Hit(chunk, 1.0, 1, 1, 1, 0.86, 3.0), parse_question(question), Standing(0.05, 4.0))

    syria = "Deze leden vragen naar de terugkeer naar Syrië van veroordeelde Syriërs."
    question = "What did the CDA ask about Sweden's agreements with Syria on returning Syrian criminals?"
    assert missing(question, syria, "2026-01-22")["countries_missing_digital"] == 0.5
    assert missing(question, syria, "2026-01-22")["country_missing"] == 0.0  # one of them is named
    assert missing(question, syria + " Zweden sluit ook akkoorden.", "2026-01-22")["countries_missing_digital"] == 0.0
    assert missing(question, "Over de terugkeer.", "2026-01-22", title="Brief over Zweden en Syrië")[
        "countries_missing_digital"] == 0.0  # the title counts
    assert missing(question, "Over de terugkeer.", "2026-01-22")["countries_missing_digital"] == 1.0
    for scanned in ("1975-03-01", "1994-12-31", None):
        assert missing(question, "Over de terugkeer.", scanned)["countries_missing_digital"] == 0.0
    assert missing("Wat vroeg het CDA over terugkeer?", syria, "2026-01-22")["countries_missing_digital"] == 0.0
    assert born_digital(Chunk("c", "d", "", 0, 0, None, "", 1, 1, date="1995-01-02"))
    assert not born_digital(Chunk("c", "d", "", 0, 0, None, "", 1, 1, date="1994-12-31"))


def test_a_year_after_the_scanned_archive_that_the_passage_is_not_of_nor_writes():
    """Asked about "the 2019 nitrogen ruling", a 1981 advice of the Raad van State is not of that time; a
    paper of the year (or the next) is, and a passage that writes the year speaks of it ("doelen voor 2030")."""
    from rag.answer import recent_year_missing
    from rag.types import Chunk

    def missing(question, date, text="De Raad van State adviseert over de verklaringen.", title=""):
        return recent_year_missing(parse_question(question), Chunk("c", "d", text, 0, len(text), None, "", 1, 1,
                                                                   title=title, date=date))

    ruling = "How did the government respond in 2019 to the Council of State ruling on the nitrogen programme?"
    assert missing(ruling, "1981-06-19")
    assert missing(ruling, None)  # an undated passage is not of that time either
    assert missing(ruling, "2017-05-01")
    assert not missing(ruling, "2019-05-29") and not missing(ruling, "2020-01-10")
    assert not missing(ruling, "1981-06-19", text="In 2019 vernietigde de Raad van State het programma.")
    assert not missing(ruling, "1981-06-19", title="Uitspraak van 2019")
    assert not missing("Wat zei de VVD over de doelen voor 2030?", "2026-01-22", text="De doelen voor 2030 blijven.")
    assert missing("Wat zei de VVD over de doelen voor 2030?", "2026-01-22", text="De doelen blijven.")
    # the scanned archive's own years are not held to it: OCR'd papers misdate and cite other years
    assert not missing("Wat besloot de Kamer in 1975 over de huren?", "1981-06-19")
    assert not missing("Wat zei de VVD over terugkeer?", None)


def test_a_year_asked_that_the_passages_paper_is_far_from_and_does_not_write():
    """Asked about "the seamen's strike of June 1911", a 1954 bill is far from it; a paper of the year, or two
    later, is not, nor one that writes the year, nor a paper in the decade or span asked, nor an undated one."""
    from rag.answer import year_far
    from rag.types import Chunk

    def far(question, date, text="De vertegenwoordiger van Nederland bij de I.C.A.O. heeft verklaard.", title=""):
        return year_far(parse_question(question), Chunk("c", "d", text, 0, len(text), None, "", 1, 1,
                                                        title=title, date=date))

    strike = "How did the government respond to the international seamen's strike of June 1911?"
    assert far(strike, "1954-06-01") and far(strike, "1908-03-01")
    assert not far(strike, "1911-07-01") and not far(strike, "1913-12-31") and not far(strike, None)
    assert not far(strike, "1954-06-01", text="De staking van 1911 in de havens van Amsterdam en Rotterdam.")
    assert not far(strike, "1954-06-01", title="Verslag over 1911")
    assert not far("What did the government say in the 1910s about the strike?", "1917-05-01")
    assert far("What did the government say in the 1910s about the strike?", "1925-05-01")
    assert not far("Wat besloot de Kamer in 1920-1921 over de huren?", "1921-06-01")
    assert not far("Wat zei de VVD over terugkeer?", "1954-06-01")  # no year asked


def test_the_fitted_judge_weighs_a_far_year_against_the_passage():
    """Fitted on the labelled cases, a paper far from the year asked lowers the probability of answering."""
    from rag.models import DEFAULT_MODEL

    fitted = logistic_judge_for(DEFAULT_MODEL)
    assert fitted.weights[FEATURES.index("year_far")] < 0
    # ho21-na-18: the seamen's strike of 1911 → a 1954 bill's English declaration, answered without it
    case = {name: 0.0 for name in FEATURES} | {"cosine": 0.82, "standout": 4.67, "coverage": 0.2,
                                              "weighted_coverage": 0.14, "english": 1.0, "soft_coverage": 0.76}
    assert fitted.probability(case | {"year_far": 1.0}) < fitted.probability(case)


@pytest.mark.parametrize("signals", [
    # "How did the government respond in 2019 to the Council of State ruling that struck down the Programma Aanpak
    # Stikstof?" → the Raad van State's 1981 advice on the Paris agreements, as measured on the whole corpus
    {"cosine": 0.838, "standout": 7.176, "coverage": 0.417, "weighted_coverage": 0.275, "english": 1.0},
    # "Waarom besloot het kabinet in juni 2022 het aantal vliegbewegingen op Schiphol terug te brengen naar
    # 440.000?" → 1991 questions on the police at Schiphol
    {"cosine": 0.868, "standout": 3.727, "coverage": 0.231, "weighted_coverage": 0.22, "english": 0.0},
])
def test_the_fitted_judge_refuses_a_passage_not_of_the_recent_year_asked(signals):
    """Both were answered (probability 0.91 and 0.73) by the judge without this signal; the fitted one refuses
    them for it alone, and would answer them without it."""
    from rag.models import DEFAULT_MODEL

    fitted = logistic_judge_for(DEFAULT_MODEL)
    case = {name: 0.0 for name in FEATURES} | signals | {"soft_coverage": 0.79}
    assert not fitted.answers(case | {"recent_year_missing": 1.0})
    assert fitted.answers(case | {"recent_year_missing": 0.0})


def test_a_born_digital_passage_misses_the_share_of_the_questions_named_things_it_does_not_hold():
    """Named things the index holds but a born-digital passage does not: Schiphol and Rotterdam missing from a
    2026 passage on asylum, half of "Frontex" and "Griekenland"'s pair. Not for a scanned paper, not for
    countries (their own signals), numbers or an English question's ordinary words ("Port", "October"), and a
    glossary rendering counts as held ("Commission" → "Commissie")."""
    from rag.answer import names_missing_digital
    from rag.types import Chunk

    lexical = LexicalIndex.build(["De marechaussee op Schiphol en in Rotterdam.", "Frontex en de Commissie.",
                                  "Terugkeer naar Griekenland.", "commission port october"])

    def missing(question, text, date="2026-01-22", party="JA21", section=""):
        chunk = Chunk("c", "d", text, 0, len(text), party, section, 1, 1, date=date)
        return names_missing_digital(parse_question(question), chunk, lexical)

    asylum = "Deelt het kabinet de visie dat asielverzoeken buiten EU-grondgebied worden ingediend?"
    question = "How did the Entry/Exit System of 12 October 2025 affect checks at Schiphol and the Port of Rotterdam?"
    assert missing(question, asylum) == 1.0  # Schiphol and Rotterdam; not Port, October, 12, 2025
    assert missing(question, asylum + " Op Schiphol niet.") == 0.5
    assert missing(question, asylum, date="1991-06-01") == 0.0 and missing(question, asylum, date=None) == 0.0
    assert missing("Wat vroeg JA21 over Frontex en Griekenland?", "Frontex helpt niet.") == 0.0  # a country is not counted
    assert missing("Wat vroeg JA21 over Frontex?", "De terugkeer loopt.") == 1.0
    assert missing("What did JA21 expect of the Commission on Frontex?", "De Commissie en Frontex.") == 0.0
    assert missing("What did JA21 expect of the Commission on Frontex?", "De Commissie moet optreden.") == 0.5
    assert missing("Wat vroeg JA21 over de Zuid-Afrikaanse Wereldbank?", asylum) == 0.0  # unknown to the index
    assert missing("Wat vroeg JA21 over terugkeer?", asylum) == 0.0  # no named thing


@pytest.mark.parametrize("signals", [
    # "How did the start of the EU Entry/Exit System (EES) on 12 October 2025 affect border checks at Schiphol and
    # the Port of Rotterdam?" → JA21 on asylum outside the EU (2026), as measured on the whole corpus
    {"cosine": 0.831, "standout": 3.705, "coverage": 0.2, "weighted_coverage": 0.14, "english": 1.0,
     "names_missing_digital": 0.667, "soft_coverage": 0.77},
    # "What is the Dutch government's position on the European Central Bank's plans for a digital euro?" → a VVD
    # speech of 2014 on the European summit's agenda
    {"cosine": 0.853, "standout": 3.826, "coverage": 0.111, "weighted_coverage": 0.09, "english": 1.0,
     "names_missing_digital": 1.0, "soft_coverage": 0.815},
])
def test_the_fitted_judge_refuses_a_born_digital_passage_without_the_named_things_asked(signals):
    """Both were answered without this signal (probability 0.72 and 0.95); the fitted judge refuses them for it."""
    from rag.models import DEFAULT_MODEL

    fitted = logistic_judge_for(DEFAULT_MODEL)
    case = {name: 0.0 for name in FEATURES} | signals
    assert not fitted.answers(case)
    assert fitted.answers(case | {"names_missing_digital": 0.0})


def test_coverage_reads_a_word_ocr_broke_at_a_line_end():
    """"be-voegdheden" in an OCR'd passage is the question's "bevoegdheden"."""
    from rag.answer import coverage
    from rag.types import Chunk

    question = parse_question("Wat zei de PvdA over de bevoegdheden en de rechtsbescherming?")
    broken = "De leden waren van mening dat de be-voegdheden ruim zijn en de rechtsbescher- ming klein."
    whole = "De leden waren van mening dat de bevoegdheden ruim zijn en de rechtsbescherming klein."
    assert coverage(question, Chunk("a", "d", broken, 0, len(broken), "PvdA", "", 1, 1)) == \
        coverage(question, Chunk("b", "d", whole, 0, len(whole), "PvdA", "", 1, 1)) == 1.0
    # over a line end too; a shortened compound ("ouder- en kindzorg") is no broken word
    from rag.answer import _UNHYPHENATED

    assert _UNHYPHENATED.sub(r"\1\2", "rechtsbescher-\n  ming") == "rechtsbescherming"
    compounds = "de ouder- en kindzorg, land- of tuinbouw"
    assert _UNHYPHENATED.sub(r"\1\2", compounds) == compounds


def test_coverage_leaves_out_the_words_that_frame_a_question():
    """"Wat is er in de Kamer gezegd over de Spreidingswet?" asks about the Spreidingswet: a passage that
    says "gezegd" and "Kamer" covers none of it."""
    from rag.answer import coverage
    from rag.types import Chunk

    text = "De minister heeft in de Kamer gezegd dat de begroting sluitend is; er zijn vragen gesteld."
    chunk = Chunk("a", "d", text, 0, len(text), "", "", 1, 1)
    assert coverage(parse_question("Wat is er in de Kamer gezegd over de Spreidingswet?"), chunk) == 0.0
    assert coverage(parse_question("Welke vragen zijn er gesteld over de begroting?"), chunk) == 1.0
    assert coverage(parse_question("What was asked in the chamber about the budget, according to the MPs?"),
                    chunk) == 1.0  # "budget" → "begroting"; the rest frames the question
    # compared as written: "stelsel" shares its stem with "gesteld" and stays a word of the subject
    system = "Het stelsel van toeslagen wordt herzien."
    assert coverage(parse_question("Welke vragen zijn er gesteld over het stelsel?"),
                    Chunk("b", "d", system, 0, len(system), "", "", 1, 1)) == 1.0


@pytest.mark.slow
def test_a_party_without_a_fitting_passage_gets_the_closest_of_the_others(real_index):
    """The SGP wrote nothing on Uganda: the answer says so, and shows the other parties' closest passages,
    labelled as theirs; JA21 on Uganda is JA21's own subject."""
    from rag.api import Assistant

    assistant = Assistant(real_index, chat_model=False)
    sgp = assistant.ask("Wat vroeg de SGP over Oeganda?")
    assert sgp.status == "party_missing" and sgp.others and all(h.chunk.party != "SGP" for h in sgp.others)
    assert "Dichtstbijzijnde passages van andere partijen" in sgp.text
    assert assistant.ask("What did JA21 ask about Uganda?").status == "found"


def test_an_english_questions_named_things_count_as_known_in_their_dutch_form():
    """"Geneva" is "Genève" in the papers, "June" is "juni": an English question's named things are
    looked up in the dictionary's Dutch forms too, not counted as absent from the index."""
    from rag import translation

    if not (translation.dictionary_dir() / "freedict-eng-nld.index").exists():
        pytest.skip("the FreeDict dictionaries are not installed (make dictionary)")
    lexical = LexicalIndex.build(["Het verdrag werd in juni te Genève gesloten door de katholieke bond."])
    assert unknown_names(parse_question("Which convention was concluded in Geneva in June?"), lexical) == 0
    assert unknown_names(parse_question("What was concluded in Geneva about ChatGPT?"), lexical) == 1
    # a Dutch question's words are not read as English
    assert unknown_names(parse_question("Wat werd er in Geneva besloten?"), lexical) == 1


def test_a_party_question_is_judged_by_whose_passage_it_is_and_what_stands_above_it():
    """A party's question: whether the best passage is the party's own or only names it, and how far
    the best passage of the whole index (any party's) lies above it; neither counts for a question
    not scoped to a party."""
    from rag.answer import signals
    from rag.retriever import Standing
    from rag.types import Chunk, Hit

    text = "De leden van de CDA-fractie vragen naar de terugkeer van asielzoekers."
    own = Hit(Chunk("c", "d", text, 0, len(text), "CDA", "", 1, 1), 1.0, 1, 1, 1, 0.84, 3.0)
    named = Hit(Chunk("n", "d", text, 0, len(text), None, "", 1, 1, mentions=("CDA",)), 1.0, 1, 1, 1, 0.84, 3.0)
    party = parse_question("Wat vroeg het CDA over de terugkeer?")
    above = Standing(0.05, 4.0, anywhere=0.87)
    assert signals(own, party, above)["unattributed"] == 0.0
    assert signals(named, party, above)["unattributed"] == 1.0
    assert signals(own, party, above)["party_gap"] == pytest.approx(0.03)
    assert signals(own, party, Standing(0.05, 4.0, anywhere=0.84))["party_gap"] == 0.0
    votes = parse_question("Hoe stemde het CDA over de terugkeer?")  # a vote's result is the chair's
    assert votes.filters.about_votes and signals(named, votes, above)["unattributed"] == 0.0
    # what the government answered the party is the government's passage
    reply = parse_question("Wat antwoordde de minister op de vragen van het CDA over de terugkeer?")
    assert reply.wants_government and signals(named, reply, above)["unattributed"] == 0.0
    topic = parse_question("Wat is er gevraagd over de terugkeer?")
    assert signals(named, topic, Standing(0.05, 4.0))["unattributed"] == 0.0
    assert signals(named, topic, Standing(0.05, 4.0))["party_gap"] == 0.0


def _best_of_other_parties(collection, vector, asked, rows=None) -> float:
    rows = range(len(collection.chunks)) if rows is None else rows
    theirs = [r for r in rows if collection.chunks[r].party not in (None, *asked)]
    return float((collection.vectors[theirs] @ vector).max())


def test_the_best_passage_of_another_party_is_looked_up_for_a_party_question_only(fake_index):
    """`search_with_margin` gives a party's question the best cosine of another party's passage, not of a
    passage of no party (a minister's reply, a list of questions); a question without a party needs none."""
    from rag.collection import Collection
    from rag.retriever import Standing, search_with_margin

    collection = Collection.load(fake_index)
    query = parse_question("Wat vroeg de BBB over terugkeer?")
    hits, standing = search_with_margin(collection, query, 5)
    assert hits and all(h.chunk.party == "BBB" or "BBB" in h.chunk.mentions for h in hits)
    vector = collection.query_vector(query.search_text)
    anywhere = _best_of_other_parties(collection, vector, ("BBB",))
    assert standing.anywhere == pytest.approx(anywhere, abs=1e-5)
    assert anywhere > max(h.dense_score for h in hits)  # another party's passage stands above the BBB's here
    assert search_with_margin(collection, parse_question("Wat is er gevraagd over terugkeer?"), 5)[1].anywhere is None
    # within the question's other filters: a document filter keeps "anywhere" inside that document
    from dataclasses import replace

    doc, motion = "vso-jbz-raad-2026-01-22", parse_question("Wat vroeg de BBB over de motie-Wassenberg?")
    scoped = replace(motion, filters=replace(motion.filters, doc_ids=(doc,)))
    rows = [i for i, c in enumerate(collection.chunks) if c.doc_id == doc]
    vector = collection.query_vector(motion.search_text)
    inside = _best_of_other_parties(collection, vector, ("BBB",), rows)
    assert inside < float((collection.vectors @ vector).max())  # the motion's own passages are elsewhere
    found = search_with_margin(collection, scoped, 5)
    assert found[0] and all(h.chunk.doc_id == doc for h in found[0])
    assert found[1].anywhere == pytest.approx(inside, abs=1e-5)
    assert search_with_margin(collection, replace(query, filters=replace(query.filters, doc_ids=("none",))), 5) \
        == ([], Standing())


def test_a_passage_of_no_party_is_not_the_other_partys():
    """Above the BBB's own passage stand a minister's reply (no party) and the VVD's: the gap is to the VVD's."""
    from types import SimpleNamespace

    import numpy as np

    from rag.retriever import best_anywhere

    scores = np.array([0.95, 0.90, 0.85, 0.80])
    collection = SimpleNamespace(
        chunks=[SimpleNamespace(party=p) for p in (None, "VVD", "BBB", "CDA")],
        rows_where=lambda filters: None, query_vector=lambda text: np.zeros(3),
        backend=SimpleNamespace(dense_top=lambda vector, n, rows, where: list(np.argsort(-scores)[:n]),
                                dense_scores=lambda vector, rows: scores[rows]))
    assert best_anywhere(collection, parse_question("Wat vroeg de BBB over terugkeer?")) == pytest.approx(0.90)
    assert best_anywhere(collection, parse_question("Wat vroegen de BBB en de VVD over terugkeer?")) == \
        pytest.approx(0.80)
    assert best_anywhere(collection, parse_question("Wat is er gevraagd over terugkeer?")) is None


def test_an_english_questions_words_count_in_their_dutch_forms_and_compounds():
    """"return regulation" is the glossary's "terugkeerverordening", "migration pact" its "migratiepact":
    an English question's words count as covered by a passage that says them in Dutch, inside a
    compound too (coverage took the glossary word by word and found neither)."""
    from rag.answer import coverage
    from rag.types import Chunk

    question = parse_question("Does the VVD think the return regulation can still enter into force with the migration pact?")
    text = "Acht de minister het realistisch om de terugkeerverordening tegelijk met het migratiepact in werking te laten treden?"
    other = "De leden vragen naar de opvang van vluchtelingen in Griekenland."
    covered = coverage(question, Chunk("a", "d", text, 0, len(text), "VVD", "", 1, 1))
    assert covered >= 0.5
    assert coverage(question, Chunk("b", "d", other, 0, len(other), "VVD", "", 1, 1)) < covered / 2


def test_a_quoted_term_must_stand_in_the_passage_word_for_word():
    """A user quotes what the paper says: 'keuze-aannemer' missing from the passage counts against it,
    the quoted words present (an English question's in a Dutch form) do not; apostrophes are no quotes."""
    from rag.answer import quoted_missing
    from rag.types import Chunk

    text = "De leden vroegen of het werk aan één keuze-aannemer wordt gegund, zonder aanbesteding."
    chunk = Chunk("c", "d", text, 0, len(text), "PvdA", "", 1, 1)
    other = Chunk("o", "d", "De bouwkosten van woningen stijgen.", 0, 34, "PvdA", "", 1, 1)
    question = parse_question("What did the PvdA say about a single 'keuze-aannemer' to curb building costs?")
    assert quoted_missing(question, chunk) == 0
    assert quoted_missing(question, other) == 1
    assert quoted_missing(parse_question("Wat zei de PvdA over de \"keuze-aannemer\" en 'aanbesteding'?"), other) == 2
    assert quoted_missing(parse_question("What did the CDA ask about Sweden's plans and the minister's reply?"),
                          other) == 0
    # the user's English rendering, the paper's word in brackets: either may stand in the passage
    effect = Chunk("e", "d", "Het telorde-effect treft ongehuwd samenwonenden.", 0, 48, "PvdA", "", 1, 1)
    assert quoted_missing(parse_question("What did the PvdA ask about the 'rank-order effect' (telorde-effect)?"),
                          effect) == 0
    assert quoted_missing(parse_question("What did the PvdA ask about the 'rank-order effect' (telorde-effect)?"),
                          other) == 1
    assert quoted_missing(parse_question("What did the PvdA ask about the 'rank-order effect'?"), effect) == 1
    dutch = Chunk("g", "d", "Landen met een aanzienlijke migratiedruk krijgen korting.", 0, 57, "CDA", "", 1, 1)
    from rag import translation

    if (translation.dictionary_dir() / "freedict-eng-nld.index").exists():
        assert quoted_missing(parse_question("What did the CDA ask about the 'considerable discount'?"), dutch) == 0


def test_the_chamber_and_a_partys_members_are_not_a_questions_subject():
    """"in de Eerste Kamer" says where, "PvdA-Kamerleden" who (the party is the filter, "-Kamerleden" is
    left): neither is a word the passage must hold."""
    from rag.answer import coverage
    from rag.types import Chunk

    text = "De leden vroegen naar de bouw van een nieuw gemeentehuis."
    chunk = Chunk("c", "d", text, 0, len(text), "PvdA", "", 1, 1)
    assert coverage(parse_question("Wat vroegen PvdA-Kamerleden over de bouw van een gemeentehuis?"), chunk) == 1.0
    assert coverage(parse_question("Wat vroeg de PvdA in de Eerste Kamer over de bouw van een gemeentehuis?"),
                    chunk) == 1.0
    assert coverage(parse_question("Wat vroeg de PvdA over de bouw van een raadhuis?"), chunk) < 1.0


def test_weighted_coverage_weighs_a_questions_rare_words_above_its_common_ones():
    """"volkstelling" is rare in the index, "gehouden" and "uiteindelijk" are common: a passage holding the
    common two covers half the words but little of their weight; holding the rare one, most of it.
    A word no passage holds weighs most of all; an English word weighs as its most used Dutch form."""
    from rag.answer import coverage, weighted_coverage
    from rag.types import Chunk

    common = ["De verkiezingen werden uiteindelijk in mei gehouden.", "De zitting werd gehouden.",
              "Uiteindelijk werd het voorstel aangenomen.", "Het debat werd gehouden en uiteindelijk gesloten."]
    lexical = LexicalIndex.build(common + ["De volkstelling van 1971 kostte veel geld."])
    from rag.lexical import tokenize

    census, held, unheld = (tokenize([w])[0][0] for w in ("volkstelling", "gehouden", "ChatGPT"))
    assert lexical.rarity(census) > lexical.rarity(held) > 0
    assert lexical.rarity(unheld) > lexical.rarity(census)  # held by no passage
    question = parse_question("Waarom werd de volkstelling uiteindelijk niet gehouden?")
    elsewhere = Chunk("a", "d", common[0], 0, len(common[0]), None, "", 1, 1)
    assert coverage(question, elsewhere) == pytest.approx(2 / 3)
    assert weighted_coverage(question, elsewhere, lexical) < 0.5
    text = "Of de volkstelling wordt gehouden, is nog niet zeker."
    on_topic = Chunk("b", "d", text, 0, len(text), None, "", 1, 1)
    assert coverage(question, on_topic) == pytest.approx(2 / 3)
    assert weighted_coverage(question, on_topic, lexical) > 0.7
    from rag import translation

    if (translation.dictionary_dir() / "freedict-eng-nld.index").exists():
        english = parse_question("Why was the population count delayed in the end?")  # "end": "einde", common
        ends = "Het debat liep ten einde."
        ending = Chunk("c", "d", ends, 0, len(ends), None, "", 1, 1)
        counted = "De bevolking werd geteld."
        population = Chunk("e", "d", counted, 0, len(counted), None, "", 1, 1)
        lexical = LexicalIndex.build(["Aan het einde werd gestemd.", "Het einde van de zitting kwam laat.", ends,
                                      "Het debat kwam ten einde.", "De bevolking groeide."])
        assert coverage(english, ending) > 0
        assert weighted_coverage(english, ending, lexical) < coverage(english, ending) / 2
        assert weighted_coverage(english, population, lexical) > coverage(english, population)


def test_an_english_word_of_several_parts_is_held_only_whole():
    """"COVID-19" is not held by a passage that says "19 november" (it was: any part counted)."""
    from rag.answer import coverage
    from rag.types import Chunk

    text = "Vragen over inenting tegen pokken, ingezonden 19 november 1966."
    chunk = Chunk("c", "d", text, 0, len(text), None, "", 1, 1)
    assert coverage(parse_question("Which questions were asked about COVID-19?"), chunk) == 0.0
    covid = "Vragen over COVID-19 bij kinderen."
    assert coverage(parse_question("Which questions were asked about COVID-19?"),
                    Chunk("d", "d", covid, 0, len(covid), None, "", 1, 1)) == 1.0


def test_a_written_questions_heading_does_not_cover_the_question_for_each_of_its_passages():
    """"Vragen van het lid Van Traa (PvdA) over Zaïre" is the section of every question and answer of the
    set: a passage covers "Zaïre" by saying it, not by its heading; another section still counts."""
    from rag.answer import coverage
    from rag.types import Chunk

    text = "2 Zijn speciale stappen te verwachten van de Europese Gemeenschap?"
    question = parse_question("Wat is er gevraagd over Zaïre?")
    heading = Chunk("q", "d", text, 0, len(text), "PvdA", "Vragen van het lid Van Traa (PvdA) over Zaïre", 1, 1)
    assert coverage(question, heading) == 0.0
    subsection = Chunk("s", "d", text, 0, len(text), "PvdA", "Zaïre", 1, 1)
    assert coverage(question, subsection) == 1.0


def test_soft_coverage_is_each_question_tokens_best_match():
    import numpy as np

    from rag.token_match import own_tokens, soft_coverage

    e = np.eye(4, dtype=np.float32)
    assert soft_coverage(e[:2], e) == pytest.approx(1.0)  # every token of the question has its twin
    assert soft_coverage(e[:2], e[[0, 2, 3]]) == pytest.approx(0.5)  # the second has none
    near = np.array([[0.8, 0.6, 0, 0]], dtype=np.float32)
    assert soft_coverage(e[:1], near) == pytest.approx(0.8)  # credited by its closest token
    assert soft_coverage(e[:0], e) == 0.0 and soft_coverage(e, e[:0]) == 0.0
    # "<s> query : Wat ... </s>": the special tokens and the prompt's are not the text's
    offsets = [(0, 0), (0, 5), (5, 6), (6, 10), (10, 14), (0, 0)]
    assert own_tokens(offsets, [1, 0, 0, 0, 0, 1], len("query: ")) == [3, 4]


def test_soft_coverage_is_a_signal_of_the_judge_with_an_embedder():
    from rag.answer import signals, soft_coverage
    from rag.embedding import FakeEmbedder
    from rag.retriever import Standing
    from rag.types import Chunk, Hit

    def hit(text: str) -> Hit:
        return Hit(Chunk("a", "d", text, 0, len(text), "JA21", "", 1, 1), 1.0, 1, dense_score=0.85)

    embedder = FakeEmbedder()
    query = parse_question("Wat vroeg JA21 over de terugkeer naar Oeganda?")
    on_topic, elsewhere = hit("Hoeveel asielzoekers keerden terug naar Oeganda?"), hit("De begroting voor wegen.")
    assert soft_coverage(query, on_topic.chunk, embedder) > soft_coverage(query, elsewhere.chunk, embedder)
    assert signals(on_topic, query, Standing(), embedder=embedder)["soft_coverage"] == \
        pytest.approx(soft_coverage(query, on_topic.chunk, embedder))
    assert signals(on_topic, query, Standing())["soft_coverage"] == 0.0  # no model to ask


@pytest.mark.slow
def test_soft_coverage_crosses_languages_on_the_real_model():
    """"relocation" meets "herplaatsing", which no glossary entry renders: more of the question is matched
    than by a passage on another subject in the same words' company."""
    from rag.answer import coverage, soft_coverage
    from rag.embedding import SentenceTransformerEmbedder
    from rag.types import Chunk

    def chunk(text: str) -> Chunk:
        return Chunk("a", "d", text, 0, len(text), "GroenLinks-PvdA", "", 1, 1)

    embedder = SentenceTransformerEmbedder()
    query = parse_question("How many relocation places were actually realised?")
    asked = chunk("Hoeveel herplaatsingsplekken zijn er daadwerkelijk gerealiseerd?")
    other = chunk("Hoeveel wegen zijn er daadwerkelijk aangelegd?")
    assert soft_coverage(query, asked, embedder) > soft_coverage(query, other, embedder) + 0.02
    assert coverage(query, asked) < 1.0  # the words alone do not say it


@pytest.mark.parametrize("question, names", [
    ("Hoe regelt de Wet toekomst pensioenen het invaren van bestaande pensioenaanspraken?", ["Wet toekomst pensioenen"]),
    ("Wat is er gezegd over de Wet deregulering beoordeling arbeidsrelaties (Wet DBA) voor zzp'ers?",
     ["Wet deregulering beoordeling arbeidsrelaties", "Wet DBA"]),
    ("Wat is er gezegd over de Wet zorg en dwang voor mensen met dementie?", ["Wet zorg en dwang"]),
    ("Hoe stond de regering tegenover de Wet op de Omzetbelasting 1954?", ["Wet op de Omzetbelasting 1954"]),
    ("Wat wilden zij weten over artikel 14 van de Wet werkloosheidsvoorziening, en waarom?", ["Wet werkloosheidsvoorziening"]),
    ("Wat zei de minister over de Wet investeringsrekening naast de premies?", ["Wet investeringsrekening"]),
    ("Is de Wet van kracht?", []), ("De Wet werd aangenomen.", []), ("Wat staat er in het Verdrag van Lissabon?", []),
])
def test_a_dutch_questions_law_names_end_where_the_name_does(question, names):
    from rag.judge import law_names

    assert law_names(question) == names


def test_a_place_asked_by_todays_name_is_known_by_the_name_the_archive_uses():
    """Staff ask about "Aceh", "Sri Lanka", "Thailand"; the papers of 1896 say "Atjeh", "Ceylon", "Siam":
    the place is known, searched under that name too, and named by the passage."""
    from rag.countries import countries_in

    lexical = LexicalIndex.build(["Wij herdenken de offers, door den strijd in Atjeh geëischt.",
                                  "De rijst uit Birma en de thee van Ceylon."])
    for question in ("What was said about the fighting in Aceh?", "Wat werd gezegd over de strijd in Aceh?"):
        assert unknown_names(parse_question(question), lexical) == 0
        assert "Atjeh" in parse_question(question).terms
    assert unknown_names(parse_question("What was said about the fighting in Lombok?"), lexical) == 1
    # an Indonesian name in today's spelling is known in the Dutch-era one ("oe" for "u", "dj" for "j")
    lexical = LexicalIndex.build(["De contracten met Toriboeloe en Bodjonegoro werden overgelegd."])
    assert unknown_names(parse_question("What did the contracts with Toribulu and Bojonegoro regulate?"), lexical) == 0
    assert unknown_names(parse_question("What did the contracts with Toribulu and Kasimbar regulate?"), lexical) == 1
    assert countries_in("What about tea from Sri Lanka?") == countries_in("De thee van Ceylon", loose=True) == {"LK"}
    assert countries_in("Wat vroeg de VVD over Thailand?") == countries_in("De Koning van Siam", loose=True) == {"TH"}
    assert countries_in("Birmaansche rijst", loose=True) == {"MM"}


@pytest.mark.slow
@pytest.mark.parametrize("question", ["What did the draft Address in reply of 1896 say about the fighting in Aceh?",
                                      "Wat zei het ontwerp-Adres van Antwoord van 1896 over de strijd in Aceh?"])
def test_a_place_by_todays_name_finds_the_historic_paper_on_the_real_model(shared_corpus, tmp_path, question):
    """The 1896 Address in reply says "den strijd in Atjeh"; asked about Aceh, it is quoted (it was "not found"
    while "Aceh" counted as a name the corpus never holds)."""
    import shutil

    from rag.api import Assistant
    from rag.indexer import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("sgd-0000373007", "sgd-0000445423", "sgd-0000161074"):
        for path in (shared_corpus / "sgd").glob(f"{name}.txt*"):
            shutil.copy(path, corpus / path.name)
    build_index([corpus], tmp_path / "index")
    answer = Assistant(tmp_path / "index", chat_model=False).ask(question)
    assert answer.status == "found" and "strijd in Atjeh" in answer.quotes[0].text


def test_an_english_comparative_in_a_name_is_known_by_its_base():
    """"the Higher Education Act": the dictionary lists "high" ("hoog"), not "higher"; a name that only ends
    like one ("Luther") is still looked up as it is."""
    lexical = LexicalIndex.build(["Het hoog onderwijs en de act.", "De wet op het onderwijs."])
    assert unknown_names(parse_question("What did Aalberse say about the Higher Education Act?"), lexical) == 1  # Aalberse
    lexical = LexicalIndex.build(["Aalberse over het hoog onderwijs en de act."])
    assert unknown_names(parse_question("What did Aalberse say about the Higher Education Act?"), lexical) == 0
    assert unknown_names(parse_question("What did Luther say about the Higher Education Act?"), lexical) == 1


def test_a_law_named_in_full_is_unknown_when_no_passage_names_it(tmp_path, fake_embedder):
    """"wet", "toekomst" and "pensioenen" are all in the index, the law's name nowhere: the corpus cannot say
    what that law does. A name written across a line break and a hyphen still counts as there."""
    from rag.collection import Collection
    from rag.indexer import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("De wet over de toekomst van de pensioenen werd besproken.\n\n"
                                  "Wijziging van de Wet op de rechts-\nbijstand, zoals de minister voorstelde.\n",
                                  encoding="utf-8")
    build_index([corpus], tmp_path / "index", embedder=fake_embedder)
    collection = Collection.load(tmp_path / "index", embedder=fake_embedder)
    assert not collection.holds_phrase("Wet toekomst pensioenen")
    assert collection.holds_phrase("Wet op de rechtsbijstand")
    assert collection.holds_phrase("wet over de toekomst")
    lexical = collection.lexical
    pensions = parse_question("Hoe regelt de Wet toekomst pensioenen het invaren?")
    assert unknown_names(pensions, lexical) == 0  # word by word, every one is there
    assert unknown_names(pensions, lexical, collection.holds_phrase) == 1
    assert unknown_names(parse_question("Wat wijzigde de Wet op de rechtsbijstand?"), lexical, collection.holds_phrase) == 0
    # an English question's law is not looked up word for word: its Dutch name reads otherwise
    assert unknown_names(parse_question("What does the Wet toekomst pensioenen say?"), lexical, collection.holds_phrase) == 0


def test_the_passages_holding_every_term_come_from_the_postings():
    lexical = LexicalIndex.build(["de wet op de rechtsbijstand", "de rechtsbijstand", "een wet", "wet en rechtsbijstand"])
    from rag.lexical import tokenize

    assert lexical.passages_holding(tokenize(["wet rechtsbijstand"])[0]).tolist() == [0, 3]
    assert lexical.passages_holding(tokenize(["wet ChatGPT"])[0]).tolist() == []


def test_an_acronyms_plural_and_a_countrys_words_are_not_unknown_names():
    """"NVs" is the plural of "NV"; "Saudi" is part of "Saudi Arabia", which the index calls "Saoedi-Arabië"
    (a country is judged whole, by `country_missing`): neither is a thing the corpus has never heard of."""
    lexical = LexicalIndex.build(["De overdracht van aandelen in een NV of BV.", "Saoedi-Arabië en de VN."])
    assert unknown_names(parse_question("Why was the advice on shares in NVs and BVs not made public?"), lexical) == 0
    assert unknown_names(parse_question("What was asked about executions in Saudi Arabia?"), lexical) == 0
    # outside the country's name "Saudi" is known as the index writes it ("oe" for "u": `colonial_spellings`)
    assert unknown_names(parse_question("What was asked about executions in Saudi Qatarland?"), lexical) == 1
    assert unknown_names(parse_question("Why was the advice on shares in XYZs not made public?"), lexical) == 1
    # the words that frame a question name who asks, not a thing: "D66 MPs", "the Chamber"
    assert unknown_names(parse_question("What did D66 MPs ask the Chamber about shares in NVs?"), lexical) == 0


def test_an_international_body_is_known_by_its_dutch_acronym():
    """"the EEC" is "de E.E.G." in the papers, "NATO" "de NAVO", "the UN" "de V.N.": an English acronym the
    index lacks is no unknown name when its Dutch one is there."""
    lexical = LexicalIndex.build(["De E.E.G. en de NAVO, zo zeiden de leden, en de V.N. in New York."])
    assert unknown_names(parse_question("What did the D66 members ask about the EEC directives?"), lexical) == 0
    assert unknown_names(parse_question("Which NATO and UN obligations were discussed?"), lexical) == 0
    assert unknown_names(parse_question("What did the OECD report say?"), lexical) == 1


def test_a_costly_signal_is_needed_only_when_it_can_change_the_decision():
    """`settled`: the decision without the soft coverage when it is the same at the lowest and the highest
    value that signal took in the fitted cases; `best_answers` then spares the passage's forward pass."""
    from rag.answer import Judge, best_answers
    from rag.retriever import Standing
    from rag.types import Chunk, Hit

    n = len(FEATURES)
    weights = tuple(4.0 if name in ("cosine", "soft_coverage") else 0.0 for name in FEATURES)
    ranges = tuple((0.6, 0.9) if name == "soft_coverage" else (0.0, 1.0) for name in FEATURES)
    judge = LogisticJudge(means=(0.0,) * n, scales=(1.0,) * n, weights=weights, bias=-4.0, threshold=0.5,
                          ranges=ranges)
    base = {name: 0.0 for name in FEATURES}
    assert judge.settled({**base, "cosine": 2.0}, "soft_coverage") is True  # 8 − 4 + soft × 4 > 0 for any soft
    assert judge.settled({**base, "cosine": -1.0}, "soft_coverage") is False
    assert judge.settled({**base, "cosine": 0.3}, "soft_coverage") is None  # soft 0.6 → no, 0.9 → yes
    assert LogisticJudge((0.0,) * n, (1.0,) * n, weights, -4.0).settled(base, "soft_coverage") is None  # no ranges

    class Counting:
        calls = 0

        def encode_tokens(self, text, kind="query"):
            import numpy as np

            Counting.calls += 1
            return np.ones((1, 4), dtype=np.float32) / 2.0

    class Index:
        lexical, embedder = LexicalIndex.build(["een passage"]), Counting()

        @staticmethod
        def holds_phrase(phrase):
            return True

    def hit(cosine: float, text: str) -> list[Hit]:
        return [Hit(Chunk("a", "d", text, 0, len(text), None, "", 1, 1), 1.0, 1, dense_score=cosine)]

    query = parse_question("Wat is er gezegd over de begroting?")
    assert best_answers(hit(2.0, "een begroting"), query, Judge(), Standing(), judge, Index()) is True
    assert best_answers(hit(-1.0, "iets anders"), query, Judge(), Standing(), judge, Index()) is False
    assert Counting.calls == 0  # clear cases: no token vectors
    best_answers(hit(0.3, "de begroting"), query, Judge(), Standing(), judge, Index())
    assert Counting.calls == 2  # the question's and the passage's


def test_weighted_coverage_holds_a_dutch_compound_by_its_head_or_a_part_and_coverage_stays_exact():
    """The core document calls the Uganda pilot a "transithub"; asked about the "terugkeerhub", the
    passage holds the thing under another compound of the same head. A different head does not count,
    nor does an English question's word (its Dutch forms are looked up in full)."""
    from rag.answer import _compound_in, _subject_words_held, _weighted_share, coverage, weighted_coverage
    from rag.lexical import tokenize
    from rag.types import Chunk

    text = "Nederland en Oeganda tekenden een Letter of Intent voor een pilot van een transithub."
    chunk = Chunk("c", "d", text, 0, len(text), "JA21", "", 1, 1)
    lexical = LexicalIndex.build([text, "De terugkeer van vreemdelingen.", "Een nieuwe brug over de rivier."])
    question = parse_question("Wat wil JA21 weten over de terugkeerhub in Oeganda?")
    assert coverage(question, chunk) == pytest.approx(1 / 2)  # "Oeganda" held, "terugkeerhub" not
    assert weighted_coverage(question, chunk, lexical) == pytest.approx(1.0)
    passage = set(tokenize([text])[0])
    (hub,) = tokenize(["terugkeerhub"])[0]
    assert _compound_in(hub, passage)
    assert _compound_in(tokenize(["terugkeerbeleid"])[0][0], set(tokenize(["De terugkeer stokt."])[0]))  # a part
    assert not _compound_in(tokenize(["terugkeerhub"])[0][0], set(tokenize(["Een nieuwe verkeersbrug."])[0]))
    other = Chunk("o", "d", "Een nieuwe brug over de rivier in Oeganda.", 0, 42, None, "", 1, 1)
    assert weighted_coverage(question, other, lexical) < 0.5
    english = parse_question("What does JA21 want to know about the return hub in Uganda?")
    assert weighted_coverage(english, chunk, lexical) == pytest.approx(
        _weighted_share(_subject_words_held(english, chunk), lexical))
