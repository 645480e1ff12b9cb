"""Attribution: who speaks in each paragraph of a layout document (historic OCR papers, PDF text).

Read from the text itself, in reading order, with the speaker carried over to the paragraphs that
follow until another one takes the floor or a heading starts a new subject:
- "De leden van de C.D.A.-fractie …", "De leden van de fractie van de P.v.d.A. …", "De PvdA-fractie …",
  "Een lid, behorend tot de fractie van de C.P.N., …" → that party's members (role "fraction");
- "De heer Beinema (C.D.A.) merkte op …", "Mevrouw Kamp (VVD) vroeg …" → the member and party;
  "De heer Van lersel vroeg …" without a party → the member, whose party comes from a "Name (Party)"
  mention in the same document (a "Samenstelling" list, another paragraph) or, at build time, from the
  whole index in the same period (`MemberTable`);
- "MOTIE VAN HET LID KAMP", "Amendement van de leden X en Y" → the (first) submitter, for the document;
- "De minister …", "De staatssecretaris …", "De regering …" → government, no party; "De voorzitter …" →
  the chair; "De commissie …" → the committee; "Vele leden …", "Sommige leden …" → members without a
  party. Each of these ends the previous speaker's turn.
Every attributed block records how its party was found (`Block.attribution`), so a wrong one can be
traced back to the words that caused it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from rag.parties import canonical_party, find_parties, party_in
from rag.sentences import sentence_spans
from rag.types import CHAIR, INDEX_TABLE, Block

_PARTICLE = r"(?:[Vv]an|[Dd]e|[Dd]er|[Dd]en|[Tt]er|[Tt]e|[Vv]on|in ['’]t|['’]t|d['’]|[Ll]a|[Ll]e|[Dd]u|VAN|DE|DER|DEN|TER|TE)"
_CAP = r"[A-ZÀ-Ý][\wÀ-ÿ'’]+(?:-(?:(?:de|van|der)[ \t])?[A-ZÀ-Ýa-z][\wÀ-ÿ'’]+)?"
# A surname: particles, then a capitalised word (OCR may lower the first letter after a particle:
# "Van lersel"), optionally a second capitalised word ("De Hoop Scheffer"). Initials are dropped.
NAME = (rf"(?:(?:[A-Z]\.[ \t]?)+,?[ \t]*)?(?P<name>(?:(?:{_PARTICLE}[ \t]+)+[a-z][\w'’]{{2,}}\b|(?:{_PARTICLE}[ \t]+)*{_CAP})"
        rf"(?:[ \t]+(?:(?:van|de|der|den|ter|te)[ \t]+)+{_CAP}|[ \t]+(?!(?:en|in|op|het|de|van|EN|IN|OP|HET|DE|VAN)\b)"
        rf"{_CAP})?)")
# A party in parentheses, as members are listed: "(CDA)", "(C.D.A.)", "(beiden D66)", "(WD)".
PARTY_IN_PARENS = r"\(\s*(?:(?:beiden|beide|allen)\s+)?(?P<party>[^()\n]{1,30}?)\s*\)"
MEMBER_WITH_PARTY = re.compile(NAME + r",?\s*" + PARTY_IN_PARENS)
_HONORIFIC = r"(?:De heer|de heer|Mevrouw|mevrouw|Mevr\.|Mej\.|Mejuffrouw|De Heer|DE HEER|MEVROUW)"
_SPEECH = (r"(?:merkte|merkten|vroeg|vroegen|wees|wezen|stelde|zei|sprak|betoogde|deelde|achtte|meende|vond|"
           r"verklaarde|bepleitte|drong|informeerde|pleitte|bracht|gaf|toonde|sloot|herinnerde|constateerde|"
           r"betreurde|kon|wilde|juichte|onderschreef|was|had|is|heeft|hield|zag|legde|ging|noemde|hoopte|"
           r"benadrukte|onderstreepte|signaleerde|verwees|vreesde|wenste|stemde|kwam|uitte|maakte|verzocht|"
           r"onderkende|ondersteunde|steunde|nam|vestigde|memoreerde|concludeerde|stond|tekende|antwoordde|"
           r"zette|liet|twijfelde|begreep|erkende|diende)")
SPEAKER_OPENS = re.compile(rf"{_HONORIFIC}\s+{NAME}\s*(?:,\s*)?(?:{PARTY_IN_PARENS})?(?P<after>[^\n]{{0,60}})")
# The past plurals a fraction's members speak in ("Voorts vroegen de leden van …").
_LEAD_VERBS = (r"vroegen|merkten|wezen|stelden|gaven|brachten|toonden|betoogden|deelden|drongen|informeerden|"
               r"constateerden|herinnerden|spraken|verklaarden|achtten|meenden|vonden|waren|hadden|konden|wilden|"
               r"zouden|namen|verzochten|betreurden|juichten")
# What may stand before "de leden van de X-fractie" at a paragraph's start: "Voorts vroegen", "Vervolgens
# gaven", the preliminary report's formula "Het voorbereidend onderzoek gaf", and a report's first heading
# that OCR ran into the paragraph ("Algemeen De leden van de C.D.A.-fractie konden zich …").
_FRACTION_LEAD = (r"(?:(?:Algemeen|Inleiding)\s+(?=[DEH]))?"
                  r"(?:(?:Ook|Voorts|Tevens|Vervolgens|Daarnaast|Bovendien|Tot\s+slot|Ten\s+slotte|Tenslotte)\s+"
                  rf"(?:(?:{_LEAD_VERBS})\s+)?|"
                  r"Het\s+voorbereidend\s+onderzoek\s+(?:gaf|heeft)\s+(?:aan\s+)?)?")
# A fraction's members: "de leden van de fractie van de P.v.d.A.", "een lid van de V.V.D.-fractie".
_FRACTION = (
    r"(?:[Dd]e\s+|[Ee]en\s+|[Hh]et\s+)?(?:(?:[Ll]eden|lid),?\s+(?:van\s+de|der|behorende?\s+tot\s+de|uit\s+de)\s+(?:fractie\s+van\s+(?:(?:de|het)\s+)?"
    # a dotted acronym whole ("P.v.d.A.", "C.D.A."; cut at its first inner full stop it read "C.D" as CD)
    r"(?P<party1>(?:\w{1,3}\.){2,}\w{0,3}\.?|[\w.'’ /-]{2,30}?)(?=[\s,.;:]|$)|(?P<party2>[\w.'’\" /-]{2,30}?)[\s\-\"]{0,2}fractie\b)"
    r"|(?P<party3>[\w.'’/-]{2,20}?)-fractie\b)")
FRACTION_OPENS = re.compile(_FRACTION_LEAD + _FRACTION)
# A fraction as the subject after its verb, behind other words in the sentence: "In dit verband vroegen de
# leden van de V.V.D.-fractie …", "…, zo merkten de leden van de C.D.A.-fractie op"; or as a side: "had het
# aan P.v.d.A.-zijde de aandacht getrokken", "Van A.R.P. zijde werd gevraagd". Only a past plural: the
# government's reply points members somewhere in the present ("wij verwijzen de leden van …"); not "wezen",
# which the ministers do to the members as often ("Ondergetekenden wezen de leden … erop").
_PLURAL_SPEECH = (rf"(?:(?!wezen\b)(?:{_LEAD_VERBS})|vernamen|misten|bepleitten|pleitten|onderschreven|twijfelden|"
                  r"vreesden|hoopten|betwijfelden|tekenden|zagen|wensten|benadrukten|onderstreepten|signaleerden|"
                  r"erkenden|begrepen|legden|noemden)")
FRACTION_AFTER_VERB = re.compile(rf"\b{_PLURAL_SPEECH}\s+(?:(?:voorts|ook|nog|tevens|echter|dan\s+ook)\s+)?"
                                 rf"(?={_FRACTION})")
FRACTION_SIDE = re.compile(r"\b(?:[Aa]an|[Vv]an)\s+(?P<side>[\w.'’]{2,12}?)[\s-]?zijde\b")
# Who else may be the subject before the verb: then the fraction is its object ("Ondergetekenden wezen de
# leden … erop").
_OTHER_SUBJECT = re.compile(r"\b(?:[Oo]ndergetekenden?|[Mm]inisters?|[Rr]egering|[Ss]taatssecretaris|[Ww]ij|[Ii]k|"
                            r"[Cc]ommissie|[Zz]ij|[Dd]eze\s+leden|[Aa]ndere\s+leden|[Vv]ele\s+leden)\b")
GOVERNMENT_OPENS = re.compile(
    r"(?:De|Het|Deze)\s+(?:[Mm]inister|[Ss]taatssecretaris|[Bb]ewinds(?:man|vrouw|lieden|persoon)|[Rr]egering|"
    r"[Kk]abinet|[Oo]ndergetekende|[Ss]taatssecretarissen|[Mm]inisters)\b")
CHAIR_OPENS = re.compile(r"De\s+[Vv]oorzitter\b")
COMMITTEE_OPENS = re.compile(r"De\s+(?:vaste\s+|bijzondere\s+)?[Cc]ommissie\b")
ANONYMOUS_OPENS = re.compile(
    r"(?:Vele|Sommige|Andere|Enkele|Verscheidene|Eenige|Enige|Eenige\s+andere|Meerdere|Diverse|Alle|"
    r"Verschillende|Talrijke|Zeer\s+vele|Weer\s+andere|Nog\s+andere|Een\s+aantal|Een\s+enkel|Een|Het|Een\s+ander)"
    r"\s+(?:andere\s+)?(?:leden|lid)\b(?!,?\s+(?:(?:van\s+de|der)\s+\S+[\s-]?fractie|(?:behorende?\s+tot|van)\s+de\s+fractie\b))")
SUBMITTER = re.compile(
    r"\b(?:MOTIE|AMENDEMENT|AMENDEMENTEN|Motie|Amendement|Amendementen|GEWIJZIGDE?\s+MOTIE|GEWIJZIGDE?\s+AMENDEMENT|"
    r"Gewijzigde?\s+(?:motie|amendement))(?:\s+van\s+orde)?\s+(?:VAN|van)\s+"
    r"(?:HET\s+LID|het\s+lid|DE\s+LEDEN|de\s+leden|DEN\s+HEER|den\s+heer|DE\s+HEER|de\s+heer|MEVROUW|mevrouw)\s+"
    + NAME + r"(?P<others>(?:[ \t]*,[ \t]*|[ \t]+(?:EN|en)[ \t]+)[^\n]{2,120})?")


def name_key(name: str) -> str:
    """A member's name folded for lookup: case, accents, spaces and OCR's l/I confusion ignored."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = re.sub(r"\b(?:[a-z]\.\s?)+", "", plain) if "." in plain else plain
    plain = re.sub(r"\s+c\.?\s?s\.?$", "", plain.strip())
    return re.sub(r"[^a-z]", "", plain).replace("l", "i")


