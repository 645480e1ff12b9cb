"""What `rag ask` prints for an answer: readable text, or one JSON object (README, "JSON contract")."""

from __future__ import annotations

import json

from rag.answer import citation, language
from rag.types import Answer, Hit


def passage_json(hit: Hit) -> dict:
    c = hit.chunk
    return {"rank": hit.rank, "doc_id": c.doc_id, "title": c.title, "party": c.party, "speaker": c.speaker,
            "speaker_role": c.speaker_role, "attribution": c.attribution, "section": c.section, "page": c.page, "page_end": c.page_end, "doc_type": c.doc_type, "date": c.date,
            "text": c.text, "start": c.start, "end": c.end, "score": round(hit.score, 6)}


def render_answer(answer: Answer, as_json: bool) -> str:
    if as_json:
        asked = {"asked": answer.asked} if answer.asked else {}  # a follow-up: `question` is what was searched
        return json.dumps({"question": answer.question, **asked, "answer": answer.text, "status": answer.status,
                           "quotes": [q.to_json() for q in answer.quotes],
                           "passages": [passage_json(h) for h in answer.hits],
                           "others": [passage_json(h) for h in answer.others]}, ensure_ascii=False)
    lang = language(answer.question)
    lines = [answer.text, "\nPassages:"]
    lines += [f"\n[{h.rank}] {citation(h.chunk, lang)}  (score {h.score:.3f})\n{h.chunk.text}" for h in answer.hits]
    return "\n".join(lines)
