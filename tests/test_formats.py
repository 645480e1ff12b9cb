"""Every kind of document, read with its structure: PDF, Handelingen, VLOS, Kamerstuk XML, HTML, OCR."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import BUNDLED, CORE
from rag.chunking import chunk_document
from rag.errors import DocumentError
from rag.ingest import read_source
from rag.ingest.text import decode, split_pages
from rag.structure import build_document


def parse(path: Path):
    doc = build_document(read_source(path))
    return doc, chunk_document(doc)


def _pdf_of_core(path: Path) -> Path:
    """The core document typeset as a PDF, one PDF page per page of the text, with a Unicode font."""
    import matplotlib
    from fpdf import FPDF

    font = Path(matplotlib.__file__).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
    pdf = FPDF(format="A4")
    pdf.add_font("dejavu", fname=str(font))
    pdf.set_font("dejavu", size=8)
    pdf.set_auto_page_break(False)
    for page in split_pages(decode(CORE.read_bytes())):
        pdf.add_page()
        for i, line in enumerate(page.lines):
            pdf.text(10, 10 + 4 * i, line.rstrip())
    pdf.output(str(path))
    return path


def test_pdf_of_the_core_document_gives_the_same_passages(tmp_path, core_document, core_chunks):
    pdf = _pdf_of_core(tmp_path / "vso-jbz-raad-2026-01-22.pdf")
    doc, chunks = parse(pdf)
    assert len(doc.page_starts) == 12
    assert doc.text == core_document.text
    assert [(c.text, c.party, c.section, c.page, c.page_end) for c in chunks] == \
           [(c.text, c.party, c.section, c.page, c.page_end) for c in core_chunks]
    assert [n.text for n in doc.notes] == [n.text for n in core_document.notes]


def test_real_pdf_decision_list_has_pages_and_metadata():
    doc, chunks = parse(BUNDLED / "besluitenlijst_example4.pdf")
    assert doc.doc_type == "besluitenlijst" and doc.date == "2011-03-08"
    assert chunks and all(1 <= c.page <= c.page_end <= len(doc.page_starts) for c in chunks)
    assert any("Libië" in c.text for c in chunks)


def test_handelingen_speeches_carry_speaker_party_and_agenda_item():
    doc, chunks = parse(BUNDLED / "h-tk-20172018-70-6.xml")
    assert doc.doc_type == "Handelingen" and doc.date == "2018-04-05"
    assert doc.title == "Stemmingen moties Informele Milieuraad d.d. 10-11 april 2018"
    graus = [c for c in chunks if c.speaker == "De heer Graus"]
    assert graus and {c.party for c in graus} == {"PVV"}
    assert graus[0].text.startswith("Mevrouw de voorzitter. Als het gaat om een afbouw van dierproeven")
    chair = [c for c in chunks if c.speaker == "De voorzitter"]
    assert chair and {c.party for c in chair} == {None}
    assert {c.section for c in chunks} == {doc.title}
    assert "(21501-08, nr. 719)" in doc.text  # inline references keep natural spacing


def test_vlos_turns_carry_fractie(shared_corpus):
    doc, chunks = parse(shared_corpus / "handelingen" / "vlos-tk-20142015-14-2014-10-15.xml")
    assert doc.date == "2014-10-15" and doc.doc_type == "Handelingen"
    buma = [c for c in chunks if c.speaker == "De heer Van Haersma Buma"]
    assert buma and {c.party for c in buma} == {"CDA"}
    assert {c.party for c in chunks if c.speaker == "De voorzitter"} == {None}
    assert any(c.party == "D66" and c.speaker == "De heer Pechtold" for c in chunks)
    assert not any(c.text.startswith("De heer Van Haersma Buma (CDA):") for c in chunks)


KAMERSTUK_XML = """<?xml version="1.0" encoding="UTF-8"?>
<officiele-publicatie><kamerstuk>
 <kamerstukkop><vergaderjaar>Vergaderjaar 2025–2026</vergaderjaar></kamerstukkop>
 <dossier><dossiernummer><dossiernr>32317</dossiernr></dossiernummer><titel>JBZ-Raad</titel></dossier>
 <stuk><ondernummer>Nr. 990</ondernummer><stuktitel>Verslag van een schriftelijk overleg</stuktitel>
  <divisie><kop><titel>Inbreng van de leden van de GL/PvdA-fractie</titel></kop>
   <al>De leden van de GroenLinks-PvdA-fractie lezen de brief.<noot id="n1"><noot.nr>1</noot.nr><noot.al>Kamerstuk 32317, nr. 983.</noot.al></noot> Klopt het dat er 21.000 plekken zijn?</al>
   <divisie><kop><titel>Syrië</titel></kop><al>Wat is de inzet ten aanzien van <nadruk type="vet">Syrië</nadruk>?</al></divisie>
  </divisie>
  <divisie><kop><titel>Inbreng van de leden van de BBB-fractie</titel></kop><al>De leden van de BBB-fractie hebben zorgen.</al></divisie>
 </stuk></kamerstuk></officiele-publicatie>"""


def test_kamerstuk_xml_headings_parties_and_notes(tmp_path):
    path = tmp_path / "kst-32317-990.xml"
    path.write_text(KAMERSTUK_XML, encoding="utf-8")
    doc, chunks = parse(path)
    assert (doc.dossier, doc.number) == ("32317", "990")
    assert doc.title.startswith("Verslag van een schriftelijk overleg") and doc.doc_type == "verslag schriftelijk overleg"
    assert [(c.party, c.section) for c in chunks] == [("GroenLinks-PvdA", ""), ("GroenLinks-PvdA", "Syrië"), ("BBB", "")]
    assert chunks[0].text == "De leden van de GroenLinks-PvdA-fractie lezen de brief. Klopt het dat er 21.000 plekken zijn?"
    assert chunks[0].notes == ("1 Kamerstuk 32317, nr. 983.",)
    assert "Kamerstuk 32317, nr. 983." not in doc.text


def test_html_page_of_a_kamerstuk(tmp_path):
    path = tmp_path / "kst.html"
    path.write_text("""<html><head><title>Verslag schriftelijk overleg</title><script>x()</script></head><body>
      <nav>menu</nav><div id="broodtekst">
      <h2>Inbreng van de leden van de CDA-fractie</h2><p>De leden van de CDA-fractie vragen naar Syrië.</p>
      <h3>Afghanistan</h3><p>Hoe beoordeelt het kabinet de spanning?</p>
      <div class="voetnoot"><p>1 Kamerstuk 32317, nr. 983.</p></div></div></body></html>""", encoding="utf-8")
    doc, chunks = parse(path)
    assert doc.title == "Verslag schriftelijk overleg"
    assert [(c.party, c.section, c.text) for c in chunks] == [
        ("CDA", "", "De leden van de CDA-fractie vragen naar Syrië."),
        ("CDA", "Afghanistan", "Hoe beoordeelt het kabinet de spanning?")]
    assert "menu" not in doc.text and "x()" not in doc.text and "Kamerstuk 32317" not in doc.text
    assert chunks[-1].notes


def test_ocr_verslag_party_paragraphs(shared_corpus):
    doc, chunks = parse(shared_corpus / "sgd" / "sgd-0000032086.txt")
    assert doc.doc_type == "verslag" and doc.date == "1990-12-14"
    # No metadata gives a title: the kind and the subject come from the content.
    assert doc.title.startswith("Verslag – Goedkeuring van de Overeenkomst tot oprichting van de Europese Bank")
    led: dict = {}
    for c in chunks:
        if c.party:
            led.setdefault(c.party, c.text)
    assert led["CDA"].startswith("De leden van de C.D.A.-fractie hadden met belangstelling")
    assert led["PvdA"].startswith("De leden van de P.v.d.A.-fractie konden instemming betuigen")
    assert led["VVD"].startswith("De leden van de V.V.D.-fractie hadden")  # split off within one OCR line
    assert "GroenLinks" in led
    assert any(c.section == "1. Algemeen" for c in chunks)
    assert not any(c.text.startswith("Samenstelling") for c in chunks)  # the footnote is a note


def test_written_questions_are_linked_to_their_answers(shared_corpus):
    doc, chunks = parse(shared_corpus / "sgd" / "sgd-0000000639.txt")
    assert doc.doc_type == "schriftelijke vragen"
    assert doc.title.startswith("Vragen van het lid Oedayraj Singh Varma (GroenLinks) over tandheelkundig amalgaam")
    questions = {c.qa: c for c in chunks if c.role == "question"}
    answers = {c.qa: c for c in chunks if c.role == "answer" and c.qa}
    assert {1, 2, 3} <= set(questions) and {1, 2, 3} <= set(answers)
    assert questions[1].party == "GroenLinks" and questions[1].speaker == "Oedayraj Singh Varma"
    # the heading opens question 1's passage: it says what the questions are about
    assert questions[1].text.startswith("Vragen van het lid Oedayraj Singh Varma (GroenLinks) over tandheelkundig")
    assert "(Ingezonden 10 november 1994) 1 Bestaat tandheelkundig amalgaam" in questions[1].text
    assert answers[1].speaker == "minister Borst-Eilers" and answers[1].party is None
    assert answers[1].text.startswith("1 Ja, tandheelkundig zilveramalgaam bestaat")
    # every question and answer carries the whole heading, subject included, as its section (was: "… over")
    section = "Vragen van het lid Oedayraj Singh Varma (GroenLinks) over tandheelkundig amalgaam"
    assert questions[2].section == answers[2].section == section


def test_bundled_written_questions_with_dotted_party():
    doc, chunks = parse(BUNDLED / "sgd-0000011416.txt")
    questions = [c for c in chunks if c.role == "question"]
    assert questions and {c.party for c in questions} == {"CDA"}
    # The heading "Vragen van de leden … (beiden CDA) over …" is the askers' text too: it opens question 1.
    assert questions[0].text.startswith("Vragen van de leden Krajenbrink en Vreugdenhil (beiden CDA) over")
    assert questions[0].qa == 1 and questions[1].qa == 2
    assert {q.speaker for q in questions} == {"Krajenbrink en Vreugdenhil"}
    assert all(q.attribution.startswith("written questions: Vragen van de leden") for q in questions)
    assert {q.section for q in questions} == {"Vragen van de leden Krajenbrink en Vreugdenhil (beiden CDA) over de "
                                             "controle op de opbrengstverantwoording van winsten behaald met de "
                                             "exploitatie van uitbetalende speelautomaten"}


def test_folder_manifest_gives_metadata(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("De leden van de SP-fractie vragen iets over de huren van woningen.\n")
    (tmp_path / "MANIFEST.tsv").write_text("file\ttype\tdate\tdossier\tnr\n"
                                           "sub/a.txt\tSGD OCR historic parliamentary paper: Motie\t1979-1980\t15805\t7\n")
    doc, _ = parse(tmp_path / "sub" / "a.txt")
    assert (doc.doc_type, doc.date, doc.dossier, doc.number) == ("motie", "1979", "15805", "7")


def test_sidecar_overrides_everything(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("VERSLAG\n\nDe leden van de SP-fractie vragen iets.\n")
    (tmp_path / "x.txt.json").write_text('{"type": "brief", "title": "Mijn titel", "doc_id": "mijn-id"}')
    doc, _ = parse(path)
    assert (doc.doc_type, doc.title, doc.doc_id) == ("brief", "Mijn titel", "mijn-id")


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<officiele-publicatie><handelingen><agendapunt><item-titel>Bom</item-titel>
<tekst><al>&lol4;</al></tekst></agendapunt></handelingen></officiele-publicatie>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<officiele-publicatie><handelingen><agendapunt><item-titel>Lek</item-titel>
<tekst><al>geheim: &secret; einde</al></tekst></agendapunt></handelingen></officiele-publicatie>"""