def _clean_name(name: str) -> str:
    words = " ".join(name.split()).split(" ")
    if words[0].isupper() and len(words[0]) > 1:
        # A name in capitals ("MOTIE VAN HET LID KAMP Ontvangen …") ends where the capitals do.
        words = words[:next((i for i, w in enumerate(words) if not w.isupper()), len(words))]
    name = re.sub(r"\s+(?:c\.?\s?s\.?|CS|C\.S\.)$", "", " ".join(words))
    return name.title() if name.isupper() else name


@lru_cache(maxsize=4)  # structure and the index build ask for the same document's table in turn
def members_in(text: str) -> dict[str, tuple[str, str]]:
    """Members named with their party in `text` ("Beinema (C.D.A.)", Samenstelling lists):
    name key → (name, canonical party). A name seen with two parties is left out."""
    found: dict[str, tuple[str, str]] = {}
    clash: set[str] = set()
    for m in MEMBER_WITH_PARTY.finditer(text):
        party = canonical_party(m.group("party"))
        if party is None:
            continue
        for name in re.split(r",\s*|\s+en\s+", m.group("name")):
            key = name_key(name)
            if len(key) < 3 or key in clash:
                continue
            if key in found and found[key][1] != party:
                clash.add(key)
                del found[key]
            else:
                found[key] = (_clean_name(name), party)
    return found


