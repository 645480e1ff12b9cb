"""The core document's real layout: parties, pages, headings, footnotes, joins, hyphens."""

from __future__ import annotations

import re

from rag.structure import build_document
from rag.types import RawPage, Source

PARTY_START_PAGES = {"PVV": 1, "VVD": 2, "GroenLinks-PvdA": 3, "CDA": 5, "JA21": 6, "BBB": 11}
HEADINGS = [
    "Solidariteitspool", "Afghanistan", "Memorandum of Understanding tussen de EU en India", "Syrië", "Griekenland",
    "Werksessie I – Duurzame benaderingen van terugkeer en herintegratie",
    "Werklunch – Terugkeer naar Syrië en Afghanistan",
    "Werksessie II – Versterken van het Schengengebied: interne veiligheidsmaatregelen om secundaire migratie "
    "binnen Schengen te voorkomen",
]


def _source(*pages: str) -> Source:
    return Source("mem.txt", "0" * 64, tuple(RawPage(i + 1, tuple(p.split("\n"))) for i, p in enumerate(pages)))


def test_every_party_section_found_with_its_party_and_page(core_document):
    doc = core_document
    party_blocks = [b for b in doc.blocks if b.kind == "party"]
    assert [b.party for b in party_blocks] == list(PARTY_START_PAGES)
    for block in party_blocks:
        assert doc.page_at(block.start) == PARTY_START_PAGES[block.party]
    assert len(doc.page_starts) == 12


def test_passages_carry_the_party_of_their_section(core_chunks):
    by_party = {}
    for chunk in core_chunks:
        by_party.setdefault(chunk.party, []).append(chunk)
    assert set(by_party) == {None, *PARTY_START_PAGES}
    assert all("De vaste commissie" in c.text or "De vragen en opmerkingen" in c.text for c in by_party[None])
    uganda = [c for c in core_chunks if "Oeganda" in c.text]
    assert len(uganda) == 1 and uganda[0].party == "JA21"
    assert (uganda[0].page, uganda[0].page_end) == (9, 10)
    for chunk in core_chunks:
        for other in PARTY_START_PAGES:
            if other != chunk.party and chunk.party:
                assert f"leden van de {other}-fractie" not in chunk.text


def test_subheadings_become_sections(core_document):
    headings = [core_document.text[b.start:b.end] for b in core_document.blocks if b.kind == "heading"]
    assert headings == HEADINGS
    sections = {b.section for b in core_document.blocks if b.kind == "paragraph" and b.party == "CDA"}
    assert sections == {"", *HEADINGS[5:]}


def test_stray_part_heading_does_not_swallow_party_sections(core_document):
    parts = [b for b in core_document.blocks if b.kind == "part"]
    assert [core_document.text[b.start:b.end][:12] for b in parts] == ["II Reactie v", "I Vragen en ", "II Reactie v"]
    first_party = next(b for b in core_document.blocks if b.kind == "party")
    assert all(b.party == "PVV" for b in core_document.blocks[core_document.blocks.index(first_party):][:5])
    assert core_document.blocks[-1].kind == "part" and core_document.blocks[-1].party is None


def test_footnotes_are_notes_not_body_text(core_document, core_chunks):
    notes = core_document.notes
    assert [n.number for n in notes] == list(range(1, 10))
    assert "https://" not in core_document.text
    for note in notes:
        assert note.text[:40] not in core_document.text
        assert note.anchor >= 0
    assert notes[0].text.startswith("NRC, 15 januari 2026")
    assert notes[0].text.count("https://") == 1  # the repeated URLs are not appended
    assert "terugsturen-naar-griekenland-na-investeringen" in notes[0].text
    cited = next(c for c in core_chunks if "Van Zanten/Boomsma. Wanneer komt" in c.text)
    assert cited.notes == ("4 Kamerstuk 32317, nr. 983.",)
    assert "Griekenland. Kan de minister nader" in core_document.text  # marker "1" removed


def test_paragraphs_cut_by_page_breaks_and_footnotes_are_rejoined(core_chunks):
    joined = {
        "Kan de minister een schatting geven hoeveel dit Nederland gekost heeft? Wat zal": (1, 2),
        "Kan de minister aangeven op welke punten sinds de opstelling": (4, 5),
        "Ook vragen deze leden hoe het kabinet verwacht dat de Europese Commissie borgt": (5, 6),
        "voor een kleinschalige pilot van een transithub voor vertrekplichtige vreemdelingen uit de regio, maar "
        "beroept zich op diplomatieke vertrouwelijkheid": (9, 10),
    }
    for text, pages in joined.items():
        chunk = next((c for c in core_chunks if text in c.text), None)
        assert chunk is not None, text
        assert (chunk.page, chunk.page_end) == pages


