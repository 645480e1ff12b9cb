"""Attribution in layout documents (historic OCR papers): who speaks in each passage, and how we know."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.attribution import MemberTable, members_in, name_key
from rag.chunking import chunk_document
from rag.ingest import read_source
from rag.parties import canonical_party
from rag.structure import build_document


def parse_text(tmp_path: Path, text: str, name: str = "doc.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    doc = build_document(read_source(path))
    return doc, chunk_document(doc)


def party_of(chunks, start: str):
    """The party (and how it was found) of the passage whose text contains `start`."""
    chunk = next(c for c in chunks if start in c.text)
    return chunk.party, chunk.attribution


VERSLAG = """Tweede Kamer der Staten-Generaal

Vergaderjaar 1988-1989

VERSLAG

Samenstelling: Leden: De Beer (VVD), Van Iersel (CDA), Wöltgens (PvdA), voorzitter.

De leden van de C.D.A.-fractie hadden met belangstelling kennis genomen van het wetsvoorstel over de huurprijzen.

Deze leden vroegen voorts of de regering de gevolgen voor de huurders in de grote steden kon toelichten.

De leden behorende tot de V.V.D.-fractie konden zich met dit wetsvoorstel in grote lijnen wel verenigen.

Vele leden wezen erop dat de kosten van de huursubsidie in de komende jaren sterk zullen stijgen.

De heer Beinema (C.D.A.) merkte op dat hij dit overleg had aangevraagd omdat de lidstaten zelf zorg moeten dragen.

Hij vroeg voorts naar de positie van de kleine omroepen in de andere lidstaten van de Gemeenschap.

De heer Van lersel vroeg of de minister bereid was de Kamer voor de zomer over de uitkomst te berichten.

De Minister antwoordde dat hij de Kamer voor het zomerreces een brief over de uitkomst zou sturen.

Artikel 3

Naar aanleiding van dit artikel werd gevraagd hoe de termijn van drie maanden was vastgesteld.