@dataclass(frozen=True)
class _Voice:
    speaker: str | None
    party: str | None
    role: str
    how: str


def _fraction(text: str, m: re.Match) -> tuple[str | None, int]:
    """The party a `FRACTION_OPENS` match names, and where its name ends."""
    surface = m.group("party1") or m.group("party2") or m.group("party3")
    party = canonical_party(surface.strip(" \"'-"))
    end = m.end()
    group = "party1" if m.group("party1") else "party2" if m.group("party2") else None
    if party is None and group:
        # a name of several words ("de fractie van de Partij van de Arbeid"), or words between the
        # party and "fractie" ("de leden van de V.V.D. door hun fractie belast met …")
        rest = text[m.start(group):m.start(group) + 60]
        named = [(p, e) for p, s, e in find_parties(rest) if s == 0 and not re.match(r"[-/]\w", rest[e:e + 2])]
        if named:
            party, end = named[0][0], m.start(group) + named[0][1]
    return party, end


def _opener(text: str, members: dict[str, tuple[str, str]], submitted: bool = False) -> _Voice | None:
    """Who takes the floor at the start of `text`, or None when the text continues the last speaker."""
    m = FRACTION_OPENS.match(text)
    if m:
        party, end = _fraction(text, m)
        if party:
            return _Voice(None, party, "fraction", f"fraction named: {text[:end]}")
    m = SPEAKER_OPENS.match(text)
    if m:
        name = _clean_name(m.group("name"))
        after = m.group("after")
        if re.match(r"\s*,?\s*(?:minister|staatssecretaris|regeringscommissaris|directeur|voorzitter|"
                     r"rapporteur|president|lid van de Raad)", after, re.I):
            role = "chair" if re.match(r"\s*,?\s*voorzitter", after, re.I) else "minister"
            return _Voice(name, None, role, f"{role} named: {text[:m.end('name')]}")
        party = canonical_party(m.group("party")) if m.group("party") else None
        if party:
            return _Voice(name, party, "member", f"member with party: {text[:m.end('party') + 1]}")
        if m.group("party") is None and re.match(rf"\s*(?::|{_SPEECH}\b|,?\s*daartoe)", after):
            known = members.get(name_key(name))
            if known:
                return _Voice(name, known[1], "member", f"member table of this document: {known[0]} ({known[1]})")
            return _Voice(name, None, "member", "member named, party not in this document")
    if re.match(r"(?:De|Het)\s+ondergetekenden?\b", text) and submitted:
        return None  # in a motion or amendment, "de ondergetekende" is its submitter
    if GOVERNMENT_OPENS.match(text):
        return _Voice(None, None, "minister", "government speaks")
    if CHAIR_OPENS.match(text):
        return _Voice(CHAIR, None, "chair", "the chair speaks")
    if COMMITTEE_OPENS.match(text):
        return _Voice(None, None, "committee", "the committee speaks")
    if ANONYMOUS_OPENS.match(text):
        return _Voice(None, None, "members", "members without a party")
    return None


