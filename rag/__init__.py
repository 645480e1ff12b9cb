"""Kamervragen: question answering over Dutch parliamentary documents with verbatim, cited passages.

    import rag
    answer = rag.ask("What did JA21 ask about Uganda?")
"""

__all__ = ["Assistant", "ask"]


def __getattr__(name: str):
    # Imported on first use: `rag ask` talking to a running service needs none of the libraries
    # behind the API (langchain-core alone takes 0.5 s to import).
    if name in __all__:
        from rag import api

        return getattr(api, name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
