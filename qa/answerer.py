"""From a question to an answer: retrieve, select sentences, quote, cite, or abstain."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np

from index.embedders import Embedder
from index.errors import InputError
from index.lexical import MorphemeAnalyzer
from index.morphs import SentenceMorphs
from index.store import LoadedIndex
from index.text import is_blank, is_korean
from index.token_states import token_encoder_of
from qa.answer_span import find_answer_span
from qa.focus import FocusEvidence, check_focus
from qa.late_interaction import LateScores, late_scores
from qa.question import ParsedQuestion, missing_keys, parse_question
from qa.ranking import (
    CONFIDENCE_COLUMN,
    CROSSED_COPY,
    CROSSED_PLAIN,
    SENTENCE_COLUMN,
    SENTENCE_FEATURES,
    RankingModel,
    hand_model,
    question_features,
)
from qa.retrieval import (
    DENSE_WEIGHT,
    DEPTH,
    RRF_K,
    Filters,
    Fusion,
    Hit,
    HybridRetriever,
    with_language_quota,
)
from qa.selection import (
    ScoredSentence,
    SelectionWeights,
    join_adjacent,
    score_sentences,
    starts_with_anaphor,
)
from qa.short_forms import candidates, read_out, short_forms
from qa.syndication import QuoteDeduper
from qa.time_scope import TimeScope
from qa.transliteration import (
    Spellings,
    hangul_spellings,
    is_hangul_word,
    latin_names,
    names_mentioned,
    spell_names,
)
from qa.types import Answer, Citation, PassageResult, Quote, format_answer


@dataclass
class AnswerConfig:
    top_k: int = 5  # passages returned as context
    max_quotes: int = 3
    # Sentences a quote may grow to when the best sentences stand side by side.
    quote_sentences: int = 2
    # Which sentence is quoted and how sure the answer is (qa/ranking.py): the fitted
    # model for e5 embedders, the hand-set rule for others. Components picks it by the
    # embedder's backend.
    model: RankingModel = field(default_factory=lambda: hand_model(0.96))
    # Replaces the model's threshold when set (ARTICLE_QA_MIN_CONFIDENCE).
    min_confidence: float | None = None
    # Confidence features read the best few candidates.
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

    @property
    def threshold(self) -> float:
        """Evidence below this confidence is not an answer."""
        return self.model.threshold if self.min_confidence is None else self.min_confidence

    def ranking_summary(self) -> dict[str, Any]:
        """Which ranking model answers, and at which threshold (for the index status)."""
        return {
            "name": self.model.name,
            "late_passages": self.model.late_passages,
            "threshold": self.threshold,
        }


@dataclass
class Evidence:
    """What the answerer found for a question before deciding whether to answer: the
    candidate sentences best first, with the features the ranking model read."""

    query: str
    parsed: ParsedQuestion
    scope: TimeScope
    mask: np.ndarray | None
    hits: list[Hit]
    # The passages whose sentences compete: the first of ``hits``, or with passages of the
    # other language moved in (``RankingModel.language_quota``).
    pool: list[Hit]
    candidates: list[ScoredSentence]
    sentence_features: np.ndarray  # one row per candidate, SENTENCE_FEATURES
    question_features: np.ndarray  # CONFIDENCE_FEATURES
    confidence: float
    missing: list[str]  # key terms the best candidate's article does not mention
    timings: dict[str, float]
    # The time scope kept only the articles of the day asked about ("오늘") and the best
    # candidate's article is one of them (dated, not let through for having no date).
    moment_met: bool = False
    # Short forms of the question written out before it was asked again ("삼전" ->
    # "삼성전자", qa/short_forms.py; ``query`` is the text written out), and an English
    # question's names as the articles spell them, which it was searched with ("Nuri" ->
    # "누리호"; its terms and focus are still read from ``query``).
    read_as: dict[str, str] = field(default_factory=dict)
    # The question's focus checked against the best candidate (None without candidates).
    focus: FocusEvidence | None = None

    @property
    def names_nowhere(self) -> bool:
        """The question names things and no candidate mentions any of them, in either
        script (qa/ranking.py: names_nowhere, korean_names_nowhere)."""
        q = self.question_features
        cols = [CONFIDENCE_COLUMN["names_nowhere"], CONFIDENCE_COLUMN["korean_names_nowhere"]]
        return bool(len(q) and q[cols].max() > 0.5)


@dataclass
class _Found:
    """The passages found for a question, before its sentences are scored: enough to
    tell whether it must be searched again (short forms, names spelled otherwise)."""

    query: str  # the question as read for its terms and focus
    qvec: np.ndarray
    scope: TimeScope
    mask: np.ndarray | None
    hits: list[Hit]
    pool: list[Hit]
    timings: dict[str, float]


# Letters alike, in romanization, for a spelling from anywhere in the corpus: stricter
# than among the passages found (0.35, qa/transliteration.py), as the corpus holds many
# more words of each skeleton.
CORPUS_CLOSENESS = 0.6


class Answerer:
    """Answers questions over one loaded index. Cheap to construct; holds no state
    besides its (read-only) index, embedder and analyzer, and the embedder's token
    encoder when the model reads late interaction (its passage cache is the embedder's)."""

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
        # Only a model that reads late interaction pays for the token states.
        self.tokens = token_encoder_of(embedder) if self.config.model.late_passages else None
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
        t0 = time.perf_counter()
        ev = self.evidence(
            question,
            depth=top_k,
            filters=filters,
            prefer_articles=prefer_articles,
            search_text=search_text,
            as_of=as_of,
        )
        timings = ev.timings
        passages = [self._passage_result(h.row, h.score) for h in ev.hits[:top_k]]
        threshold = cfg.threshold
        answer = Answer(
            question=question,
            answered=False,
            answer="",
            passages=passages,
            confidence=round(ev.confidence, 4),
            time_window=ev.scope.window_dict(),
            read_as=ev.read_as,
        )
        if not ev.candidates:
            answer.reason = "no passage matches the question"
        elif ev.confidence < threshold:
            answer.reason = (
                f"the best evidence is too weak (confidence {ev.confidence:.2f} < "
                f"{threshold:.2f}); the nearest passages are listed"
            )
            if ev.names_nowhere:
                answer.reason += (
                    f"; none of the articles found mentions {', '.join(ev.parsed.names)}"
                )
            elif ev.missing:
                answer.reason += f"; the articles found do not mention {', '.join(ev.missing)}"
            if ev.focus and ev.focus.qualifier_conflict:
                answer.reason += (
                    "; the article found gives another quarter, measure, place or year "
                    "than the one asked, or none of the measure or world record asked"
                )
            if ev.focus and ev.focus.other_owner:
                answer.reason += (
                    f"; the number quoted is {ev.focus.other_owner}'s, not that of the one asked"
                )
        else:
            answer.quotes = self._quotes(
                ev.candidates, ev.parsed, QuoteDeduper(self.index, ev.mask)
            )
            answer.answered = True
            answer.answer = format_answer(answer.quotes)
        if answer.reason and ev.scope.note():
            answer.reason += f"; {ev.scope.note()}"
        timings["total_ms"] = (time.perf_counter() - t0) * 1000
        answer.timings = {k: round(v, 2) for k, v in timings.items()}
        return answer

    def evidence(
        self,
        question: str,
        *,
        depth: int = 0,
        filters: Filters | None = None,
        prefer_articles: Collection[int] = (),
        search_text: str | None = None,
        as_of: date | None = None,
    ) -> Evidence:
        """Retrieve, score the candidate sentences with the ranking model and rate the
        best one, without deciding (``ask`` applies the threshold; ``bench.fit`` reads the
        features). ``depth``: passages to keep at least. A question with short forms of
        names that the passages found write out ("삼전" for 삼성전자) is asked again with
        the names written out; an English question whose names they write in Hangul only
        is searched again with them so spelled (``_spellings``)."""
        t0 = last = time.perf_counter()
        found = self._search(question, depth, filters, prefer_articles, search_text, as_of)
        read_as = self._short_forms(found.query, found.pool)
        if read_as:
            last = time.perf_counter()
            written_out = read_out(found.query, read_as)
            found = self._search(question, depth, filters, prefer_articles, written_out, as_of)
        spellings = self._spellings(found.query, found.pool)
        if spellings:
            last = time.perf_counter()
            spelled = spell_names(found.query, spellings)
            found = self._search(
                question, depth, filters, prefer_articles, found.query, as_of, spelled=spelled
            )
            read_as = {**read_as, **spellings}
        if last > t0:
            # The searches set aside for another reading of the question; only the last
            # one's passages are scored.
            found.timings["first_pass_ms"] = (last - t0) * 1000
        return replace(self._select(found), read_as=read_as)

    def _spellings(self, query: str, pool: list[Hit]) -> dict[str, str]:
        """Names of an English question that the passages found write in Hangul only
        (Kim Min-hee: 김민희): the question is searched again with them so written, as
        e5 places a Korean sentence nearer a question that spells its names alike."""
        names = () if is_korean(query) else latin_names(query)
        if not names or not pool:
            return {}
        index = self.index
        texts = [index.passage_text(hit.row) for hit in pool]
        morphs = [index.morphs[r] for hit in pool for r in index.sentence_rows(hit.row)]
        forms = {f for m in morphs for f in m.forms}
        proper = {n for m in morphs for n in m.names}
        # The titles too: a page need not repeat in its body the name its title gives
        # (구리야마 히데키: Hideki). Analyzed here, a few short lines per question; Kiwi
        # reads a full name as one proper noun, so its words count one by one.
        for article in dict.fromkeys(index.passage_article(hit.row) for hit in pool):
            title = " ".join(index.articles[article].title.replace("_", " ").split())
            texts.append(title)
            for tok in self.analyzer.tokens(title):
                words = tok.form.split()
                forms.update(words)
                if tok.tag == "NNP":
                    proper.update(words)
        return hangul_spellings(
            names,
            "\n".join(texts),
            forms,
            proper,
            # A name the passages neither spell nor write: the corpus's proper nouns,
            # nearer in romanization (Gimpo: 김포시, Noryang: 노량).
            lambda name: self._corpus_spellings.spell(name, CORPUS_CLOSENESS),
        )

    @cached_property
    def _corpus_spellings(self) -> Spellings:
        """The corpus's proper nouns in Hangul, read on the first question that needs
        them: one pass over the stored morphemes (0.02 s for the public slice's 1,480
        sentences; linear in sentences)."""
        index = self.index
        counts: Counter[str] = Counter(
            n
            for r in range(index.sentence_count)
            for n in index.morphs[r].names
            if len(n) >= 2 and is_hangul_word(n)
        )
        return Spellings(counts, counts)

    def _short_forms(self, query: str, pool: list[Hit]) -> dict[str, str]:
        """Short forms in the question of proper nouns the retrieved passages name."""
        index = self.index
        # Most questions stop here: every word is written somewhere in the corpus.
        if not candidates(query, index.bm25.writes):
            return {}
        words = candidates(query, index.bm25.writes, self.analyzer.tokens(query))
        if not words:
            return {}
        names: set[str] = set()
        texts: list[str] = []
        for hit in pool:
            names.update(n for r in index.sentence_rows(hit.row) for n in index.morphs[r].names)
            texts.append(index.passage_text(hit.row))
            texts.append(index.articles[index.passage_article(hit.row)].title)
        return short_forms(words, names, "\n".join(texts))

    def _search(
        self,
        question: str,
        depth: int,
        filters: Filters | None,
        prefer_articles: Collection[int],
        search_text: str | None,
        as_of: date | None,
        spelled: str | None = None,
    ) -> _Found:
        """The passages for a question. ``spelled``: the question as searched (its names
        in the articles' spelling, ``evidence``), where it differs from the one read for
        its terms and focus."""
        cfg = self.config
        model = cfg.model
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        query = search_text or question
        searched = spelled or query
        qvec = self.embedder.embed_queries([searched])[0]
        t1 = time.perf_counter()
        timings["embed_ms"] = (t1 - t0) * 1000
        scope = TimeScope.of(query, as_of or cfg.as_of)
        allowed = filters.allowed_passages(self.index) if filters else None
        depth = max(depth, model.candidate_passages)
        wider = depth + (cfg.follow_up_extra_depth if prefer_articles or scope.window else 0)
        mask = scope.allowed(self.index, allowed)
        if model.language_quota:
            # The quota reaches past the first passages for the other language's best.
            wider = max(wider, cfg.retrieval_depth)
        hits = self.retriever.search(searched, qvec, wider, mask)
        if not hits and scope.fall_back():
            mask = allowed
            hits = self.retriever.search(searched, qvec, wider, mask)
        hits = scope.boost_hits(hits, self.index)
        if prefer_articles:
            hits = _boost(hits, self.index, set(prefer_articles))
        # The candidates hold both languages of a mixed corpus; the passages returned keep
        # the ranking's order.
        n = model.candidate_passages
        pool = with_language_quota(hits, self.index, n, model.language_quota)[:n]
        hits = hits[:depth]
        timings["retrieve_ms"] = (time.perf_counter() - t1) * 1000
        return _Found(query, qvec, scope, mask, hits, pool, timings)

    def _select(self, found: _Found) -> Evidence:
        """Score the sentences of the passages found and rate the best one."""
        cfg = self.config
        model = cfg.model
        query, qvec, scope, pool = found.query, found.qvec, found.scope, found.pool
        timings = found.timings
        t2 = time.perf_counter()
        parsed = parse_question(query, self.analyzer)
        scored = score_sentences(parsed, qvec, pool, self.index, cfg.weights)
        # A quote must come from an article that mentions the question's names and
        # numbered things: the share it misses is a feature of its sentences.
        missing_by_article: dict[int, list[str]] = {}
        for cand in scored:
            a = self.index.sentence_article(cand.row)
            if a not in missing_by_article:
                article = self.index.articles[a]
                missing_by_article[a] = missing_keys(parsed, article.titled_text)
        bonus = scope.sentence_bonus(self.index, [c.row for c in scored])
        late = None
        if self.tokens is not None and scored:
            t_late = time.perf_counter()
            late = late_scores(
                self.tokens,
                self.index,
                query,
                [h.row for h in pool[: model.late_passages]],
                parsed.term_spans,
            )
            timings["late_ms"] = (time.perf_counter() - t_late) * 1000
        x = self._sentence_features(parsed, scored, pool, missing_by_article, bonus, late)
        order: list[int] = []
        if scored:
            scores = model.sentence(x)
            order = sorted(range(len(scored)), key=lambda i: -scores[i])
            scored = [replace(scored[i], score=float(scores[i])) for i in order]
            x = x[order]
        moment_met = bool(
            scope.filtering
            and scored
            and self.index.articles[self.index.sentence_article(scored[0].row)].published
        )
        focus = self.focus_evidence(parsed, scored[0]) if scored else None
        q = question_features(
            x,
            np.array([c.score for c in scored]),
            focus.features() if focus else {},
            bm25_max=max((h.lexical for h in pool), default=0.0),
            terms=len(parsed.terms),
            names=len(parsed.names),
            korean=bool(parsed.korean_names),
            moment_met=moment_met,
            head=cfg.confidence_candidates,
        )
        confidence = float(model.confidence(q[None, :])[0]) if scored else 0.0
        missing = missing_by_article[self.index.sentence_article(scored[0].row)] if scored else []
        timings["select_ms"] = (time.perf_counter() - t2) * 1000
        return Evidence(
            query=query,
            parsed=parsed,
            scope=scope,
            mask=found.mask,
            hits=found.hits,
            pool=pool,
            candidates=scored,
            sentence_features=x,
            question_features=q,
            confidence=confidence,
            missing=missing,
            timings=timings,
            moment_met=moment_met,
            focus=focus,
        )

    def _sentence_features(
        self,
        parsed: ParsedQuestion,
        scored: list[ScoredSentence],
        pool: list[Hit],
        missing_by_article: dict[int, list[str]],
        bonus: dict[int, float],
        late: LateScores | None = None,
    ) -> np.ndarray:
        x = np.zeros((len(scored), len(SENTENCE_FEATURES)), dtype=np.float64)
        if not scored:
            return x
        col = SENTENCE_COLUMN
        rank = {h.row: i for i, h in enumerate(pool)}
        hit_of = {h.row: h for h in pool}
        top_bm25 = max((h.lexical for h in pool), default=0.0) or 1.0
        top_dense = max(c.dense for c in scored)
        n_keys = max(1, len(parsed.keys))
        q_korean = is_korean(parsed.text)
        passage_names: dict[int, float] = {}
        for i, c in enumerate(scored):
            text = self.index.sentence_text(c.row)
            hit = hit_of[c.passage_row]
            row = x[i]
            row[col["dense"]] = c.dense
            row[col["dense_gap"]] = c.dense - top_dense
            row[col["lexical"]] = c.lexical
            row[col["focused"]] = c.focused
            row[col["passage"]] = c.passage_score
            row[col["passage_rank"]] = 1.0 / (1 + rank[c.passage_row])
            row[col["passage_dense"]] = hit.dense
            row[col["passage_bm25"]] = max(0.0, hit.lexical) / top_bm25
            row[col["type_cue"]] = c.cue
            a = self.index.sentence_article(c.row)
            row[col["key_missing"]] = len(missing_by_article[a]) / n_keys
            row[col["time_bonus"]] = bonus.get(c.row, 0.0)
            morphs = c.morphs or self.index.morphs[c.row]
            if parsed.kind in ("number", "date"):
                span = find_answer_span(parsed, text, morphs.names)
                row[col["answer_span"]] = float(span is not None)
            elif parsed.kind in ("person", "place", "title"):
                # A name the question does not hold, or a title between marks: the type
                # cue says it already (half for a place where a home town is asked and
                # the sentence tells no birth).
                row[col["answer_span"]] = c.cue
            if late is not None:
                row[col["late"]] = late.sentence(c.row)
                row[col["passage_late"]] = late.passage(c.passage_row)
            cross = float(is_korean(text) != q_korean)
            row[col["cross_script"]] = cross
            row[col["anaphor"]] = float(self._continues(c.row, morphs))
            if cross:
                row[CROSSED_COPY] = row[CROSSED_PLAIN]
                # An English question's names in a Korean sentence, or a Korean
                # question's names (애플, Northwind) in an English one.
                if parsed.names:
                    row[col["cross_name"]] = names_mentioned(parsed.names, text)
                    if c.passage_row not in passage_names:
                        passage_names[c.passage_row] = names_mentioned(
                            parsed.names, self.index.passage_text(c.passage_row)
                        )
                    row[col["cross_name_passage"]] = passage_names[c.passage_row]
        return x

    def focus_of(self, parsed: ParsedQuestion, cand: ScoredSentence) -> dict[str, float]:
        """The question's focus checked against a candidate and its passage."""
        return self.focus_evidence(parsed, cand).features()

    def focus_evidence(self, parsed: ParsedQuestion, cand: ScoredSentence) -> FocusEvidence:
        text = self.index.sentence_text(cand.row)
        p = self.index.passage(cand.passage_row)
        article = self.index.articles[p.article]
        passage = article.text[p.start : p.end]
        names = self.index.morphs[cand.row].names
        return check_focus(parsed, text, passage, names, article.titled_text)

    def quote_text(self, row: int) -> str:
        """The text :meth:`ask` would quote for a sentence row (with its companion)."""
        rows = self.quote_rows(row)
        first, last = self.index.sentence(rows[0]), self.index.sentence(rows[-1])
        return self.index.articles[first.article].text[first.start : last.end]

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
        story, never a sentence (by normalized text) that an earlier quote has; one that
        continues an earlier quote joins it (up to ``quote_sentences`` sentences)."""
        cfg = self.config
        used: set[int] = set()
        runs: list[list[int]] = []
        owners: list[ScoredSentence] = []
        best = scored[0].score
        for cand in scored:
            if len(runs) >= cfg.max_quotes:
                break
            if runs and not cfg.model.further_quote(cand.score, best):
                continue
            row = dedup.earliest(cand.row)
            if row in used or dedup.repeats(row):
                continue
            rows = self.quote_rows(row)
            if used.intersection(rows) or any(dedup.repeats(r) for r in rows):
                # Its companion sentence is quoted already: the sentence may still stand
                # as a quote of its own.
                rows = [row]
            used.update(rows)
            dedup.add(rows)
            if join_adjacent(runs, rows, self.joinable, cfg.quote_sentences) is None:
                runs.append(list(rows))
                owners.append(cand)
        return [
            self._quote(run, owner, parsed, dedup) for run, owner in zip(runs, owners, strict=True)
        ]

    def joinable(self, row: int) -> bool:
        """Rows ``row`` and ``row + 1`` are consecutive sentences of one paragraph."""
        index = self.index
        return (
            row + 1 < index.sentence_count
            and index.sentence_article(row) == index.sentence_article(row + 1)
            and _same_paragraph(index, row, row + 1)
        )

    def quote_rows(self, row: int) -> list[int]:
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

    def _continues(self, row: int, morphs: SentenceMorphs | None = None) -> bool:
        """The sentence leans on the one before it: it opens with a pronoun or
        demonstrative, or (Korean) its subject is left out."""
        if starts_with_anaphor(self.index.sentence_text(row)):
            return True
        if not self.config.join_elided_subjects:
            return False
        return (morphs or self.index.morphs[row]).elided_subject

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