def _fraction_inside(sentence: str) -> _Voice | None:
    """A fraction that takes the floor behind other words of `sentence` (see `FRACTION_AFTER_VERB`)."""
    m = FRACTION_AFTER_VERB.search(sentence)
    if m and not _OTHER_SUBJECT.search(sentence, 0, m.start()):
        party, end = _fraction(sentence, FRACTION_NAMED.match(sentence, m.end()))
        if party:
            return _Voice(None, party, "fraction", f"fraction after its verb: {sentence[:end]}")
    m = FRACTION_SIDE.search(sentence)
    party = canonical_party(m.group("side").strip(".-")) if m else None
    if party:
        return _Voice(None, party, "fraction", f"fraction's side: {sentence[:m.end()]}")
    return None


def submitter(text: str, members: dict[str, tuple[str, str]]) -> _Voice | None:
    """The member who submits the motion or amendment this document opens with, if it is one."""
    m = SUBMITTER.search(text, 0, 2000)
    if not m:
        return None
    names = [_clean_name(m.group("name"))]
    if m.group("others"):
        others = re.split(r"\s(?:Ontvangen|Voorgesteld|Vastgesteld|ter vervanging|[Oo]ver\b|[Tt]er\b)|[(\d]",
                          m.group("others"))[0]
        others = re.sub(r"^[\s,]*(?:(?:EN|en)\s+)?", "", others)
        for part in re.split(r"\s*,\s*|\s+(?:EN|en)\s+", others.strip(" ,"))[:6]:
            n = re.match(NAME, part)
            if n:
                names.append(_clean_name(n.group("name")))
    name = " en ".join(dict.fromkeys(n for n in names if n))
    known = _lookup(members, name)
    head = " ".join(text[m.start():m.end()].split())[:120]
    if known:
        return _Voice(name, known[1], "member", f"submitter: {head}; member table of this document: {known[1]}")
    return _Voice(name, None, "member", f"submitter: {head}; party not in this document")


