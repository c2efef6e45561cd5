"""Syndicated copies at answer time: a sentence is quoted once, from the earliest copy.

The build groups near-duplicate articles (index/dedup.py). When a candidate sentence
comes from a later copy, the quote is taken from the earliest-published copy that has
the same sentence (and that the request's filters allow), and its citation lists the
other copies. Independently of groups, no answer quotes the same sentence twice: quotes
are compared by their normalized text (case, width, punctuation and spacing ignored; a
sentence that contains another whole, like a lead with a byline glued on, repeats it).
Within a group, a sentence whose character bigrams are mostly (``NEAR_SAME``) those of
another is the same sentence edited: a word changed, a clause added or cut.
"""

from __future__ import annotations

import numpy as np

from index.dedup import normalize, numbers
from index.store import LoadedIndex
from qa.types import ReportedCopy

# Share of the shorter sentence's character bigrams that the other has, above which two
# sentences of one story are the same sentence edited ("밝혔다" -> "전했다", a byline
# glued on, "on Monday" cut). Sentences of fewer bigrams must match exactly.
NEAR_SAME = 0.8
MIN_BIGRAMS = 10
# A sentence inside another counts as repeated only from this length on ("그는 말했다"
# is inside many sentences that say something else).
MIN_CONTAINED_CHARS = 20


def _bigrams(key: str) -> frozenset[str]:
    text = key.replace(" ", "")
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) or frozenset({text})


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient: the share of the smaller set found in the larger."""
    small = min(len(a), len(b))
    if small < MIN_BIGRAMS:
        return 1.0 if a == b else 0.0
    return len(a & b) / small


def _same_numbers(a: str, b: str) -> bool:
    """An edit may cut a clause with its number, but never changes one: other numbers
    are other facts (last week's figure, a corrected count)."""
    na, nb = numbers(a), numbers(b)
    return na <= nb or nb <= na


def _contains(a: str, b: str) -> bool:
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return short == long or (len(short) >= MIN_CONTAINED_CHARS and short in long)


class QuoteDeduper:
    """The quotes of one answer: which sentence row to quote, and whether a sentence has
    been quoted already."""

    def __init__(self, index: LoadedIndex, allowed: np.ndarray | None = None) -> None:
        self.index = index
        self._mask = allowed  # passage rows the request's filters allow (None: all)
        self._allowed: set[int] | None = None
        self._quoted: list[tuple[str, frozenset[str], int]] = []  # key, bigrams, article

    def _article(self, row: int) -> int:
        return self.index.sentence_article(row)

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
            if not self._allows(copy):
                continue
            best, best_sim = -1, NEAR_SAME
            for other in self._rows_of(copy):
                other_key = self._key(other)
                if _contains(key, other_key):
                    sim = 1.0
                elif not _same_numbers(key, other_key):
                    continue
                else:
                    sim = _overlap(grams, _bigrams(other_key))
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
            if _contains(key, quoted_key):
                return True
            if (
                quoted_article in group
                and _overlap(grams, quoted_grams) >= NEAR_SAME
                and _same_numbers(key, quoted_key)
            ):
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
        for p in index.article_passage_rows(article):
            passage = index.passage(p)
            if passage.first_sentence <= position < passage.last_sentence:
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

    def _allows(self, article: int) -> bool:
        if self._mask is None:
            return True
        if self._allowed is None:  # only when a grouped article is quoted
            self._allowed = {int(a) for a in np.unique(self.index.passage_articles[self._mask])}
        return article in self._allowed

    def _rows_of(self, article: int) -> range:
        return self.index.article_sentence_rows(article)


__all__ = ["NEAR_SAME", "QuoteDeduper"]