"""


def test_fractions_members_and_continuity(tmp_path):
    doc, chunks = parse_text(tmp_path, VERSLAG)
    assert party_of(chunks, "hadden met belangstelling")[0] == "CDA"
    party, how = party_of(chunks, "Deze leden vroegen voorts")
    assert party == "CDA" and how.startswith("fraction named: De leden van de C.D.A.-fractie")
    assert party_of(chunks, "konden zich met dit wetsvoorstel")[0] == "VVD"
    assert party_of(chunks, "Vele leden wezen erop")[0] is None  # members without a party
    beinema = next(c for c in chunks if "Beinema" in c.text)
    assert (beinema.party, beinema.speaker, beinema.speaker_role) == ("CDA", "Beinema", "member")
    assert party_of(chunks, "Hij vroeg voorts naar de positie")[0] == "CDA"  # the speaker's next paragraph
    # OCR "lersel" for Iersel; the party from the document's own Samenstelling list
    iersel = next(c for c in chunks if "Van lersel" in c.text)
    assert iersel.party == "CDA" and iersel.attribution.startswith("member table of this document: Van Iersel")
    assert party_of(chunks, "De Minister antwoordde")[0] is None  # government ends the member's turn
    assert party_of(chunks, "Naar aanleiding van dit artikel")[0] is None  # a heading starts a new subject


def test_ocr_party_names_are_read():
    for surface, party in [("WD", "VVD"), ("V.V.D.", "VVD"), ("Groenünks", "GroenLinks"), ("Groen Links", "GroenLinks"),
                           ("D'66", "D66"), ("P.v.d.A.", "PvdA"), ("CD.A", "CDA"), ("K.V.P.", "KVP")]:
        assert canonical_party(surface) == party, surface
    assert canonical_party("Justitie") is None


def test_a_fraction_named_inside_the_first_sentence_takes_the_floor_from_another(tmp_path):
    # sgd-0000201487 (1974): the VVD's contribution opens mid-sentence; its next paragraph was read as PvdA
    text = VERSLAG.split("De leden van de C.D.A.-fractie")[0] + (
        "De leden behorend tot de fractie van de P.v.d.A. zouden gaarne een nadere specificatie tegemoet zien.\n\n"
        "De bekendmaking van de subsidieregeling is volgens leden van de V.V.D.-fractie nogal ongelukkig verlopen.\n\n"
        "Is het voorts waar, dat slechts door de Minister erkende bedrijven kunnen worden ingeschakeld?\n\n"
        "Deze leden vroegen voorts of de leden van de D66-fractie dit ook zo zagen, en wat de kosten zijn.\n\n")
    doc, chunks = parse_text(tmp_path, text)
    assert party_of(chunks, "nadere specificatie")[0] == "PvdA"
    party, how = party_of(chunks, "nogal ongelukkig")
    assert party == "VVD" and how.startswith("fraction named in the first sentence")
    assert party_of(chunks, "erkende bedrijven")[0] == "VVD"
    # only the first sentence's subject: another fraction named later in it does not take the floor
    assert party_of(chunks, "dit ook zo zagen")[0] == "VVD"


@pytest.mark.parametrize("text, party", [
    ("De leden van de fractie van de P.v.d.A. vroegen of de minister", "PvdA"),
    ("De leden van de fractie van het C.D.A. vroegen of de minister", "CDA"),  # was read as "C.D": CD
    ("De leden van de fractie van de V.V.D., gesteund door", "VVD"),
    ("De leden van de fractie van de Partij van de Arbeid vragen", "PvdA"),
    ("Het voorbereidend onderzoek gaf de leden van de fractie van het C.D.A. aanleiding tot het volgende.", "CDA"),
    ("Vervolgens gaven de leden van de CDA-fractie te kennen dat zij konden instemmen.", "CDA"),
    ("Voorts vroegen de leden van de VVD-fractie naar de kosten.", "VVD"),
    ("De leden van de CDA-fractie vroegen naar de kosten.", "CDA"),
    ("De leden van de fractie van D66 vroegen naar de kosten.", "D66"),
    # one member speaking for a fraction, as the 1970s verslagen say it
    ("Een lid, behorend tot de fractie van de C.P.N., merkte op dat hem", "CPN"),
    ("Een lid van de fractie van de P.v.d.A. vroeg naar de kosten.", "PvdA"),
    ("Het lid van de G.P.V-fractie vroeg naar de kosten.", "GPV"),
    ("Een lid van de V.V.D.-fractie merkte op", "VVD"),
    ("Leden van de V.V.D.-fractie konden zich in grote lijnen verenigen met het wetsvoorstel.", "VVD"),
    # words between the party and "fractie" (sgd-0000191056, 1976)
    ("De leden van de V.V.D. door hun fractie belast met de voorbereiding van de openbare behandeling", "VVD"),
    # a report's first heading run into the paragraph by OCR (sgd-0000177454, 1978)
    ("Algemeen De leden van de C.D.A.-fractie konden zich in beginsel verenigen", "CDA"),
    ("Inleiding De leden van de fractie van de P.v.d.A. vroegen", "PvdA"),
])
def test_a_fraction_opens_its_contribution_in_every_form(text, party):
    from rag.attribution import _opener

    voice = _opener(text, {})
    assert voice is not None and voice.party == party and voice.role == "fraction"


@pytest.mark.parametrize("sentence, party", [
    # sgd-0000140911 (1973), sgd-0000185370 (1977): a fronted phrase, then the verb and the fraction
    ("Naar aanleiding van dezelfde pagina vroegen de leden van de fractie van de V.V.D. of het niet", "VVD"),
    ("Gelet op de omstandigheid dat het wetsontwerp laat is ingediend wilden de leden, behorend tot de "
     "C.D.A.-fractie, van de Regering vernemen", "CDA"),
    # sgd-0000158148 (1980): the fraction named after a quote of the memorandum
    ("In de memorie van toelichting wordt terecht gesteld, zo merkten de leden van de C.D.A.-fractie op, dat", "CDA"),
    # the fraction as a side: sgd-0000197291 (1976), sgd-0000197272
    ("In de vaste commissie voor de naturalisaties had het aan P.v.d.A.-zijde de aandacht getrokken dat", "PvdA"),
    ("Van A.R.P. zijde werd gesteld, dat in diverse perspublikaties", "ARP"),
])
def test_a_fraction_takes_the_floor_behind_other_words(sentence, party):
    from rag.attribution import _fraction_inside

    voice = _fraction_inside(sentence)
    assert voice is not None and voice.party == party and voice.role == "fraction"


@pytest.mark.parametrize("sentence", [
    "Ondergetekenden wezen de leden van de V.V.D.-fractie erop dat de termijn verstreken is.",
    "Gaarne verwijzen wij de leden van de VVD-fractie naar de nota.",
    "Naar aanleiding van de vraag van de leden van de CDA-fractie merkt de ondergetekende op",
    "Deze leden vroegen of de leden van de D66-fractie dit ook zo zagen.",
    "Van Nederlandse zijde werd opgemerkt dat de besprekingen voortgaan.",
])
def test_a_fraction_the_sentence_only_names_does_not_take_the_floor(sentence):
    from rag.attribution import _fraction_inside

    assert _fraction_inside(sentence) is None


def test_a_fraction_is_not_read_where_none_opens():
    from rag.attribution import _opener

    assert _opener("Het voorbereidend onderzoek gaf aanleiding tot de volgende opmerkingen.", {}) is None
    assert _opener("Voorts vroegen zij naar de kosten van de P.v.d.A.", {}) is None
    assert _opener("Het voorbereidend onderzoek gaf de regering aanleiding tot een nota.", {}) is None
    assert _opener("De leden van de fractie van de heer Janmaat (CD) vroegen naar de kosten.", {}) is None
    # the start of a joined name is not its party
    assert _opener("De leden van de fractie van de SGP-GPV vroegen naar de kosten.", {}) is None
    assert _opener("Een lid van de gemeenteraad vroeg naar de kosten.", {}).party is None  # a member, no party
    assert _opener("Het lid van de Tweede Kamer Van Dis vroeg", {}).party is None


def test_the_printers_line_is_no_passage_and_nobodys(tmp_path):
    """sgd-0000002971 (1994): "411841F ISSN 0921 -7363 Sdu Uitgeverij Plantijnstraat 's-Gravenhage 1994" at the
    paper's foot was a passage of the VVD, whose contribution it followed, and ranked first for a VVD question."""
    text = VERSLAG + "411841F ISSN 0921 -7363 Sdu Uitgeverij Plantijnstraat 's-Gravenhage 1994\n"
    doc, chunks = parse_text(tmp_path, text)
    assert chunks and not any("ISSN" in c.text or "Plantijnstraat" in c.text for c in chunks)
    assert doc.text.endswith("'s-Gravenhage 1994")  # the paper's text is whole; only no passage holds the line
    # as the OCR read it: a digit dropped, the place on a line of its own, specks (sgd-0000035372, -0006855)
    _, chunks = parse_text(tmp_path, VERSLAG + "911059F ISSN 921 7398 SDU uitgevenj\n•s-Gr.venh.ge 1994\n_\n..\n")
    assert chunks and not any("ISSN" in c.text or "venh" in c.text or c.text.rstrip().endswith(("_", "..")) for c in chunks)
    # a paragraph that cites an ISSN is text
    _, chunks = parse_text(tmp_path, VERSLAG + "De leden vroegen of het blad, ISSN 0921-7363, ook digitaal verschijnt, "
                                     "nu de abonnees daar al jaren om vragen en de kosten van druk en verzending stijgen.\n")
    assert any("ISSN 0921-7363" in c.text for c in chunks)