def attribute_layout(text: str, blocks: list[Block]) -> list[Block]:
    """Blocks of a layout document with speaker, party and role read from the text (see module doc).

    Blocks that already have a party (a party heading's contribution) keep it; a paragraph in which
    another speaker takes the floor mid-way is split at that sentence.
    """
    members = members_in(text)
    default = submitter(text, members)
    voice = default
    out: list[Block] = []
    for block in blocks:
        if block.kind != "paragraph":
            if block.kind in ("heading", "part") and voice is not default:
                voice = default  # a new subject: who speaks next is said again
            out.append(block)
            continue
        if block.party is not None:
            out.append(replace(block, attribution=block.attribution or "party heading"))
            voice = None
            continue
        pieces: list[tuple[int, _Voice | None]] = []
        sentences = list(sentence_spans(text, block.start, block.end))
        for s, e in sentences:
            found = _opener(text[s:s + 300], members, default is not None) or _fraction_inside(text[s:e])
            # Inside a paragraph only a named party or member takes the floor: "De regering …" or
            # "Vele leden …" there is mostly the speaker talking about them.
            if found is not None and s != block.start and found.role not in ("fraction", "member"):
                continue
            if found is not None and s != block.start and found.role == "member" and found.party is None:
                continue
            if found is not None and (not pieces or found != pieces[-1][1]):
                pieces.append((s, found))
        if not pieces or pieces[0][0] != block.start:
            first = sentences[0] if sentences else (block.start, block.end)
            pieces.insert(0, (block.start, _next_fraction(text[first[0]:first[1]], voice)))
        for (start, v), (end, _) in zip(pieces, pieces[1:] + [(block.end, None)]):
            while end > start and text[end - 1].isspace():
                end -= 1
            out.append(_voiced(replace(block, start=start, end=end), v))
            voice = v
    return out


# "… is volgens leden van de V.V.D.-fractie nogal ongelukkig verlopen": a fraction named inside a sentence
FRACTION_NAMED = re.compile(r"(?<!\w)" + _FRACTION)
_SPEAKER_STILL = re.compile(r"\b(?:leden|lid|zij|hun|hen|deze|genoemde)\b", re.IGNORECASE)


