"""How a date in the question shapes the search: an explicit window filters the articles by
publication day, any other window (and "최근/latest") boosts the articles inside it.

- A quarter or half year names the period a figure covers, and its results are reported
  in the months after it ("3분기 영업이익" appears in October): the publication days that
  count run to the end of the following quarter.
- An article without a publication day is never filtered out by a date in the question
  (it cannot be placed in time) and never boosted.
- A window given as absolute dates ("2017년", "2025년 3분기") that no article was
  published in is often the time of an event that later articles tell about ("2002년
  월드컵"): then it boosts instead of filtering. A relative one ("어제", "지난주") keeps
  filtering, and the answer says that nothing was published then.
- "최근", "latest": each article's boost halves every ``RECENT_HALF_LIFE_DAYS`` of age.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from index.store import LoadedIndex
from qa.dates import TimeWindow, resolve_time_window
from qa.retrieval import Hit

# Passages of boosted articles rank with their fused score multiplied by
# 1 + HIT_BOOST * weight (a nudge: at 0.5 a passage of another story published in the
# window outranked the one that answers, in tests/index/test_sentence_transformers.py),
# and their sentences gain SENTENCE_BOOST * weight (selection scores are ~1-1.5; the
# near-identical reports of tests/qa/test_time_scope.py differ by 0.01-0.03). The boost
# of "최근/latest" halves every RECENT_HALF_LIFE_DAYS, so a week's difference in age
# counts.
HIT_BOOST = 0.1
SENTENCE_BOOST = 0.1
RECENT_HALF_LIFE_DAYS = 7
_REPORTING_LAG = {"quarter": 92, "half": 92}


class TimeScope:
    """The window of one question and how it is applied (``applied``: "filter" or
    "boost"; None without a window)."""

    def __init__(self, window: TimeWindow | None, as_of: date) -> None:
        self.window = window
        self.as_of = as_of
        self.applied = None if window is None else ("filter" if window.explicit else "boost")

    @classmethod
    def of(cls, question: str, as_of: date | None = None) -> TimeScope:
        as_of = as_of or date.today()
        return cls(resolve_time_window(question, as_of), as_of)

    @property
    def filtering(self) -> bool:
        return self.applied == "filter"

    @property
    def boosting(self) -> bool:
        return self.applied == "boost"

    def publication_range(self) -> tuple[date, date] | None:
        if self.window is None:
            return None
        lag = _REPORTING_LAG.get(self.window.granularity, 0)
        return self.window.start, self.window.end + timedelta(days=lag)

    def allowed(self, index: LoadedIndex, allowed: np.ndarray | None) -> np.ndarray | None:
        """The passage mask narrowed to the window when it filters."""
        if not self.filtering or index.passage_count == 0:
            return allowed
        start, end = self.publication_range()  # type: ignore[misc]
        days = index.published_days
        ok = (days < 0) | ((days >= start.toordinal()) & (days <= end.toordinal()))
        mask = ok[index.passage_articles]
        return mask if allowed is None else mask & allowed

    def fall_back(self) -> bool:
        """An absolute window that matched nothing boosts instead; True if it did."""
        if self.filtering and self.window is not None and not self.window.relative:
            self.applied = "boost"
            return True
        return False

    def weights(self, index: LoadedIndex, articles: np.ndarray) -> np.ndarray:
        """Boost weight in [0, 1] of each article row in ``articles``."""
        if not self.boosting or self.window is None:
            return np.zeros(len(articles))
        days = index.published_days[articles]
        dated = days >= 0
        if self.window.granularity == "recent":
            age = np.maximum(self.as_of.toordinal() - days, 0)
            fresh = days <= self.as_of.toordinal()
            return np.where(dated & fresh, 0.5 ** (age / RECENT_HALF_LIFE_DAYS), 0.0)
        start, end = self.publication_range()  # type: ignore[misc]
        inside = (days >= start.toordinal()) & (days <= end.toordinal())
        return (dated & inside).astype(float)

    def boost_hits(self, hits: list[Hit], index: LoadedIndex) -> list[Hit]:
        """Hits reordered so that boosted passages get into the candidate set; each keeps
        its own score (the passage's rank weighs in sentence selection as evidence)."""
        if not self.boosting or not hits:
            return hits
        articles = index.passage_articles[np.asarray([h.row for h in hits], dtype=np.int64)]
        w = self.weights(index, articles)
        order = sorted(range(len(hits)), key=lambda i: -hits[i].score * (1 + HIT_BOOST * w[i]))
        return [hits[i] for i in order]

    def sentence_bonus(self, index: LoadedIndex, rows: list[int]) -> dict[int, float]:
        """Selection-score bonus of each sentence row."""
        if not self.boosting or not rows:
            return {}
        articles = index.sentence_articles(rows)
        w = self.weights(index, articles)
        return {r: SENTENCE_BOOST * float(x) for r, x in zip(rows, w, strict=True) if x}

    def window_dict(self) -> dict[str, object] | None:
        if self.window is None:
            return None
        return {**self.window.to_dict(), "applied": self.applied}

    def note(self) -> str | None:
        """What a refusal should add when the window filtered the articles."""
        if not self.filtering or self.window is None:
            return None
        start, end = self.publication_range()  # type: ignore[misc]
        return (
            f"only articles published {start.isoformat()}..{end.isoformat()} "
            f"({self.window.phrase}) were searched"
        )


__all__ = ["TimeScope"]
