"""Kamervragen: question answering over Dutch parliamentary documents with verbatim, cited passages.

    import rag
    answer = rag.ask("What did JA21 ask about Uganda?")
"""

from rag.api import Assistant, ask

__all__ = ["Assistant", "ask"]
