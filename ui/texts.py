"""The interface's words, in Dutch (the default: staff work in Dutch) and English.

Answers carry their own language (that of the question, `rag.answer.TEXTS`); these are the labels,
buttons and messages around them. Every language has the same keys (tests/test_ui.py checks).
"""

from __future__ import annotations

LANGUAGES = ("nl", "en")
PAGE_NAMES = {"nl": "Nederlands", "en": "English"}

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "heading": "## Kamervragen — letterlijke antwoorden uit Kamerstukken",
        "chat_tab": "Vragen", "lookup_tab": "Snel opzoeken", "upload_tab": "Documenten toevoegen",
        "document_tab": "Document",
        "filters": "Filters (gelden voor de volgende vraag)", "party": "Partij", "document": "Document",
        "doc_type": "Soort stuk", "since": "Vanaf (JJJJ[-MM[-DD]])", "until": "Tot en met (JJJJ[-MM[-DD]])",
        "placeholder": "Stel uw vraag, in het Nederlands of het Engels…",
        "examples": "Voorbeelden (klik, dan versturen)",
        "download": "Gesprek downloaden (Markdown)", "conversation": "Gesprek",
        "nothing_to_save": "Nog geen gesprek om te bewaren.",
        "passages": "### Gevonden passages", "no_passages": "Geen passages.",
        "attribution": "Spreker en partij: {how}", "score": "score",
        "searched": "Gezocht: {question}",
        "search": "Zoeken", "search_placeholder": "bijv. Oeganda transithub", "search_go": "Zoek",
        "files": "PDF-, XML-, HTML- of TXT-bestanden", "index_go": "Deze bestanden indexeren",
        "editors_only": "❌ Alleen redacteuren mogen documenten toevoegen.",
        "remote_index": "❌ Deze index staat in Milvus; voeg documenten toe op de machine die hem bouwt "
                        "(`rag index PAD... --backend milvus://…`).", "no_files": "Geen bestanden gegeven.",
        "bad_type": "❌ {name}: geweigerd, het type {suffix} is geen {allowed}",
        "too_large": "❌ {name}: geweigerd, {mb:.1f} MB is meer dan de grens van {limit} MB",
        "busy": "⏳ Er wordt al een andere upload geïndexeerd; probeer het opnieuw als die klaar is.",
        "failed": "❌ Indexeren mislukt, niets wat al in de index stond is veranderd: {error}",
        "indexed": "✅ {name}: geïndexeerd", "refused": "❌ {name}: {why}",
        "summary": "{documents} documenten, {passages} passages in de index ({new} nieuwe passages "
                   "ingebed in {seconds:.1f} s).",
        "indexing": "indexeren: {name}", "finishing": "afronden",
        "open_document": "Open in het document", "official": "Officiële publicatie",
        "document_empty": "Kies een passage (link bij een citaat) om het document te lezen.",
        "document_missing": "Dit document staat niet (meer) in de index.",
        "page": "blz.",
    },
    "en": {
        "heading": "## Kamervragen — verbatim answers from parliamentary documents",
        "chat_tab": "Ask", "lookup_tab": "Quick lookup", "upload_tab": "Add documents",
        "document_tab": "Document",
        "filters": "Filters (apply to the next question)", "party": "Party", "document": "Document",
        "doc_type": "Document type", "since": "From (YYYY[-MM[-DD]])", "until": "Until (YYYY[-MM[-DD]])",
        "placeholder": "Ask in Dutch or English…",
        "examples": "Examples (click, then send)",
        "download": "Download the conversation (Markdown)", "conversation": "Conversation",
        "nothing_to_save": "No conversation to save yet.",
        "passages": "### Passages retrieved", "no_passages": "No passages.",
        "attribution": "Speaker and party: {how}", "score": "score",
        "searched": "Searched: {question}",
        "search": "Search", "search_placeholder": "e.g. Oeganda transithub", "search_go": "Search",
        "files": "PDF, XML, HTML or TXT files", "index_go": "Index these files",
        "editors_only": "❌ Only editors may add documents.",
        "remote_index": "❌ This index is served from Milvus; add documents on the machine that builds it "
                        "(`rag index PATH... --backend milvus://…`).", "no_files": "No files given.",
        "bad_type": "❌ {name}: refused, type {suffix} is not one of {allowed}",
        "too_large": "❌ {name}: refused, {mb:.1f} MB is over the {limit} MB limit",
        "busy": "⏳ Another upload is being indexed; try again when it is done.",
        "failed": "❌ Indexing failed, nothing already indexed was changed: {error}",
        "indexed": "✅ {name}: indexed", "refused": "❌ {name}: {why}",
        "summary": "{documents} documents, {passages} passages in the index ({new} new passages embedded "
                   "in {seconds:.1f} s).",
        "indexing": "indexing {name}", "finishing": "finishing",
        "open_document": "Open in the document", "official": "Official publication",
        "document_empty": "Choose a passage (the link beside a quote) to read its document.",
        "document_missing": "This document is not (or no longer) in the index.",
        "page": "p.",
    },
}

EXAMPLES = {
    "nl": ["Wat vroeg JA21 over Oeganda?", "Wat vroeg de BBB over de korting op de solidariteitsbijdrage?",
           "Welke vragen stelde het CDA over terugkeer naar Syrië?", "What did GroenLinks-PvdA ask about the solidarity pool?"],
    "en": ["What did JA21 ask about Uganda?", "What did GroenLinks-PvdA ask about the solidarity pool?",
           "Wat vroeg de BBB over de korting op de solidariteitsbijdrage?", "Which questions did the CDA ask about return to Syria?"],
}