def test_the_running_foot_and_its_page_number_are_no_passage(tmp_path):
    """sgd-0000030920 (1990): "Tweede Kamer, vergaderjaar 1990-1991, 21 800 VI en VII, nr. 30" was a passage of its
    own; in the written answers the foot and its page number ("… Aanhangsel" / "657") ended the last answer's."""
    foot = "Tweede Kamer, vergaderjaar 1987-1988, Aanhangsel\n\n657\n\n"
    doc, chunks = parse_text(tmp_path, VERSLAG + "Tweede Kamer, vergaderjaar 1990-1991, 21 800 VI en VII, nr. 30\n" + foot)
    assert chunks and not any("vergaderjaar 19" in c.text or "Aanhangsel" in c.text or "657" in c.text for c in chunks)
    assert doc.text.endswith("657")  # the paper's text is whole
    # a number is furniture only after a foot; a sentence that cites the paper's number is text
    cite = "De leden vroegen naar het antwoord in Tweede Kamer, zitting 1981-1982, 17 028, nr. 5, over de huren.\n"
    _, chunks = parse_text(tmp_path, VERSLAG + "657\n" + cite)
    assert any("657" in c.text for c in chunks) and any("17 028, nr. 5" in c.text for c in chunks)
    # what follows a foot with a word in it is text: a short answer on the next page
    _, chunks = parse_text(tmp_path, VERSLAG + foot + "2 Neen.\n")
    assert any(c.text.endswith("2 Neen.") for c in chunks)


