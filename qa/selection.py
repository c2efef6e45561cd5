"""Sentence selection: which sentences of the best passages answer the question.

Each candidate sentence is scored on four signals, all cheap at query time (the
sentence's morphemes were stored by the build, see index/morphs.py):
dense similarity of its stored vector to the question, lexical coverage of the
question's content morphemes, the fused score of the passage it came from, and an
answer-type cue (a "몇/how many" question wants a number, "언제/when" a date, "누가/who"
or "어디/where" a proper noun that the question does not already contain, the name of
an album or a programme a title between marks).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from index.morphs import SentenceMorphs
from index.store import LoadedIndex
from index.text import bigram_tokens
from qa.answer_span import title_spans
from qa.question import ParsedQuestion
from qa.retrieval import Hit

_DATE = re.compile(
    r"\d{1,4}\s*(?:년|월|일|세기|년대)|\b(?:1[5-9]|20)\d{2}\b|"
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b|(?:오전|오후|새벽)\s*\d|"
    r"\d{1,2}\s*시(?:경|께|쯤|부터|까지|에|\s)",
)
_BIRTHPLACE_ASKED = re.compile(
    r"고향|출생지|출신지|태어난\s*곳|\bhome\s?town\b|\bbirthplace\b|\bborn\b", re.I
)
_BIRTH = re.compile(r"태어|출생|출신|고향|\bborn\b|\bbirth", re.I)
_NUMBER = re.compile(r"\d|[일이삼사오육칠팔구십백천만억조]+\s*(?:명|개|원|곳|건|번|배|차례|가지)")
_FOOTNOTE = re.compile(r"\[\d+\]")  # "[1]" in scraped Wikipedia text is not a number
# A sentence opening with one of these points back at the sentence before it.
_ANAPHOR = re.compile(
    r"^(?:이는|이것은|이것이|이를|이에|이로|이로써|이때|이후|이들[은이의을]?|"
    r"그는|그녀는|그가|그의|그들[은이의을]?|그것[은이을]|그곳[은에]|그중|그러나|하지만|그런데|"
    r"그래서|따라서|결국|마침내|그 결과|(?:이|그|해당|같은|당시) [가-힣]|당시|또한|이어|다만|특히|"
    r"This|That|These|Those|It|He|She|They|His|Her|Its|Their|The deal|The company|"
    r"However|But|Also)(?![A-Za-z])"
)


@dataclass(frozen=True)
class SelectionWeights:
    # Share of a question term's weight kept when the article's title contains it (for
    # the "focused" coverage; how the signals combine is the ranking model's business,
    # qa/ranking.py).
    title_terms: float = 0.0


@dataclass(frozen=True)
class ScoredSentence:
    row: int
    score: float
    dense: float
    lexical: float
    passage_row: int
    passage_score: float
    focused: float = 0.0
    cue: float = 0.0
    # The sentence's stored morphemes, decoded once for all the features that read them.
    morphs: SentenceMorphs | None = None


def starts_with_anaphor(sentence: str) -> bool:
    return bool(_ANAPHOR.match(sentence))


def _coverage(
    terms: tuple[str, ...],
    weights: tuple[float, ...],
    sentence_forms: frozenset[str],
    sentence_text: str,
) -> float:
    total = sum(weights)
    if not total:
        return 0.0
    got = 0.0
    for term, w in zip(terms, weights, strict=True):
        if term in sentence_forms or (len(term) > 1 and term in sentence_text):
            got += w
    return got / total


def _term_weights(
    terms: tuple[str, ...], title: str | None, title_weight: float
) -> tuple[float, ...]:
    """Longer terms weigh more. With a title: the question's terms that the article's
    title contains weigh ``title_weight`` as much, since every sentence of the article is
    embedded with its title and so answers to them equally."""
    if title is None:
        return tuple(float(max(1, len(t))) for t in terms)
    title = title.lower()
    return tuple(max(1, len(t)) * (title_weight if t in title else 1.0) for t in terms)


def _bigram_coverage(question_bigrams: set[str], sentence_bigrams: frozenset[str]) -> float:
    if not question_bigrams:
        return 0.0
    return len(question_bigrams & sentence_bigrams) / len(question_bigrams)


def _type_cue(q: ParsedQuestion, morphs: SentenceMorphs, sentence: str) -> float:
    qterms = set(q.terms)
    sentence = _FOOTNOTE.sub("", sentence)
    if q.kind == "date":
        return 1.0 if _DATE.search(sentence) else 0.0
    if q.kind == "number":
        if q.counter is not None and q.counter.search(sentence):
            return 1.0
        # Some number, but not in the unit asked for: half the cue.
        return (0.5 if q.counter is not None else 1.0) if _NUMBER.search(sentence) else 0.0
    if q.kind in ("person", "place"):
        if not morphs.names - qterms:
            return 0.0
        # A home town is where one was born: "승리의 고향은?" is answered by "광주광역시
        # 에서 태어났다", which shares no word with it, over the many other names of the
        # page.
        if _BIRTHPLACE_ASKED.search(q.text):
            return 1.0 if _BIRTH.search(sentence) else 0.5
        return 1.0
    if q.kind == "title":
        return 1.0 if title_spans(q.text, sentence) else 0.0
    return 0.0


def score_sentences(
    question: ParsedQuestion,
    query_vector: np.ndarray,
    hits: list[Hit],
    index: LoadedIndex,
    weights: SelectionWeights | None = None,
) -> list[ScoredSentence]:
    """Score every sentence of the given passages; best first. A sentence in two
    overlapping passages takes the better passage's score."""
    weights = weights or SelectionWeights()
    if not hits:
        return []
    top = max(h.score for h in hits) or 1.0
    best_passage: dict[int, tuple[int, float]] = {}
    for hit in hits:
        norm = hit.score / top if top > 0 else 0.0
        for row in index.sentence_rows(hit.row):
            if row not in best_passage or best_passage[row][1] < norm:
                best_passage[row] = (hit.row, norm)
    rows = sorted(best_passage)
    dense = index.sentence_vectors_at(rows) @ query_vector
    question_bigrams = set(bigram_tokens(question.text))
    plain = _term_weights(question.terms, None, 1.0)
    weights_by_article: dict[int, tuple[float, ...]] = {}
    out: list[ScoredSentence] = []
    for row, d in zip(rows, dense, strict=True):
        text = index.sentence_text(row)
        morphs = index.morphs[row]
        article = index.sentence_article(row)
        if article not in weights_by_article:
            weights_by_article[article] = _term_weights(
                question.terms, index.articles[article].title, weights.title_terms
            )
        bigrams = 0.5 * _bigram_coverage(question_bigrams, morphs.bigrams)
        # Coverage of all the question's terms says whether the sentence is about the
        # question (confidence); of the terms beyond the title, which sentence answers.
        lexical = 0.5 * _coverage(question.terms, plain, morphs.forms, text) + bigrams
        focused = (
            0.5 * _coverage(question.terms, weights_by_article[article], morphs.forms, text)
            + bigrams
        )
        cue = _type_cue(question, morphs, text)
        passage_row, pscore = best_passage[row]
        # The ranking model scores the candidate (qa/ranking.py); until then, dense.
        score = float(d)
        out.append(
            ScoredSentence(row, score, float(d), lexical, passage_row, pscore, focused, cue, morphs)
        )
    out.sort(key=lambda s: -s.score)
    return out


def join_adjacent(
    quotes: list[list[int]], rows: list[int], joinable: Callable[[int], bool], most: int
) -> int | None:
    """Extend the first of ``quotes`` (each a run of sentence rows) that ``rows`` continue,
    before or after, into one quote of at most ``most`` sentences; ``joinable(r)``: row
    ``r`` and row ``r + 1`` are one article's consecutive sentences in one paragraph.
    Returns the quote's position, or None. Two of the best sentences side by side read
    as one quote, not as two fragments, and the slot left free takes another."""
    for i, quote in enumerate(quotes):
        if len(quote) + len(rows) > most:
            continue
        if quote[-1] + 1 == rows[0] and joinable(quote[-1]):
            quote.extend(rows)
            return i
        if rows[-1] + 1 == quote[0] and joinable(rows[-1]):
            quote[:0] = rows
            return i
    return None