@pytest.mark.parametrize("xml", [BOMB, EXTERNAL])
def test_xml_entities_are_never_expanded_or_fetched(tmp_path, xml):
    path = tmp_path / "boze.xml"
    path.write_text(xml)
    try:
        doc, _ = parse(path)
    except DocumentError:
        return  # refusing is as good as not expanding
    assert "lollol" not in doc.text and len(doc.text) < 1000
    if os.path.exists("/etc/hostname"):
        hostname = Path("/etc/hostname").read_text().strip()
        assert not hostname or hostname not in doc.text


def test_unknown_xml_is_refused(tmp_path):
    path = tmp_path / "iets.xml"
    path.write_text("<rss><item>nieuws</item></rss>")
    with pytest.raises(DocumentError, match="unknown kind"):
        parse(path)


def test_a_numbered_line_with_body_text_below_it_is_text_not_a_footnote(shared_corpus):
    """OCR'd papers hold one paragraph per line; a footnote is a numbered line at its page's foot. A numbered
    line followed on its page by body text is the paper's own: a law's list of the naturalised ("1 Marie
    Raphaël … 4 Nicolas Antonio Pina …", though the OCR glued a stray "1" to "van1" above it) or a member's
    numbered question. Taken as notes, they were in no passage and no search found them."""
    law, _ = parse(shared_corpus / "sgd" / "sgd-0000269197.txt")
    assert "4 Nicolas Antonio Pina, geboren te Tocopero" in law.text and not law.notes
    questions, chunks = parse(shared_corpus / "sgd" / "sgd-0000138653.txt")
    assert "Wanneer in de loop van 1984 kunnen meer definitieve standpunten verwacht worden?" in questions.text
    assert any("definitieve standpunten" in c.text for c in chunks)
    report, _ = parse(shared_corpus / "sgd" / "sgd-0000113599.txt")  # a committee's members, at the page's foot
    assert [n.text[:28] for n in report.notes] == ["Samenstelling: mw. Leyten-de"]
    assert "Wagema-kers (C.D.A.)" not in report.text
    # a short note the OCR put between the questions and the answer is still a note, its mark off the text
    eisma, _ = parse(shared_corpus / "sgd" / "sgd-0000107146.txt")
    assert [n.text[:27] for n in eisma.notes] == ["Bedoeld wordt hier de rappo"]
    assert "Bent u bereid het concept-rapport van het Operational Safety Review Team" in eisma.text
