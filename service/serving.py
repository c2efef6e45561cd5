"""The index being served, swapped atomically.

A request takes :meth:`IndexHolder.current` once and uses that :class:`ServedIndex` to
the end, so a swap never changes the index under a request in flight: requests that
started before the swap finish on the old version, later ones see the new one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from index.errors import IndexLoadError
from index.store import LoadedIndex
from qa.answerer import Answerer


@dataclass(frozen=True)
class ServedIndex:
    index: LoadedIndex
    answerer: Answerer
    loaded_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def version(self) -> str:
        return self.index.version

    def counts(self) -> dict[str, int]:
        return {
            "articles": len(self.index.articles),
            "passages": self.index.passage_count,
            "sentences": self.index.sentence_count,
        }

    def summary(self) -> dict[str, Any]:
        return {"version": self.version, "counts": self.counts()}


class IndexHolder:
    """Holds the served index. Reads are a single attribute load (atomic); swaps are
    serialized by the writer that performs them."""

    def __init__(self) -> None:
        self._current: ServedIndex | None = None
        self._lock = threading.Lock()
        self.unavailable_reason = "no index has been loaded yet"

    @property
    def current(self) -> ServedIndex | None:
        return self._current

    def require(self) -> ServedIndex:
        served = self._current
        if served is None:
            raise self.unavailable_error()
        return served

    def unavailable_error(self) -> IndexLoadError:
        return IndexLoadError(
            f"no index is being served: {self.unavailable_reason}",
            details={"reason": self.unavailable_reason},
        )

    def swap(self, served: ServedIndex) -> ServedIndex | None:
        with self._lock:
            previous, self._current = self._current, served
        return previous

    def mark_unavailable(self, reason: str) -> None:
        self.unavailable_reason = reason