def test_no_passage_of_the_historic_papers_is_a_running_foot(shared_corpus):
    for name, last in (("sgd-0000030920", "geweldsin-structie"), ("sgd-0000098981", "hypothetische karakter")):
        chunks = chunk_document(build_document(read_source(shared_corpus / "sgd" / f"{name}.txt")))
        assert any(last in c.text for c in chunks)
        assert not any(re.search(r"Kamer, vergaderjaar|Aanhangsel\s+657", c.text) for c in chunks), name
        # nor the standing heading of the Aanhangsel from 1987 on, a passage of its own 208 times
        assert not any("Vragen gesteld door leden van de Kamer" in c.text for c in chunks), name


def test_members_in_reads_name_party_pairs_and_drops_clashes():
    found = members_in("Leden: Dees (WD), Van der Heijden (CDA), Kamp (VVD) en Kamp (PvdA), Ter Veer (D66).")
    assert found[name_key("Dees")] == ("Dees", "VVD")
    assert found[name_key("Van der Heijden")] == ("Van der Heijden", "CDA")
    assert name_key("Kamp") not in found  # one name, two parties: no answer rather than a wrong one
    assert name_key("Van lersel") == name_key("Van Iersel")
    middle = members_in("Mevrouw Rempt-Halmmans de Jongh (V.V.D.) haalde aan; Gualthérie van Weezel (CDA) zei.")
    assert middle[name_key("Rempt-Halmmans de Jongh")][1] == "VVD"
    assert middle[name_key("Gualthérie van Weezel")][1] == "CDA"


def test_member_table_answers_within_its_period_and_only_when_unambiguous():
    table = MemberTable(window=8)
    for year in (1985, 1988, 1990):
        table.add("Kamp", "VVD", year)
    table.add("Vos", "PvdA", 1984)
    table.add("Vos", "VVD", 1985)
    assert table.party_of("Kamp", 1991)[0] == "VVD"
    assert table.party_of("Kamp", 1960) is None  # nobody of that name in that period
    assert table.party_of("Vos", 1985) is None  # two members named Vos in two parties
    assert table.party_of("Kamp en Vos", 1990) is None  # several members: all must be known and agree
    table.add("Dijkstal", "VVD", 1990)
    assert table.party_of("Kamp en Dijkstal", 1990)[0] == "VVD"
    # a member of a party that merged is one member: "Cornelissen (KVP)" in 1975 is CDA's Cornelissen in 1980
    for year, party in ((1974, "KVP"), (1975, "K.V.P."), (1981, "CDA"), (1982, "CDA")):
        table.add("Cornelissen", canonical_party(party), year)
    assert table.party_of("P. A. M. Cornelissen", 1980)[0] == "CDA"
    assert table.party_of("Cornelissen", 1970)[0] == "KVP"  # long before the merger, his party then


MOTION = """Tweede Kamer der Staten-Generaal
Vergaderjaar 1990-1991
Wijziging van de Wet op de huurprijzen
MOTIE VAN HET LID KAMP Voorgesteld 12 maart 1991
De Kamer, gehoord de beraadslaging, van mening dat de huurverhoging voor ouderen te hoog uitvalt, verzoekt de regering de huurverhoging te matigen, en gaat over tot de orde van de dag.
"""
AMENDMENT = """Tweede Kamer der Staten-Generaal
Vergaderjaar 1993-1994
AMENDEMENT VAN DE LEDEN VAN RIJN-VELLEKOOP EN ROOSEN-VAN PELT Ontvangen 15 december 1993
De ondergetekenden stellen de volgende amendementen voor over de verwijderingsbijdragen voor oude koelkasten en wasmachines.
"""


def test_a_motion_is_its_submitters_and_the_index_gives_the_party(tmp_path, fake_embedder):
    from rag.collection import Collection
    from rag.indexer import build_index

    doc, chunks = parse_text(tmp_path, MOTION, "motie.txt")
    assert chunks and all(c.speaker == "Kamp" and c.party is None for c in chunks)
    assert doc.title.startswith("Motie van het lid Kamp")
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "motie.txt").write_text(MOTION, encoding="utf-8")
    (folder / "lijst.txt").write_text("Vergaderjaar 1990-1991\nSamenstelling: Leden: Kamp (VVD), Lilipaly (PvdA), "
                                      "Dijkstal (VVD) en anderen, voor het verslag van de commissie.\n", encoding="utf-8")
    (folder / "amendement.txt").write_text(AMENDMENT, encoding="utf-8")
    build_index([folder], tmp_path / "index", embedder=fake_embedder)
    collection = Collection.load(tmp_path / "index", embedder=fake_embedder)
    motion = [c for c in collection.chunks if c.doc_id == "motie"]
    assert motion and all(c.party == "VVD" for c in motion)
    assert motion[0].attribution.startswith("member table of the index: Kamp → VVD")
    assert "(VVD)" not in motion[0].embed_text  # a party the index may revise is not embedded
    amendment = [c for c in collection.chunks if c.doc_id == "amendement"]
    # "De ondergetekenden" in an amendment are its submitters, not the government; their parties are unknown
    assert amendment and all(c.speaker == "Van Rijn-Vellekoop en Roosen-Van Pelt" and c.party is None
                             for c in amendment)


