"""The embedding cache: a rebuild embeds only what changed."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from index.builder import BuildReport
from index.cache import EmbeddingCache
from index.embedders import Embedder
from index.models import Article
from index.readers import read_sources
from index.store import LoadedIndex
from service.components import Components
from tests.helpers import SAMPLE_DIR

CHANGED_ID = "kr-bok-rate-2025-10"
ADDED_SENTENCE = "한국은행은 다음 통화정책방향 회의를 11월 27일에 연다."


class CountingEmbedder:
    """The real embedder, recording every text it is asked to embed (an ``Embedder``)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.backend = inner.backend
        self.model = inner.model
        self.dim = inner.dim
        self.passages: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages.extend(texts)
        return self.inner.embed_passages(texts)


@pytest.fixture
def counting(components: Components) -> tuple[Components, CountingEmbedder]:
    embedder = CountingEmbedder(components.embedder)
    assert isinstance(embedder, Embedder)
    return dataclasses.replace(components, embedder=embedder), embedder


def test_rebuilding_the_same_sample_embeds_nothing(
    sample_build_report: BuildReport,
    sample_index: LoadedIndex,
    counting: tuple[Components, CountingEmbedder],
    tmp_path: Path,
) -> None:
    comps, embedder = counting
    report = comps.build_from_sources([SAMPLE_DIR], tmp_path / "index")
    assert report.embedded == 0
    assert report.cached == report.passages + report.sentences > 0
    assert embedder.passages == []
    assert (report.passages, report.sentences) == (
        sample_build_report.passages,
        sample_build_report.sentences,
    )
    rebuilt = comps.open_index(tmp_path / "index")
    assert [a.id for a in rebuilt.articles] == [a.id for a in sample_index.articles]
    np.testing.assert_array_equal(rebuilt.sentence_vectors, sample_index.sentence_vectors)


def test_changing_one_article_re_embeds_only_its_texts(
    sample_build_report: BuildReport, counting: tuple[Components, CountingEmbedder], tmp_path: Path
) -> None:
    comps, embedder = counting
    articles = read_sources([SAMPLE_DIR]).articles
    changed: Article | None = None
    for i, article in enumerate(articles):
        if article.id == CHANGED_ID:
            changed = dataclasses.replace(article, text=article.text + "\n\n" + ADDED_SENTENCE)
            articles[i] = changed
    assert changed is not None
    report, _ = comps.build(articles, tmp_path / "index")
    assert report.embedded > 0
    assert report.embedded == len(embedder.passages)
    assert report.embedded + report.cached == report.passages + report.sentences
    # Sentences are embedded with their article's title as context.
    assert changed.title + "\n" + ADDED_SENTENCE in embedder.passages
    for text in embedder.passages:
        # A new sentence of the changed article, or one of its passages (title + body).
        assert text in changed.text or text.startswith(changed.title + "\n"), text
    # Far fewer than a full build.
    assert report.embedded < (sample_build_report.passages + sample_build_report.sentences) / 5


def test_cache_persists_across_instances(tmp_path: Path, components: Components) -> None:
    path = tmp_path / "cache.sqlite3"
    texts = ["부산항 물동량이 역대 최대를 기록했다.", "Busan Port set a record."]
    embedder = components.embedder
    first = EmbeddingCache(path)
    vectors = first.get_or_embed(
        embedder.model, "passage", texts, embedder.embed_passages, embedder.dim
    )
    first.close()

    def must_not_embed(batch: list[str]) -> np.ndarray:
        raise AssertionError(f"cached texts were embedded again: {batch}")

    second = EmbeddingCache(path)
    again = second.get_or_embed(embedder.model, "passage", texts, must_not_embed, embedder.dim)
    assert (second.hits, second.misses) == (2, 0)
    np.testing.assert_array_equal(again, vectors)
    # Another model or kind is another key.
    with pytest.raises(AssertionError, match="embedded again"):
        second.get_or_embed("another-model", "passage", texts, must_not_embed, embedder.dim)
    second.close()
