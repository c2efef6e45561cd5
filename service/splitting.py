"""A sentence splitter for incremental builds: it reuses the sentences (spans and
morphemes) an index already holds for unchanged text (Kiwi splitting every article again
would make one upsert cost as much as a rebuild) and lets a build report progress and be
cancelled per article."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from index.models import Span
from index.morphs import SentenceMorphs
from index.sentences import SentenceSplitter
from index.store import LoadedIndex

Analyzed = list[tuple[Span, SentenceMorphs]]


def sentences_by_text(index: LoadedIndex) -> dict[str, Analyzed]:
    """Sentences of every article of ``index``, keyed by the article text."""
    by_row: dict[int, Analyzed] = {}
    for s in index.iter_sentences():
        by_row.setdefault(s.article, []).append((Span(s.start, s.end), index.morphs[s.row]))
    out: dict[str, Analyzed] = {}
    for row, sentences in by_row.items():
        out.setdefault(index.articles[row].text, sentences)
    return out


class ReusingSplitter(SentenceSplitter):
    def __init__(
        self,
        inner: SentenceSplitter,
        known: Mapping[str, Analyzed] | None = None,
        on_article: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(inner.kiwi)
        self._inner = inner
        self._known = known or {}
        self._on_article = on_article

    def analyze(self, text: str) -> Analyzed:
        if self._on_article:
            self._on_article()  # may raise to cancel the build
        known = self._known.get(text)
        return list(known) if known is not None else self._inner.analyze(text)