ANHANGSEL = """Aanhangsel tot het Verslag van de Handelingen der Tweede Kamer
VRAGEN door de leden der Kamer gesteld overeenkomstig artikel 107 van het Reglement van Orde
267. VRAGEN van de heer Dusarduijn (K.V.P.) inzake de voorkeur van de Minister voor een binnendijks tracé voor het Baalhoekkanaal. (Ingezonden 13 oktober 1971.)
1. Is het juist dat de Minister zijn persoonlijke voorkeur heeft laten blijken voor een binnendijks tracé?
2. Welke belangen zijn er gediend met het uitspreken van die voorkeur door de Minister?
ANTWOORD van de heer Drees, Minister van Verkeer en Waterstaat. (Ingezonden 1 november 1971.)
1. Tijdens de bedoelde persconferentie heeft de ondergetekende enkele opmerkingen gemaakt over het tracé.
2. De belangen van de scheepvaart en van de bevolking van Oost-Zeeuws-Vlaanderen zijn daarbij betrokken.
268. Vragen van de leden Dittrich en Ter Veer, (beiden D66) over de opvang van asielzoekers in kleine gemeenten. (Ingezonden 2 november 1971.)
1. Hoeveel asielzoekers worden er dit jaar opgevangen in gemeenten met minder dan tienduizend inwoners?
"""


def test_several_sets_of_written_questions_on_one_page(tmp_path):
    doc, chunks = parse_text(tmp_path, ANHANGSEL)
    # the standing heading of every Aanhangsel page is nobody's passage
    assert not any(c.text.startswith("VRAGEN door de leden der Kamer") for c in chunks)
    heading = next(c for c in chunks if c.text.startswith("VRAGEN van de heer Dusarduijn"))
    assert (heading.party, heading.speaker, heading.role, heading.qa) == ("KVP", "Dusarduijn", "question", 1)
    q2 = next(c for c in chunks if "Welke belangen" in c.text)
    assert (q2.party, q2.qa, q2.role) == ("KVP", 2, "question")
    a1 = next(c for c in chunks if "Tijdens de bedoelde persconferentie" in c.text)
    assert (a1.party, a1.speaker, a1.speaker_role, a1.role, a1.qa) == (None, "Drees", "minister", "answer", 1)
    # the second set has no answer on this page: its questions are still the askers'
    d66 = next(c for c in chunks if "Hoeveel asielzoekers" in c.text)
    assert (d66.party, d66.speaker, d66.role) == ("D66", "Dittrich en Ter Veer", "question")
    assert a1.section != d66.section


def test_every_paragraph_of_historic_papers_lands_in_a_passage_and_no_junk(shared_corpus):
    """Over 300 randomly drawn historic papers: no passage without five letters, and every
    paragraph with five or more letters lies in some passage (or is a heading/front line)."""
    import random

    files = sorted((shared_corpus / "sgd").glob("*.txt"))
    for path in random.Random(7).sample(files, 300):
        doc = build_document(read_source(path))
        chunks = chunk_document(doc)
        assert all(sum(ch.isalpha() for ch in c.text) >= 5 for c in chunks), path
        covered = bytearray(len(doc.text))
        for c in chunks:
            covered[c.start:c.end] = b"\1" * (c.end - c.start)
        for b in doc.blocks:
            if b.kind == "paragraph" and sum(ch.isalnum() for ch in doc.text[b.start:b.end]) >= 5:
                lost = [i for i in range(b.start, b.end) if not covered[i] and doc.text[i].isalnum()]
                assert not lost, (path.name, doc.text[b.start:b.end][:60])


def test_passages_record_how_their_party_was_found(shared_corpus):
    doc = build_document(read_source(shared_corpus / "sgd" / "sgd-0000093649.txt"))
    chunks = chunk_document(doc)
    beinema = next(c for c in chunks if c.speaker == "Beinema")
    assert beinema.party == "CDA" and beinema.attribution == "member with party: De heer Beinema (C.D.A.)"
    assert all(c.attribution for c in chunks if c.party)


