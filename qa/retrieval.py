"""Retrievers over a loaded index: dense (FAISS), lexical (BM25) and hybrid (fusion)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from index.store import LoadedIndex
from index.text import is_korean

Fusion = Literal["rrf", "weighted"]


@dataclass(frozen=True)
class Hit:
    row: int  # passage row in the index
    score: float
    dense: float = 0.0
    lexical: float = 0.0


@dataclass(frozen=True)
class Filters:
    source: str | None = None
    published_from: str | None = None
    published_to: str | None = None

    def __bool__(self) -> bool:
        return any((self.source, self.published_from, self.published_to))

    def allowed_passages(self, index: LoadedIndex) -> np.ndarray:
        """Boolean mask over passage rows. Dates compare as ISO strings, so
        ``published_to="2025-10-31"`` includes that whole day."""
        ok_articles = np.ones(len(index.articles), dtype=bool)
        for i, article in enumerate(index.articles):
            if self.source and article.source != self.source:
                ok_articles[i] = False
            published = article.published or ""
            if self.published_from and (not published or published < self.published_from):
                ok_articles[i] = False
            if self.published_to and (not published or published[:10] > self.published_to):
                ok_articles[i] = False
        return ok_articles[index.passage_articles] if index.passage_count else ok_articles[:0]


class Retriever(Protocol):
    def search(
        self, question: str, query_vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[Hit]: ...


def _top(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> np.ndarray:
    """Rows of the ``k`` highest finite scores, best first; equal scores by row."""
    if allowed is not None:
        scores = np.where(allowed, scores, -np.inf)
    return _top_rows(scores, np.flatnonzero(np.isfinite(scores)), k)


def _top_positive(scores: np.ndarray, k: int, allowed: np.ndarray | None) -> np.ndarray:
    """:func:`_top` among the rows scored above zero: BM25 gives most passages of a large
    index no score at all, and selecting among the rest is cheaper."""
    positive = scores > 0
    return _top_rows(scores, np.flatnonzero(positive if allowed is None else positive & allowed), k)


def _top_rows(scores: np.ndarray, rows: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(rows))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    sub = scores[rows]
    if k < len(rows):
        # Everything above the k-th best score, then the tied ones in row order.
        kth = np.partition(sub, len(sub) - k)[len(sub) - k]
        above = np.flatnonzero(sub > kth)
        tied = np.flatnonzero(sub == kth)[: k - len(above)]
        keep = np.concatenate([above, tied])
        rows, sub = rows[keep], sub[keep]
    order = np.lexsort((rows, -sub))
    return rows[order]


class DenseRetriever:
    def __init__(self, index: LoadedIndex) -> None:
        self.index = index

    def scores(
        self, query_vector: np.ndarray, k: int, allowed: np.ndarray | None
    ) -> dict[int, float]:
        import faiss

        n = self.index.faiss_index.ntotal
        if n == 0:
            return {}
        q = np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            if not allowed.any():
                return {}
            # A bitmap selector (``bits`` must outlive the search): made in microseconds
            # where IDSelectorBatch hashed every allowed id (~30 ms at 100k passages).
            bits = np.packbits(allowed[:n], bitorder="little")
            selector = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bits))
            ivf = faiss.try_extract_index_ivf(self.index.faiss_index)
            params = (
                faiss.SearchParametersIVF(sel=selector, nprobe=ivf.nprobe)
                if ivf is not None
                else faiss.SearchParameters(sel=selector)
            )
        dist, ids = self.index.faiss_index.search(q, min(k, n), params=params)
        return {int(i): float(d) for i, d in zip(ids[0], dist[0], strict=True) if i >= 0}

    def search(
        self, question: str, query_vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[Hit]:
        found = self.scores(query_vector, k, allowed)
        return [Hit(row, s, dense=s) for row, s in sorted(found.items(), key=lambda x: -x[1])]


class LexicalRetriever:
    def __init__(self, index: LoadedIndex) -> None:
        self.index = index

    def search(
        self, question: str, query_vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[Hit]:
        scores = self.index.bm25.scores(question)
        rows = _top(scores, k, allowed)
        return [
            Hit(int(r), float(scores[r]), lexical=float(scores[r])) for r in rows if scores[r] > 0
        ]


# Defaults of the knobs below; qa.answerer.AnswerConfig carries them (the one place a
# caller tunes them): candidates from each ranking, the RRF constant, and the dense share
# of weighted fusion.
DEPTH = 50
RRF_K = 60
DENSE_WEIGHT = 0.7


class HybridRetriever:
    """Fuses dense and BM25 rankings. On the public set reciprocal rank fusion beat
    either retriever alone and our weighted score fusion (cosine and max-normalized BM25),
    so RRF is the default (docs/quality.md, "Retrieval and fusion").

    RRF also ranks the candidates by their best sentence: a question usually restates
    one sentence, whose match a whole passage's vector dilutes. The stored sentence
    vectors of the ~100 candidates cost one small matrix product; this third ranking
    raised passage recall@1 and recall@5 on the public set (the same section)."""

    def __init__(
        self,
        index: LoadedIndex,
        *,
        fusion: Fusion = "rrf",
        dense_weight: float = DENSE_WEIGHT,
        depth: int = DEPTH,
        rrf_k: int = RRF_K,
    ) -> None:
        self.index = index
        self.dense = DenseRetriever(index)
        self.fusion = fusion
        self.dense_weight = dense_weight
        self.depth = depth
        self.rrf_k = rrf_k

    def search(
        self, question: str, query_vector: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[Hit]:
        depth = max(self.depth, k)
        dense = self.dense.scores(query_vector, depth, allowed)
        bm25_all = self.index.bm25.scores(question)
        lex_rows = _top_positive(bm25_all, depth, allowed)
        lexical = dict(zip(lex_rows.tolist(), bm25_all[lex_rows].tolist(), strict=True))
        rows = set(dense) | set(lexical)
        if not rows:
            return []
        # Passages found by one side only get their real score from the other side.
        missing = [r for r in rows if r not in dense]
        if missing:
            vecs = self._passage_vectors(missing)
            for r, v in zip(missing, vecs, strict=True):
                dense[r] = float(v @ query_vector)
        for r in rows:
            lexical.setdefault(r, float(bm25_all[r]))
        if self.fusion == "rrf":
            best = self._best_sentence(sorted(rows), query_vector)
            if self._across_scripts(question, dense):
                # BM25 can only match stray words across scripts (an English question
                # over Korean articles): its ranking is noise there and stays out.
                fused = self._rrf(dense, best)
            else:
                # Passages without a question token tie at BM25 0; the tie is broken by
                # the dense score (a set's order broke it before: arbitrary).
                order = sorted(rows, key=lambda r: (-lexical[r], -dense[r]))
                fused = self._rrf(dense, {r: -i for i, r in enumerate(order)}, best)
        else:
            top_lex = max(lexical.values()) or 1.0
            fused = {
                r: self.dense_weight * dense[r] + (1 - self.dense_weight) * lexical[r] / top_lex
                for r in rows
            }
        ranked = sorted(rows, key=lambda r: -fused[r])[:k]
        return [Hit(r, fused[r], dense=dense[r], lexical=lexical[r]) for r in ranked]

    def _across_scripts(self, question: str, dense: dict[int, float], top: int = 10) -> bool:
        """Whether the question is in another script than most of its best dense passages."""
        best = sorted(dense, key=lambda r: -dense[r])[:top]
        korean = sum(is_korean(self.index.passage_text(r)) for r in best)
        return is_korean(question) != (2 * korean > len(best))

    def _best_sentence(self, rows: list[int], query_vector: np.ndarray) -> dict[int, float]:
        """Each passage's best sentence similarity to the question (one gather and one
        matrix product for all candidates)."""
        sentence_rows, offsets = self.index.passage_sentence_rows(rows)
        sims = self.index.sentence_vectors_at(sentence_rows) @ query_vector
        best = np.maximum.reduceat(sims, offsets)
        return dict(zip(rows, best.tolist(), strict=True))

    def _rrf(self, *rankings: dict[int, float]) -> dict[int, float]:
        fused: dict[int, float] = {}
        for scores in rankings:
            for rank, r in enumerate(sorted(scores, key=lambda x: -scores[x])):
                fused[r] = fused.get(r, 0.0) + 1.0 / (self.rrf_k + rank + 1)
        return fused

    def _passage_vectors(self, rows: list[int]) -> np.ndarray:
        return self.index.faiss_index.reconstruct_batch(np.asarray(rows, dtype=np.int64))


def with_language_quota(hits: list[Hit], index: LoadedIndex, n: int, quota: int) -> list[Hit]:
    """``hits`` reordered so that their first ``n`` hold at least ``quota`` passages of each
    language group (Korean articles, the others) that the hits hold at all; a passage
    moved up takes the place of the last ones of the other group, which follow the first
    ``n`` in their order. e5 ranks a passage in the question's own language above one in
    another language that says the same, so in a mixed corpus the Korean article that
    answers an English question fell out of the candidates, and the other way round
    (docs/ranking.md measures the quota)."""
    if quota <= 0 or len(hits) <= n:
        return hits
    rows = np.asarray([h.row for h in hits], dtype=np.int64)
    korean = index.korean_articles[index.passage_articles[rows]].tolist()
    order = list(range(len(hits)))
    for group in (True, False):
        head, tail = order[:n], order[n:]
        short = quota - sum(korean[i] == group for i in head)
        pulled = [i for i in tail if korean[i] == group][: max(short, 0)]
        if not pulled:
            continue
        others = [i for i in head if korean[i] != group]
        dropped = others[len(others) - len(pulled) :]
        moved = {*dropped, *pulled}
        head = [i for i in head if i not in moved] + pulled
        order = head + dropped + [i for i in tail if i not in moved]
    return [hits[i] for i in order]
