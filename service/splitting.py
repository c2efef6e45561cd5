"""A sentence splitter for incremental builds: it reuses the spans an index already
holds for unchanged text (Kiwi splitting every article again would make one upsert cost
as much as a rebuild) and lets a build report progress and be cancelled per article."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from index.models import Span
from index.sentences import SentenceSplitter
from index.store import LoadedIndex


def spans_by_text(index: LoadedIndex) -> dict[str, list[Span]]:
    """Sentence spans of every article of ``index``, keyed by the article text."""
    by_row: dict[int, list[Span]] = {}
    for article, start, end in index.sentences.tolist():
        by_row.setdefault(article, []).append(Span(start, end))
    out: dict[str, list[Span]] = {}
    for row, spans in by_row.items():
        out.setdefault(index.articles[row].text, spans)
    return out


class ReusingSplitter(SentenceSplitter):
    def __init__(
        self,
        inner: SentenceSplitter,
        known: Mapping[str, list[Span]] | None = None,
        on_article: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(inner.kiwi)
        self._inner = inner
        self._known = known or {}
        self._on_article = on_article

    def split(self, text: str) -> list[Span]:
        if self._on_article:
            self._on_article()  # may raise to cancel the build
        spans = self._known.get(text)
        return list(spans) if spans is not None else self._inner.split(text)
