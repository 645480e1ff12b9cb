"""Optional generation: a short summary over the quotes by a configured chat model.

Configure with `RAG_CHAT_MODEL`: "openai:MODEL" (an OpenAI-compatible endpoint: `OPENAI_BASE_URL`,
`OPENAI_API_KEY`; needs langchain-openai) or "ollama:MODEL" (`OLLAMA_HOST`; needs langchain-ollama).
Nothing requires a model: without one the answer is the quotes alone. Whatever the model writes,
every quotation in it is checked against the sources and removed when it is not verbatim.
"""

from __future__ import annotations

import os
import re

from rag.errors import ModelError
from rag.store import DocRecord
from rag.types import Quote

SYSTEM = (
    "You summarise what was said in Dutch parliamentary documents, using only the numbered quotes given. "
    "Answer in the language of the question, in at most four sentences, naming the party of each point. "
    "When you quote, copy the words exactly, between “ and ”. Do not add facts that are not in the quotes."
)
_QUOTED = re.compile(r"[“\"„]([^“”\"„]{3,}?)[”\"]")


def chat_model_from_env():
    """The chat model `RAG_CHAT_MODEL` names, or None when none is configured."""
    spec = os.environ.get("RAG_CHAT_MODEL", "").strip()
    if not spec:
        return None
    provider, _, name = spec.partition(":")
    try:
        if provider == "openai":
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(model=name, temperature=0)
        if provider == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(model=name, temperature=0)
    except ImportError as exc:
        raise ModelError(f"RAG_CHAT_MODEL={spec} needs the package langchain-{provider}; install it or unset "
                         f"RAG_CHAT_MODEL.") from exc
    raise ModelError(f"RAG_CHAT_MODEL={spec!r} is not understood; use openai:MODEL or ollama:MODEL.")


def _squash(text: str) -> str:
    return " ".join(text.split())


def remove_unverified_quotes(text: str, sources: list[str]) -> tuple[str, int]:
    """The text with every quotation that is not verbatim in a source removed; and how many were."""
    haystack = [_squash(s) for s in sources]
    removed = 0

    def check(m: re.Match) -> str:
        nonlocal removed
        if any(_squash(m.group(1)) in h for h in haystack):
            return m.group(0)
        removed += 1
        return ""

    cleaned = _QUOTED.sub(check, text)
    return re.sub(r"[ \t]{2,}", " ", cleaned).strip(), removed


def summarise(model, question: str, quotes: list[Quote], documents: dict[str, DocRecord]) -> str:
    """The model's summary of the quotes, with any quotation that is not in the sources removed."""
    from langchain_core.messages import HumanMessage, SystemMessage

    listing = "\n".join(f"[{i}] {q.party or q.speaker or 'no party'} ({q.title}, p. {q.page}): “{q.text}”"
                        for i, q in enumerate(quotes, start=1))
    reply = model.invoke([SystemMessage(SYSTEM), HumanMessage(f"Question: {question}\n\nQuotes:\n{listing}")])
    content = reply.content if isinstance(reply.content, str) else str(reply.content)
    sources = [documents[q.doc_id].text for q in quotes if q.doc_id in documents]
    cleaned, _ = remove_unverified_quotes(content, sources)
    return cleaned