def test_a_fraction_opening_behind_a_heading_or_before_other_words_takes_the_floor(shared_corpus):
    # sgd-0000191056 (1976): "De leden van de V.V.D. door hun fractie belast met …" was credited to the
    # PvdA, the party of the paragraph before it
    doc = build_document(read_source(shared_corpus / "sgd" / "sgd-0000191056.txt"))
    party, how = party_of(chunk_document(doc), "In de schaduwen van morgen")
    assert party == "VVD" and "V.V.D." in how
    # sgd-0000177454 (1978): "Algemeen De leden van de C.D.A.-fractie …" had no party
    doc = build_document(read_source(shared_corpus / "sgd" / "sgd-0000177454.txt"))
    assert party_of(chunk_document(doc), "konden zich in beginsel verenigen")[0] == "CDA"


def test_title_from_the_content_without_metadata(tmp_path):
    from conftest import CORE

    copy = tmp_path / "seed" / CORE.name  # no sidecar, no manifest: the title comes from the text
    copy.parent.mkdir()
    copy.write_bytes(CORE.read_bytes())
    doc = build_document(read_source(copy))
    assert doc.title == ("Verslag van een schriftelijk overleg over de geannoteerde agenda van de informele "
                         "JBZ-Raad, 22-23 januari 2026 (32317)")
    assert doc.doc_type == "verslag schriftelijk overleg"


def test_dates_and_dossiers_of_papers_without_metadata(tmp_path):
    """Old spellings of a day ("den 17den Februarij 1860"), the session when no day is given, and the
    dossier from a paper's running foot or from under its session line; the title keeps the dossier."""
    doc, _ = parse_text(tmp_path, "Tweede Kamer.\n\nBij Koninklijk besluit van den 17den Februarij 1860, n°. 55, "
                                  "hebben de navolgende benoemingen bij 's Rijks Munt plaats gehad.\n", "a.txt")
    assert doc.date == "1860-02-17"
    doc, _ = parse_text(tmp_path, "Handelingen der Staten-Generaal. Bijlagen. 1884—1885.\n\nDe verschillende "
                                  "verslagen der uitgaven zijn op de griffie nedergelegd.\n", "b.txt")
    assert doc.date == "1884"
    # a day the paper cites far from its session is not the paper's date
    doc, _ = parse_text(tmp_path, "Zitting 1964-1965\n\n7808\n\nWijziging van de wet van 5 december 1962 houdende "
                                  "aanwijzing van de middelen voor het dienstjaar 1963\n\nKONINKLIJKE BOODSCHAP\n\n"
                                  "Wij bieden U hiernevens ter overweging aan een ontwerp van wet.\n", "c.txt")
    assert (doc.date, doc.dossier, doc.number) == ("1964", "7808", None)
    assert doc.title.startswith("Koninklijke boodschap – Wijziging van de wet") and doc.title.endswith("(7808)")
    subject = "Wijziging van de Algemene wet inzake rijksbelastingen " * 6
    doc, _ = parse_text(tmp_path, f"Vergaderjaar 1993-1994\n\n{subject.strip()}\n\nMEMORIE VAN TOELICHTING\n\nDe "
                                  "herziening van het stelsel van administratieve boeten.\n\nTweede Kamer, "
                                  "vergaderjaar 1993-1994, 23 470, nr. 3\n", "d.txt")
    assert (doc.dossier, doc.number) == ("23470", "3") and doc.title.endswith("(23470, nr. 3)")
    assert len(doc.title) <= 240


def test_a_subject_of_one_compound_is_the_title_not_the_kind_and_date_after_it(tmp_path):
    """Real headers (sgd-0000162858, sgd-0000013830): a subject of one long compound ("Wetenschapsbudget
    1981", "Betuweroute") is the title; before, the first line of three words was: the kind and date
    below it ("LIJST VAN ANTWOORDEN Ontvangen 7 november 1980"), or the letter's "Aan de Voorzitter"."""
    doc, _ = parse_text(tmp_path, "Tweede Kamer der Staten-Generaal\n\nZitting 1980-1981\n\n16 402\n\n"
                                  "Wetenschapsbudget 1981\n\nNr. 5\n\nLIJST VAN ANTWOORDEN Ontvangen 7 november "
                                  "1980\n\n1 Met betrekking tot de vraag over begrotingsposten zou ik het volgende "
                                  "willen opmerken.\n", "a.txt")
    assert doc.title.startswith("Wetenschapsbudget 1981")
    doc, _ = parse_text(tmp_path, "Tweede Kamer der Staten-Generaal\n\nVergaderjaar 1991-1992\n\n22 589\n\n"
                                  "Betuweroute\n\nNr. 9\n\nBRIEF VAN DE MINISTER VAN VERKEER EN WATERSTAAT\n\n"
                                  "Aan de Voorzitter van de Tweede Kamer der Staten-Generaal\n\nHierbij zend ik u "
                                  "de nota over de Betuweroute.\n", "b.txt")
    assert "Betuweroute" in doc.title and "Aan de Voorzitter" not in doc.title
    # a header without a subject keeps its kind as title, not the kind's date line twice
    doc, _ = parse_text(tmp_path, "Tweede Kamer der Staten-Generaal\n\nVergaderjaar 1987-1988\n\n20 013\n\n"
                                  "Nr. 5\n\nMEMORIE VAN ANTWOORD Ontvangen 27 augustus 1987\n\nDe ondergetekende "
                                  "dankt de leden voor hun vragen.\n", "c.txt")
    assert doc.title.lower().startswith("memorie van antwoord") and "Ontvangen" not in doc.title


