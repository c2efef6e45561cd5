"""The retrievers' top-k selection and filtered dense search, against brute force; the
language quota of the candidates."""

from __future__ import annotations

import numpy as np
import pytest

from index.store import LoadedIndex
from qa.retrieval import (
    DenseRetriever,
    Hit,
    HybridRetriever,
    _top,
    _top_positive,
    with_language_quota,
)


def _reference(scores: np.ndarray, k: int, allowed: np.ndarray | None, floor: float) -> list:
    rows = [r for r in range(len(scores)) if scores[r] > floor and (allowed is None or allowed[r])]
    return sorted(rows, key=lambda r: (-scores[r], r))[:k]


@pytest.mark.parametrize("seed", range(8))
def test_top_is_the_best_k_with_ties_in_row_order(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    # Few distinct values, many zeros: ties at the cut and everywhere else.
    scores = rng.choice([0.0, 0.0, 0.5, 1.0, 2.5], size=n).astype(np.float32)
    allowed = rng.random(n) < 0.7 if seed % 2 else None
    for k in (1, 5, 50, n + 3):
        assert _top_positive(scores, k, allowed).tolist() == _reference(scores, k, allowed, 0.0)
        assert _top(scores, k, allowed).tolist() == _reference(scores, k, allowed, -np.inf)


def test_top_of_nothing_is_empty() -> None:
    assert _top_positive(np.zeros(10, np.float32), 5, None).tolist() == []
    assert _top(np.ones(3, np.float32), 5, np.zeros(3, bool)).tolist() == []


def test_filtered_dense_search_returns_only_allowed_rows(fake_index: LoadedIndex) -> None:
    dense = DenseRetriever(fake_index)
    n = fake_index.passage_count
    query = fake_index.sentence_vectors_at([0])[0]
    everything = dense.scores(query, n, None)
    for allowed in (np.arange(n) % 2 == 0, np.arange(n) == n - 1, np.zeros(n, bool)):
        found = dense.scores(query, n, allowed)
        assert set(found) == set(np.flatnonzero(allowed).tolist())
        assert all(found[r] == pytest.approx(everything[r], abs=1e-6) for r in found)


def test_passage_vectors_are_the_stored_ones(fake_index: LoadedIndex) -> None:
    rows = list(range(min(5, fake_index.passage_count)))
    vectors = HybridRetriever(fake_index)._passage_vectors(rows)
    for row, vector in zip(rows, vectors, strict=True):
        assert np.array_equal(vector, fake_index.faiss_index.reconstruct(row))


def test_bm25_stays_out_of_the_fusion_across_scripts(fake_index: LoadedIndex) -> None:
    """An English question over Korean articles: BM25 can only match stray Latin words
    there, so the hybrid ranking is the dense one (passage and best-sentence cosines)."""
    retriever = HybridRetriever(fake_index)
    vector = fake_index.sentence_vectors_at([0])[0]
    dense = retriever.dense.scores(vector, fake_index.passage_count, None)
    assert retriever._across_scripts("How many GPUs will Nvidia supply?", dense)
    assert not retriever._across_scripts("엔비디아는 GPU를 몇 장 공급하나?", dense)


def _by_language(index: LoadedIndex) -> tuple[list[int], list[int]]:
    korean = index.korean_articles[index.passage_articles]
    rows = range(index.passage_count)
    return [r for r in rows if korean[r]], [r for r in rows if not korean[r]]


def test_the_candidates_hold_a_quota_of_each_language(fake_index: LoadedIndex) -> None:
    ko, en = _by_language(fake_index)
    assert len(ko) >= 12 and len(en) >= 4
    ko, en = ko[:12], en[:4]
    ranked = ko + en  # every Korean passage ranked above every English one
    hits = [Hit(row, 1.0 - i / 100) for i, row in enumerate(ranked)]
    out = [h.row for h in with_language_quota(hits, fake_index, 10, 3)]
    # The best 3 English passages take the places of the last 3 Korean ones of the first
    # 10, which follow them in their order; nothing is lost.
    assert out == ko[:7] + en[:3] + ko[7:] + en[3:]
    # And the other way round.
    ranked = en + ko
    hits = [Hit(row, 1.0 - i / 100) for i, row in enumerate(ranked)]
    out = [h.row for h in with_language_quota(hits, fake_index, 6, 3)]
    assert out == en[:3] + ko[:3] + en[3:] + ko[3:]


def test_the_quota_moves_nothing_it_need_not(fake_index: LoadedIndex) -> None:
    ko, en = _by_language(fake_index)
    mixed = [*ko[:3], *en[:3], *ko[3:10]]
    hits = [Hit(row, 1.0 - i / 100) for i, row in enumerate(mixed)]
    assert with_language_quota(hits, fake_index, 10, 3) == hits  # 3 English already
    assert with_language_quota(hits, fake_index, 10, 0) == hits  # no quota
    # Fewer passages of a language than the quota: those there are.
    one = [*ko[:10], en[0]]
    hits = [Hit(row, 1.0 - i / 100) for i, row in enumerate(one)]
    out = [h.row for h in with_language_quota(hits, fake_index, 10, 3)]
    assert out == [*ko[:9], en[0], ko[9]]
    # A corpus of one language: unchanged.
    hits = [Hit(row, 1.0 - i / 100) for i, row in enumerate(ko[:12])]
    assert with_language_quota(hits, fake_index, 10, 3) == hits