def _next_fraction(sentence: str, voice: _Voice | None) -> _Voice | None:
    """Who speaks in a paragraph that does not open with a speaker (`sentence`: its first): the last one,
    unless that was a fraction and the sentence names another one's members (the next contribution,
    phrased freely)."""
    if voice is None or voice.role != "fraction":
        return voice
    m = FRACTION_NAMED.search(sentence)
    # "Deze leden vroegen of de leden van de D66-fractie …": the speaker still, about the others
    party = _fraction(sentence, m)[0] if m and not _SPEAKER_STILL.search(sentence, 0, m.start()) else None
    if party is None or party == voice.party:
        return voice
    return _Voice(None, party, "fraction", f"fraction named in the first sentence: {sentence[:m.end()]}")


def _voiced(block: Block, voice: _Voice | None) -> Block:
    if voice is None:
        return block
    return replace(block, speaker=voice.speaker, party=voice.party, speaker_role=voice.role, attribution=voice.how)


def resolve_from_document(text: str, blocks: list[Block]) -> list[Block]:
    """Blocks whose named member has no party get it from the document's own "Name (Party)" mentions."""
    out = []
    for b in blocks:
        if b.speaker and b.party is None and b.speaker_role in (None, "member"):
            known = _lookup(members_in(text), b.speaker)
            if known:
                b = replace(b, party=known[1], speaker_role="member",
                            attribution=f"member table of this document: {known[0]} ({known[1]})")
        out.append(b)
    return out


def _lookup(members: dict, speaker: str):
    """(name, party) for a speaker, or for several ("Vos en De Pree") when each is known and all agree."""
    found = [members.get(name_key(name)) for name in re.split(r",\s*|\s+en\s+", speaker)]
    return found[0] if all(found) and len({f[1] for f in found}) == 1 else None


class MemberTable:
    """Member → party over a whole index: every "Name (Party)" and attributed speaker, with its year.

    `party_of(name, year)` answers only when the entries within `window` years of `year` agree
    (at least 90 % on one party): two members of one name in different parties answer nothing.
    """

    def __init__(self, window: int = 8):
        self.window = window
        self._entries: dict[str, Counter] = {}

    def add(self, name: str, party: str, year: int | None) -> None:
        key = name_key(name)
        if len(key) >= 3 and party:
            self._entries.setdefault(key, Counter())[(party, year)] += 1

    def add_text(self, text: str, year: int | None) -> None:
        for name, party in members_in(text).values():
            self.add(name, party, year)

    def party_of(self, name: str, year: int | None) -> tuple[str, str] | None:
        """(party, evidence) for a member's name around `year`, or None when unknown or ambiguous."""
        answers = [self._party_of_one(person, year) for person in re.split(r",\s*|\s+en\s+", name)]
        # Several members ("X en Y") have a party only when each is known and all agree.
        return answers[0] if all(answers) and len({a[0] for a in answers}) == 1 else None

    def _party_of_one(self, person: str, year: int | None) -> tuple[str, str] | None:
        entries = self._entries.get(name_key(person))
        if entries:
            votes: Counter = Counter()
            years: list[int] = []
            for (party, y), n in entries.items():
                if year is None or y is None or abs(y - year) <= self.window:
                    votes[party_in(party, year)] += n
                    if y is not None:
                        years.append(y)
            if votes:
                party, n = votes.most_common(1)[0]
                if n >= 0.9 * sum(votes.values()):
                    span = f", {min(years)}–{max(years)}" if years else ""
                    return party, f"{INDEX_TABLE}: {person} → {party} ({n} mentions{span})"
        return None


def year_of(date: str | None) -> int | None:
    return int(date[:4]) if date and date[:4].isdigit() else None
