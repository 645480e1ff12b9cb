"""A small English → Dutch glossary of parliamentary terms and place names.

English questions over Dutch text: the dense side carries meaning across languages, but the
lexical side only matches words, so `dutch_terms("What about Uganda?")` gives ["Oeganda"] to add
to the BM25 query. Keys are lower-case English, matched as whole words, longest first.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations

GLOSSARY: dict[str, str] = {
    # places
    "uganda": "Oeganda", "greece": "Griekenland", "greek": "Griekse Griekenland", "syria": "Syrië",
    "syrians": "Syriërs", "syrian": "Syrische", "afghans": "Afghanen", "afghan": "Afghaanse",
    "germany": "Duitsland", "german": "Duitse", "france": "Frankrijk", "french": "Franse", "italy": "Italië",
    "spain": "Spanje", "belgium": "België", "belgian": "Belgische", "denmark": "Denemarken", "sweden": "Zweden",
    "swedish": "Zweedse", "hungary": "Hongarije", "slovakia": "Slowakije", "moldova": "Moldavië",
    "netherlands": "Nederland", "dutch": "Nederlandse", "united kingdom": "Verenigd Koninkrijk",
    "britain": "Verenigd Koninkrijk", "turkey": "Turkije", "morocco": "Marokko", "tunisia": "Tunesië",
    "egypt": "Egypte", "libya": "Libië", "ethiopia": "Ethiopië", "russia": "Rusland", "ukraine": "Oekraïne",
    "poland": "Polen", "austria": "Oostenrijk", "switzerland": "Zwitserland", "norway": "Noorwegen",
    "ireland": "Ierland", "romania": "Roemenië", "bulgaria": "Bulgarije", "croatia": "Kroatië",
    "serbia": "Servië", "albania": "Albanië", "bosnia": "Bosnië", "lebanon": "Libanon", "jordan": "Jordanië",
    "somalia": "Somalië", "sudan": "Soedan", "kenya": "Kenia", "algeria": "Algerije",
    "indonesia": "Indonesië", "europe": "Europa", "european union": "Europese Unie", "eu": "EU",
    "luxembourg": "Luxemburg", "georgia": "Georgië", "lithuania": "Litouwen", "latvia": "Letland",
    "estonia": "Estland", "czech republic": "Tsjechië", "slovenia": "Slovenië", "strasbourg": "Straatsburg",
    "brussels": "Brussel", "the hague": "Den Haag", "cyprus": "Cyprus", "qatar": "Qatar", "india": "India",
    "dutch east indies": "Nederlands-Indië", "indies": "Indië", "antilles": "Antillen",
    # places by today's name, as the archive's papers name them (staff ask in today's names)
    "aceh": "Atjeh", "jakarta": "Batavia", "sulawesi": "Celebes", "kalimantan": "Borneo", "maluku": "Molukken",
    "moluccas": "Molukken", "moluccans": "Molukkers", "surabaya": "Soerabaja", "bandung": "Bandoeng",
    "yogyakarta": "Djokjakarta", "papua": "Nieuw-Guinea", "new guinea": "Nieuw-Guinea", "sri lanka": "Ceylon",
    "thailand": "Siam", "persia": "Perzië", "taiwan": "Formosa", "myanmar": "Birma", "burma": "Birma",
    "beijing": "Peking", "mumbai": "Bombay", "chennai": "Madras", "kolkata": "Calcutta",
    "istanbul": "Constantinopel", "gdansk": "Danzig", "zimbabwe": "Rhodesië",
    # institutions
    "echr": "EVRM", "european convention on human rights": "EVRM",
    # international bodies whose Dutch acronym differs from the English one ("the EEC" is "de E.E.G.")
    "eec": "EEG", "european economic community": "Europese Economische Gemeenschap",
    "ec": "EG", "european community": "Europese Gemeenschap", "european communities": "Europese Gemeenschappen",
    "ecsc": "EGKS", "european coal and steel community": "Europese Gemeenschap voor Kolen en Staal",
    "nato": "NAVO", "un": "VN", "united nations": "Verenigde Naties", "oeec": "OEES", "ilo": "IAO",
    "frg": "Bondsrepubliek", "west germany": "West-Duitsland", "gdr": "DDR", "east germany": "Oost-Duitsland",
    "european court of human rights": "Europees Hof voor de Rechten van de Mens EHRM",
    "court of justice": "Hof van Justitie", "council of europe": "Raad van Europa",
    "justice and home affairs council": "JBZ-Raad", "jha council": "JBZ-Raad", "jha": "JBZ",
    "european commission": "Europese Commissie", "commission": "Commissie", "council": "Raad",
    "european parliament": "Europees Parlement", "council of state": "Raad van State",
    "immigration service": "IND", "house of representatives": "Tweede Kamer", "senate": "Eerste Kamer",
    "parliament": "Kamer", "cabinet": "kabinet", "government": "kabinet regering",
    "prime minister": "minister-president", "minister": "minister", "state secretary": "staatssecretaris",
    "presidency": "Voorzitterschap", "member states": "lidstaten", "member state": "lidstaat",
    # migration and asylum
    "asylum seekers": "asielzoekers", "asylum seeker": "asielzoeker", "asylum": "asiel asielstelsel",
    "migration pact": "migratiepact", "asylum and migration pact": "Asiel- en Migratiepact",
    "migration": "migratie", "migrants": "migranten", "refugees": "vluchtelingen", "refugee": "vluchteling",
    "return regulation": "terugkeerverordening", "returns": "terugkeer", "return": "terugkeer",
    "voluntary return": "vrijwillige terugkeer", "forced return": "gedwongen terugkeer",
    "deportation": "uitzetting", "deported": "uitgezet", "deport": "uitzetten",
    "reintegration": "re-integratie herintegratie", "solidarity pool": "solidariteitspool",
    "solidarity mechanism": "solidariteitsmechanisme", "solidarity": "solidariteit",
    "relocation": "relocatie herplaatsing", "relocations": "relocaties", "reception": "opvang",
    "shelter": "opvang shelter", "safe third country": "veilig derde land", "safe third countries": "veilige derde landen",
    "safe countries of origin": "veilige herkomstlanden", "country of origin": "herkomstland",
    "residence permit": "verblijfsvergunning", "residence permits": "verblijfsvergunningen",
    "status holders": "statushouders", "permit holders": "statushouders", "reassessment": "herbeoordeling",
    "reassess": "herbeoordelen", "secondary migration": "secundaire migratie", "border controls": "grenscontroles",
    "borders": "grenzen", "border": "grens", "external borders": "buitengrenzen", "detention": "detentie",
    "externalisation": "externalisering", "externalization": "externalisering",
    "external procedures": "externe procedures", "human smuggling": "mensensmokkel", "smuggling": "smokkel",
    "human trafficking": "mensenhandel", "transit hub": "transithub", "return hubs": "terugkeerhubs",
    "transfers": "overdrachten", "dublin claimants": "Dublinclaimanten", "dublin": "Dublin",
    "case law": "jurisprudentie", "interpretation": "interpretatie", "interpretative declaration": "interpretatieve verklaring",
    "declaration": "verklaring", "joint statement": "gezamenlijke verklaring", "conference": "conferentie",
    "women's rights": "vrouwenrechten", "women": "vrouwen", "human rights": "mensenrechten",
    "criminals": "criminelen", "convicted": "veroordeelde", "criminal record": "strafrechtelijk verleden",
    "backlog": "achterstanden", "backlogs": "achterstanden", "capacity": "capaciteit",
    "contribution": "bijdrage", "discount": "korting", "costs": "kosten", "cost": "kosten",
    "funding": "financiering", "money": "geld", "agreement": "afspraak akkoord overeenkomst",
    "agreements": "afspraken", "deal": "deal afspraak", "frontex": "Frontex", "visa": "visum",
    "family reunification": "gezinshereniging", "naturalisation": "naturalisatie", "nationality": "nationaliteit",
    # general policy
    "police": "politie", "health care": "gezondheidszorg", "healthcare": "gezondheidszorg", "housing": "huisvesting woningen",
    "education": "onderwijs", "schools": "scholen", "school": "school", "university": "universiteit",
    "climate": "klimaat", "nitrogen": "stikstof", "farmers": "boeren", "agriculture": "landbouw",
    "taxes": "belastingen", "tax": "belasting", "budget": "begroting", "defence": "defensie", "defense": "defensie",
    "army": "leger krijgsmacht", "navy": "marine", "pensions": "pensioenen", "energy": "energie",
    "unemployment": "werkloosheid", "wages": "lonen", "minimum wage": "minimumloon", "children": "kinderen",
    "youth": "jeugd", "elderly": "ouderen", "church": "kerk", "religion": "godsdienst", "trade": "handel",
    "colonies": "koloniën", "shipping": "scheepvaart", "fisheries": "visserij", "railways": "spoorwegen",
    "railway": "spoorweg", "roads": "wegen", "dikes": "dijken", "flooding": "overstroming", "water": "water",
    "prisons": "gevangenissen", "prison": "gevangenis", "judges": "rechters", "courts": "rechters rechtbanken",
    "motion": "motie", "amendment": "amendement", "bill": "wetsvoorstel", "law": "wet", "legislation": "wetgeving",
    "written questions": "schriftelijke vragen", "answers": "antwoorden", "answer": "antwoord",
    "debate": "debat", "committee": "commissie", "report": "verslag rapport", "letter": "brief",
    "vote": "stemming", "elections": "verkiezingen", "municipalities": "gemeenten", "provinces": "provincies",
    "subsidy": "subsidie", "subsidies": "subsidies", "employment": "werkgelegenheid", "workers": "werknemers",
    "employers": "werkgevers", "social security": "sociale zekerheid", "benefits": "uitkeringen",
    "war": "oorlog", "peace": "vrede", "security": "veiligheid", "terrorism": "terrorisme",
    "privacy": "privacy", "internet": "internet", "environment": "milieu", "nature": "natuur",
}


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern:
    keys = sorted(GLOSSARY, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in keys) + r")(?!\w)", re.I)


def glossary_spans(text: str) -> list[tuple[int, int]]:
    """Where in `text` the glossary's English terms are (start, end)."""
    return [m.span() for m in _pattern().finditer(text)]


