"""Historic spelling meets today's: the words fold together, and BM25 finds an old paper by new words."""

from __future__ import annotations

import pytest

from rag.lexical import LexicalIndex
from rag.spelling import modern


@pytest.mark.parametrize("old, new", [
    ("begrooting", "begroting"), ("heeren", "heren"), ("nederlandsche", "nederlandse"), ("mensch", "mens"),
    ("regt", "recht"), ("pligten", "plichten"), ("zyn", "zijn"), ("practisch", "praktisch"),
    ("staatstoezigt", "staatstoezicht"), ("eenige", "enige"),
])
def test_old_and_new_spellings_fold_together(old, new):
    assert modern(old) == modern(new)


@pytest.mark.parametrize("word", ["hoofd", "steeds", "meeste", "fantastisch", "boom", "praktische"])
def test_words_already_modern_keep_their_form(word):
    assert modern(word) == word


def test_bm25_finds_the_historic_spelling_by_todays_words():
    index = LexicalIndex.build([
        "De Staatsbegrooting voor het dienstjaar 1865 regelt het geneeskundig staatstoezigt en de pligten der heeren.",
        "Het jaarverslag over de woningbouw in de gemeenten van het land.",
    ])
    scores = index.scores("de plichten van de heren bij het staatstoezicht")
    assert scores[0] > 0 and scores[1] == 0
