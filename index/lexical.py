"""Lexical side: BM25 over character bigrams, and Kiwi morphemes for sentence ranking.

BM25 uses character bigrams of Hangul words (and whole lower-cased Latin/number words):
on the public Korean QA slice it retrieved as well as Kiwi morphemes and indexes an
order of magnitude faster, and it needs no model. Kiwi morphemes serve the finer
question-to-sentence match, where content words and their tags matter.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from index.morphs import CONTENT_TAGS, content_form
from index.text import bigram_tokens

if TYPE_CHECKING:
    import bm25s
    from kiwipiepy import Kiwi


class Bm25Index:
    """A thin typed wrapper over bm25s that scores every passage for a query."""

    def __init__(self, retriever: bm25s.BM25, size: int) -> None:
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str]) -> Bm25Index:
        import bm25s

        retriever = bm25s.BM25()
        corpus = [bigram_tokens(t) or ["\u2205"] for t in texts]
        retriever.index(corpus, show_progress=False)
        return cls(retriever, len(texts))

    def save(self, folder: Path) -> None:
        self._retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path, size: int) -> Bm25Index:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), mmap=True), size)

    def writes(self, word: str) -> bool:
        """Whether the corpus has every character bigram of ``word`` somewhere."""
        tokens = bigram_tokens(word)
        return bool(tokens) and all(t in self._retriever.vocab_dict for t in tokens)

    def scores(self, query: str) -> np.ndarray:
        tokens = [t for t in bigram_tokens(query) if t in self._retriever.vocab_dict]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)


class MorphemeAnalyzer:
    """Content morphemes with Kiwi, with a fallback for text Kiwi does not cover."""

    def __init__(self, kiwi: Kiwi) -> None:
        self.kiwi = kiwi

    def content(self, tokens: list) -> list[tuple[str, Any]]:
        """(form, token) of the content morphemes among ``tokens``; Latin forms lower-cased."""
        return [(content_form(t.form, t.tag), t) for t in tokens if t.tag.startswith(CONTENT_TAGS)]

    def tokens(self, text: str) -> list:
        return self.kiwi.tokenize(text)
