"""How closely a passage's words match a question's, token by token, in the model's own vectors.

Each token of the question meets its closest token of the passage (cosine of their contextual
vectors, the transformer's last layer); the mean over the question's tokens is the passage's soft
coverage: BERTScore's recall (Zhang et al., 2020, "BERTScore: Evaluating Text Generation with BERT").
Unlike `rag.answer.coverage`, which needs a word or its Dutch rendering written in the passage, it
credits a word the passage puts otherwise ("relocation" → "herplaatsing") and, since the vectors are
contextual, a word used in another sense weighs less. One extra forward pass of the best passage per
question (README, "Speed").
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def own_tokens(offsets: Sequence[tuple[int, int]], special: Sequence[int], prompt_length: int) -> list[int]:
    """Positions of the tokens of the text itself in the tokenised "prompt + text": not the model's
    special tokens (<s>, </s>), not the prompt's ("query: ")."""
    return [i for i, ((start, end), is_special) in enumerate(zip(offsets, special))
            if not is_special and end > start and end > prompt_length]


def soft_coverage(question: np.ndarray, passage: np.ndarray) -> float:
    """Mean over the question's token vectors of the best cosine with a passage token (rows L2-normalised);
    0 when either has no tokens."""
    if not len(question) or not len(passage):
        return 0.0
    return float((question @ passage.T).max(axis=1).mean())