def test_a_written_questions_title_does_not_end_at_an_abbreviation(tmp_path):
    """Real headings (sgd-0000098981, sgd-0000233814): "t.b.v." and "(P. v. d. A.)" are not sentence ends;
    the heading's own full stop and "(Ingezonden" are."""
    doc, _ = parse_text(tmp_path, "Vragen van het lid Lilipaly (P.v.d.A.) over het onderwijsbeleid t.b.v. "
                                  "minderheidsgroepen\n\n(Ingezonden 27 januari 1988)\n\n1 Hebt u gesproken van "
                                  "een claim?\n", "a.txt")
    assert doc.title == "Vragen van het lid Lilipaly (P.v.d.A.) over het onderwijsbeleid t.b.v. minderheidsgroepen"
    doc, _ = parse_text(tmp_path, "VRAGEN van de heren Nederhorst (P. v. d. A.) en Lamberts (P. v. d. A. ) inzake "
                                  "buitenlandse ziekenhuizen. (Ingezonden 4 februari 1969.)\n1. Is het bekend, dat "
                                  "ziekenfondspatiënten daar gaan? Dat is zo. Nr. 2 volgt.\n", "b.txt")
    assert doc.title == ("Vragen van de heren Nederhorst (P. v. d. A.) en Lamberts (P. v. d. A. ) inzake "
                         "buitenlandse ziekenhuizen")


@pytest.fixture(scope="module")
def historic_index(tmp_path_factory):
    """A motion without its party, a member list that gives it, and the core document, on the real model."""
    import shutil

    from conftest import CORE
    from rag.indexer import build_index

    folder = tmp_path_factory.mktemp("historic")
    (folder / "motie.txt").write_text(MOTION, encoding="utf-8")
    (folder / "lijst.txt").write_text("Vergaderjaar 1990-1991\nSamenstelling: Leden: Kamp (VVD), Lilipaly (PvdA), "
                                      "Dijkstal (VVD) en anderen, voor het verslag van de commissie.\n", encoding="utf-8")
    (folder / "verslag.txt").write_text(VERSLAG, encoding="utf-8")
    shutil.copy(CORE, folder / CORE.name)
    index = tmp_path_factory.mktemp("historic-index")
    build_index([folder], index)
    return index


@pytest.mark.slow
@pytest.mark.parametrize("question", ["Welke motie diende de VVD in over de huurverhoging voor ouderen?",
                                      "What motion did the VVD move on rent increases for the elderly?"])
def test_real_model_finds_a_motion_by_the_party_the_index_gives_its_submitter(historic_index, question):
    from rag.api import Assistant

    answer = Assistant(historic_index, chat_model=False).ask(question, k=3)
    first = answer.hits[0].chunk
    assert first.doc_id == "motie" and first.party == "VVD" and first.speaker == "Kamp"
    assert first.attribution.startswith("member table of the index: Kamp → VVD")


@pytest.mark.slow
def test_real_model_answers_a_fraction_question_from_an_ocr_verslag(historic_index):
    from rag.api import Assistant

    answer = Assistant(historic_index, chat_model=False).ask("What did the CDA ask about tenants in the big cities?", k=3)
    assert answer.hits[0].chunk.party == "CDA" and "huurders in de grote steden" in answer.hits[0].chunk.text


