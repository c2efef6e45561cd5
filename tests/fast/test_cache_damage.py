"""A damaged embedding cache costs time, never a failed build or a crash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from index.cache import EmbeddingCache
from tests.fakes import HashingFakeEmbedder

TEXTS = ["첫 문장이다.", "Second sentence.", "세 번째."]


def _embed(cache: EmbeddingCache, texts: list[str]) -> np.ndarray:
    fake = HashingFakeEmbedder(dim=32)
    return cache.get_or_embed(fake.model, "passage", texts, fake.embed_passages, fake.dim)


def test_a_file_that_is_not_a_database_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite3"
    cache = EmbeddingCache(path)
    expected = _embed(cache, TEXTS)
    cache.close()
    path.write_bytes(b"\x00garbage, not SQLite\xff" * 500)

    cache = EmbeddingCache(path)
    try:
        assert np.allclose(_embed(cache, TEXTS), expected)
        assert cache.misses == len(TEXTS)  # embedded again, not read from garbage
        assert list(tmp_path.glob("embeddings.sqlite3.damaged-*"))
        assert np.allclose(_embed(cache, TEXTS), expected) and cache.hits == len(TEXTS)
    finally:
        cache.close()


def test_a_truncated_vector_is_embedded_again(tmp_path: Path) -> None:
    path = tmp_path / "embeddings.sqlite3"
    cache = EmbeddingCache(path)
    try:
        expected = _embed(cache, TEXTS)
        with sqlite3.connect(path) as db:
            db.execute("UPDATE vec SET v = substr(v, 1, 10)")
        assert np.allclose(_embed(cache, TEXTS), expected)
        assert cache.misses == 2 * len(TEXTS)
    finally:
        cache.close()
