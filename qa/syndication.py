"""Syndicated copies at answer time: a sentence is quoted once, from the earliest copy.

The build groups near-duplicate articles (index/dedup.py). When a candidate sentence
comes from a later copy, the quote is taken from the earliest-published copy that has
the same sentence (and that the request's filters allow), and its citation lists the
other copies. Independently of groups, no answer quotes the same sentence twice: quotes
are compared by their normalized text (case, width, punctuation and spacing ignored),
and within a group a sentence that differs by a word or two counts as the same.
"""

from __future__ import annotations

import numpy as np

from index.dedup import normalize
from index.store import LoadedIndex
from qa.types import ReportedCopy

# Character-bigram overlap above which two sentences of one story are the same sentence
# with a word or two edited ("밝혔다" -> "전했다", "kilometres" -> "kilometers").
NEAR_SAME = 0.8


def _bigrams(key: str) -> frozenset[str]:
    text = key.replace(" ", "")
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) or frozenset({text})


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


class QuoteDeduper:
    """The quotes of one answer: which sentence row to quote, and whether a sentence has
    been quoted already."""

    def __init__(self, index: LoadedIndex, allowed: np.ndarray | None = None) -> None:
        self.index = index
        # Article rows the request's filters allow (None: all).
        self.allowed: set[int] | None = (
            None if allowed is None else {int(a) for a in np.unique(index.passages[allowed, 0])}
        )
        self._quoted: list[tuple[str, frozenset[str], int]] = []  # key, bigrams, article

    def _article(self, row: int) -> int:
        return int(self.index.sentences[row, 0])

    def _key(self, row: int) -> str:
        return normalize(self.index.sentence_text(row))

    def earliest(self, row: int) -> int:
        """The same sentence in the earliest allowed copy of its story (``row`` itself when
        its own article comes first or no earlier copy has the sentence)."""
        article = self._article(row)
        group = self.index.groups.group_of(article)
        if not group:
            return row
        key = self._key(row)
        grams = _bigrams(key)
        for copy in group:  # earliest first
            if copy == article:
                return row
            if self.allowed is not None and copy not in self.allowed:
                continue
            best, best_sim = -1, NEAR_SAME
            for other in self._rows_of(copy):
                other_key = self._key(other)
                sim = 1.0 if other_key == key else _overlap(grams, _bigrams(other_key))
                if sim >= best_sim:
                    best, best_sim = other, sim
            if best >= 0:
                return best
        return row

    def repeats(self, row: int) -> bool:
        """The sentence was quoted already: the same normalized text, or nearly the same
        text in a copy of the same story."""
        key = self._key(row)
        grams = _bigrams(key)
        group = set(self.index.groups.group_of(self._article(row)))
        for quoted_key, quoted_grams, quoted_article in self._quoted:
            if key == quoted_key:
                return True
            if quoted_article in group and _overlap(grams, quoted_grams) >= NEAR_SAME:
                return True
        return False

    def add(self, rows: list[int]) -> None:
        for row in rows:
            key = self._key(row)
            self._quoted.append((key, _bigrams(key), self._article(row)))

    def passage_of(self, row: int) -> int:
        """The first passage row that contains sentence ``row``."""
        index = self.index
        article = self._article(row)
        position = index.sentence_index_in_article(row)
        lo, hi = np.searchsorted(index.passages[:, 0], [article, article + 1])
        for p in range(int(lo), int(hi)):
            if int(index.passages[p, 1]) <= position < int(index.passages[p, 2]):
                return p
        raise ValueError(f"sentence row {row} is in no passage")

    def also_reported(self, article: int) -> tuple[ReportedCopy, ...]:
        """The other copies of ``article``'s story, earliest first."""
        return tuple(
            ReportedCopy(
                article_id=a.id, title=a.title, url=a.url, source=a.source, published=a.published
            )
            for a in (self.index.articles[r] for r in self.index.groups.group_of(article))
            if a.id != self.index.articles[article].id
        )

    def _rows_of(self, article: int) -> range:
        first = self.index.article_first_sentence
        return range(int(first[article]), int(first[article + 1]))


__all__ = ["NEAR_SAME", "QuoteDeduper"]