def test_written_questions_without_an_answer_on_the_page(tmp_path):
    doc, chunks = parse_text(tmp_path, (
        "Aanhangsel van de Handelingen\n\n"
        "Vragen van den heer Kortenhorst (R.K.) in verband met de heffing voor een vergunning krachtens de "
        "Rivierenwet te Helmond. (Ingezonden 23 Augustus 1930.)\n\n"
        "I. Is het den Minister bekend, dat van eenige fabrikanten te Helmond een som gelds wordt geëischt?\n"), "a.txt")
    first = next(c for c in chunks if "fabrikanten te Helmond een som" in c.text)
    assert (first.speaker, first.role) == ("Kortenhorst", "question")
    # quoted in running text, without an answer, "Vragen van het lid …" does not make a paper written questions
    doc, chunks = parse_text(tmp_path, (
        "MEMORIE VAN ANTWOORD\n\nDe ondergetekende verwijst naar de beantwoording. Vragen van het lid Van der Spek "
        "over de kerncentrale zijn eerder beantwoord, zodat hier kan worden volstaan met een verwijzing.\n"), "b.txt")
    assert all(c.role is None and c.party is None for c in chunks)


def test_a_subject_in_brackets_is_not_a_party(tmp_path):
    """"(Ingezonden …)" after the subject does not make the whole heading the asker's name."""
    doc, chunks = parse_text(tmp_path, (
        "Aanhangsel van de Handelingen\n\n"
        "VRAGEN van den heer Wijnkoop betreffende den toestand in de eendenhouderij, in verband met de langdurige "
        "vorstperiode. (Ingezonden 23 Februari 1940.)\n\n"
        "Is het den Minister bekend dat door de langdurige vorstperiode de eendenhouders in een moeilijke positie "
        "verkeeren?\n"), "a.txt")
    question = next(c for c in chunks if "eendenhouders in een moeilijke" in c.text)
    assert (question.speaker, question.role) == ("Wijnkoop", "question")


def test_a_question_set_after_the_answer_stays_the_askers(tmp_path):
    """Columns can put the end of the questions after the minister's notice; a paragraph that asks
    the minister something is the askers', not the minister's."""
    doc, chunks = parse_text(tmp_path, (
        "Aanhangsel van de Handelingen\n\n"
        "Vragen van de leden Giebels en Roethof (beiden P.v.d.A.) over de bouwactiviteiten in de gemeente Harmelen. "
        "(Ingezonden 8 januari 1976)\n\n"
        "1 Is het de Minister bekend, dat de gemeenteraad van Harmelen besloten heeft tot de bouw van een nieuw "
        "gemeentehuis?\n\n"
        "Mededeling van Minister Gruijters (Volkshuisvesting en Ruimtelijke Ordening). (Ontvangen 12 februari 1976)\n\n"
        "Met verwijzing naar uw brief deel ik u mede dat het niet mogelijk is gebleken de vragen binnen de "
        "gebruikelijke termijn te beantwoorden.\n\n"
        "Is het de Minister tenslotte bekend, dat concrete bouwactiviteiten van de gemeente gericht zijn op een snelle "
        "uitbreiding?\n"), "a.txt")
    late = next(c for c in chunks if "tenslotte bekend" in c.text)
    assert (late.party, late.role, late.speaker) == ("PvdA", "question", "Giebels en Roethof")
    notice = next(c for c in chunks if "niet mogelijk is gebleken" in c.text)
    assert (notice.role, notice.speaker_role, notice.party) == ("answer", "minister", None)
    assert "tenslotte" not in notice.text


def test_a_label_above_the_answers_heading_is_not_the_last_question(tmp_path):
    """A column's label "Antwoord" on its own line above "Antwoord van minister …" (74 historic papers) ended
    the last question's passage, and its quote: "… een directe band met Zaïre hebben? Antwoord"."""
    doc, chunks = parse_text(tmp_path, "Vragen van het lid Van Traa (PvdA) over Zaïre. (Ingezonden 4 december 1992)\n"
                             "1 Is de regering bereid steun toe te zeggen?\n"
                             "2 Hebben Frankrijk en België een directe band met Zaïre?\n"
                             "Antwoord\n"
                             "Antwoord van minister Van den Broek (Buitenlandse Zaken). (Ontvangen 24 december 1992)\n"
                             "1 Ja.\n2 Ja, zij hebben die band.\n")
    questions = {b.qa: doc.text[b.start:b.end] for b in doc.blocks if b.role == "question"}
    assert questions[2].endswith("een directe band met Zaïre?")
    assert not any(c.text.rstrip().endswith("Antwoord") for c in chunks)
    assert {b.section for b in doc.blocks if b.role} == {"Vragen van het lid Van Traa (PvdA) over Zaïre"}