def dutch_terms(text: str) -> list[str]:
    """Dutch renderings of the English terms in `text`, in order, without repeats or terms already there."""
    present = text.lower()
    out: list[str] = []
    for m in _pattern().finditer(text):
        dutch = GLOSSARY[re.sub(r"\s+", " ", m.group(1).lower())]
        if dutch.lower() not in present and dutch not in out:
            out.append(dutch)
    return out


def renderings_by_word(text: str) -> dict[str, list[str]]:
    """Per English word of `text` (lower case), the Dutch renderings of the glossary terms it is part
    of: "the return regulation" gives "return" and "regulation" → ["terugkeerverordening"]."""
    out: dict[str, list[str]] = {}
    for m in _pattern().finditer(text):
        dutch = GLOSSARY[re.sub(r"\s+", " ", m.group(1).lower())]
        for word in re.findall(r"\w+", m.group(1)):
            out.setdefault(word.lower(), []).append(dutch)
    return out


# Indonesian names as the Dutch-era papers spell them (Van Ophuijsen, 1901; the 1947 and 1972 reforms
# wrote "oe" as "u", "dj" as "j", "tj" as "c", "j" as "y"): "Toribulu" is "Toriboeloe", "Bojonegoro"
# "Bodjonegoro", "Aceh" "Atjeh".
_COLONIAL = (("u", "oe"), ("j", "dj"), ("c", "tj"), ("y", "j"))


def colonial_spellings(name: str) -> list[str]:
    """The ways papers of 1901–1972 may have spelt a name written in today's Indonesian spelling (each
    of the reforms undone or not), the name itself left out."""
    found = []
    lower = name.lower()
    for n in range(1, len(_COLONIAL) + 1):
        for rules in combinations(_COLONIAL, n):
            # one pass, so a "y" made "j" is not made "dj" again
            table = dict(rules)
            spelt = re.sub("|".join(re.escape(old) for old in table), lambda m: table[m.group()], lower)
            if spelt != lower and spelt not in found:
                found.append(spelt)
    return found
