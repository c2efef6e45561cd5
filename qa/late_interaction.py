"""Late interaction: how well each word of the question is met in a passage and in each
of its sentences, token by token (ColBERT's MaxSim over e5's own token states).

Every question token takes its best cosine among the text's tokens; the mean over the
question's terms (the tokens of its content words: not "이번", "누가" or "how many", which
no passage states) is the score. A pooled vector blurs the one word that tells two
passages apart; here it keeps its weight. The states are contextual and multilingual, so
"Nvidia" in an English question meets "엔비디아" in a Korean passage: the lexical
signals (BM25, term coverage) are void across scripts, and this is what stands in for
them. Scores feed the sentence and confidence models as features (qa/ranking.py); the
fit decides their weight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.builder import passage_embedding_text
from index.store import LoadedIndex
from index.token_states import TokenEncoder, TokenStates


def maxsim(question: TokenStates, text: TokenStates, keep: np.ndarray | None = None) -> float:
    """Mean over the question's tokens of the best cosine among ``text``'s tokens (those
    ``keep`` selects); 0 when either side has none."""
    return _mean_best(_cosines(question, text), keep)


def _cosines(question: TokenStates, text: TokenStates) -> np.ndarray:
    """[question tokens, text tokens]."""
    return question.vectors.astype(np.float32) @ text.vectors.astype(np.float32).T


def _mean_best(sims: np.ndarray, keep: np.ndarray | None = None) -> float:
    if keep is not None:
        sims = sims[:, keep]
    if not sims.size:
        return 0.0
    return float(sims.max(axis=1).mean())


@dataclass(frozen=True)
class LateScores:
    """MaxSim of the question against each scored passage (its title included) and each
    of its sentences (their own tokens only)."""

    passages: dict[int, float]
    sentences: dict[int, float]

    def passage(self, row: int) -> float:
        """A passage beyond the scored ones gets the lowest score among them."""
        return self.passages.get(row, self._floor(self.passages))

    def sentence(self, row: int) -> float:
        return self.sentences.get(row, self._floor(self.sentences))

    @staticmethod
    def _floor(scores: dict[int, float]) -> float:
        return min(scores.values(), default=0.0)


def question_terms(question: TokenStates, term_spans: Sequence[tuple[int, int]]) -> TokenStates:
    """The question's tokens that overlap its terms; all of them when none does."""
    if not len(question):
        return question
    starts, ends = question.spans[:, 0], question.spans[:, 1]
    keep = np.zeros(len(question), dtype=bool)
    for a, b in term_spans:
        keep |= (starts < b) & (ends > a)
    if not keep.any():
        return question
    return TokenStates(question.vectors[keep], question.spans[keep])


def late_scores(
    tokens: TokenEncoder,
    index: LoadedIndex,
    question: str,
    passage_rows: list[int],
    term_spans: Sequence[tuple[int, int]] = (),
) -> LateScores:
    if not passage_rows:
        return LateScores({}, {})
    texts: list[str] = []
    bases: list[int] = []
    for row in passage_rows:
        p = index.passage(row)
        article = index.articles[p.article]
        text = passage_embedding_text(article, article.text[p.start : p.end])
        texts.append(text)
        # Article offset of the text's first body character: the title comes before it.
        bases.append(p.start - (len(text) - (p.end - p.start)))
    (q,) = tokens.encode([question], is_query=True)
    q = question_terms(q, term_spans)
    states = tokens.encode(texts, is_query=False)
    by_passage: dict[int, float] = {}
    by_sentence: dict[int, float] = {}
    for row, base, s in zip(passage_rows, bases, states, strict=True):
        # One product per passage; each sentence reads its own columns of it.
        sims = _cosines(q, s)
        by_passage[row] = _mean_best(sims)
        starts = s.spans[:, 0] + base
        for srow in index.sentence_rows(row):
            ref = index.sentence(srow)
            by_sentence[srow] = _mean_best(sims, (starts >= ref.start) & (starts < ref.end))
    return LateScores(by_passage, by_sentence)