def test_new_paragraph_after_page_break_stays_separate(core_chunks):
    starts = [c for c in core_chunks if c.text.startswith("In hoeverre heeft Nederland zich daar achter")]
    assert len(starts) == 1 and starts[0].page == 7


def test_line_end_hyphens_of_compounds_are_kept(core_document):
    for word in ("EVRM-jurisprudentie", "Taliban-regime", "Secretaris-Generaal", "EU-instrumenten", "JBZ-Raad",
                 "JA21-fractie voor een nieuw interpretatie-protocol"):
        assert word in core_document.text
    # "Asiel- en Migratiepact" is Dutch spelling; any other "word- word" would be a broken join.
    assert not re.search(r"\w- (?!en |of )\w", core_document.text)


def test_hyphenation_artefacts_are_repaired_only_where_they_are_artefacts():
    doc = build_document(_source(
        "Het ver-\nslag van de zee-\neend en de EU-\nlanden over re-\nintegratie.\n\nAlleen re-integratie telt."
    ))
    assert "Het verslag van de zee-eend en de EU-landen over re-integratie." in doc.text


def test_page_numbers_follow_offsets():
    doc = build_document(_source("Eerste pagina met tekst die", "doorloopt op de tweede.\n\nNieuwe alinea."))
    assert doc.text.startswith("Eerste pagina met tekst die doorloopt op de tweede.")
    assert doc.page_at(0) == 1
    assert doc.page_at(doc.text.index("doorloopt")) == 2
    assert doc.page_at(doc.text.index("Nieuwe")) == 2


def test_party_aliases_in_headings_are_canonical():
    doc = build_document(_source("Inbreng van de leden van de GL/PvdA-fractie\nDe leden stellen een vraag?"))
    assert [b.party for b in doc.blocks if b.kind == "paragraph"] == ["GroenLinks-PvdA"]


NATURALISATION_REPORT = """ZITTING 1953—1954 — 3088, 3095,
3096, 3097, 3098, 3099 en 3207
Naturalisatie van Maria Baum en 18 anderen
Naturalisatie van Harm Herman Bölkow en 20 anderen
Naturalisatie van Naftali Blaugrund en 20 anderen
VERSLAG No. 5
(De vroegere stukken betreffende de nos. 3088, 3095 en 3096 zijn gedrukt in de zitting 1952—1953)
Het onderzoek van bovengenoemde wetsontwerpen heeft de vaste Commissie voor de Naturalisaties geen aanleiding gegeven tot het maken van opmerkingen.
Vastgesteld 3 November 1953."""


def test_a_header_naming_several_bills_is_searched_with_every_passage(tmp_path):
    """A report on several bills is titled by the first; the others, named only in its header, are
    searched with its passages (sgd-0000283396: "Naftali Blaugrund" was in no passage, so a question
    naming him found nothing and the judge counted the name as absent from the index)."""
    from rag.chunking import chunk_document
    from rag.collection import Collection
    from rag.embedding import FakeEmbedder
    from rag.indexer import build_index

    doc = build_document(_source(NATURALISATION_REPORT))
    assert doc.title == "Naturalisatie van Maria Baum en 18 anderen"
    assert doc.subjects == ("Naturalisatie van Harm Herman Bölkow en 20 anderen",
                            "Naturalisatie van Naftali Blaugrund en 20 anderen")  # not the session, the kind
    answer = next(c for c in chunk_document(doc) if "geen aanleiding" in c.text)
    assert "Naftali Blaugrund" in answer.embed_text and "Blaugrund" not in answer.text
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "verslag.txt").write_text(NATURALISATION_REPORT, encoding="utf-8")
    build_index([folder], tmp_path / "index", embedder=FakeEmbedder(64))
    collection = Collection.load(tmp_path / "index", embedder=FakeEmbedder(64))
    assert collection.lexical.knows("blaugrund")
    assert any("blaugrund" in c.subjects.lower() for c in collection.chunks)  # stored with the passage
