"""The confidence features computed from a question's candidates (qa/ranking.py
`question_features`), a pure function that fitting and serving share."""

from __future__ import annotations

import numpy as np
import pytest

from qa.ranking import CONFIDENCE_COLUMN, SENTENCE_COLUMN, SENTENCE_FEATURES, question_features

FOCUS = dict.fromkeys(
    (
        "asks_topic",
        "topic_in_passage",
        "asks_future",
        "prediction_in_quote",
        "answer_in_quote",
        "keys_unknown",
        "asks_moment",
        "asks_live",
        "qualifier_conflict",
        "counter_unmet",
    ),
    0.0,
)


def _candidate(*, across: bool, names_in_passage: float = 0.0, key_missing: float = 0.0):
    row = np.zeros(len(SENTENCE_FEATURES))
    row[SENTENCE_COLUMN["cross_script"]] = float(across)
    row[SENTENCE_COLUMN["cross_name_passage"]] = names_in_passage if across else 0.0
    row[SENTENCE_COLUMN["key_missing"]] = 0.0 if across else key_missing
    return row


def _nowhere(candidates: list[np.ndarray], names: int, *, korean: bool = False) -> np.ndarray:
    """(names_nowhere, korean_names_nowhere) of a question over those candidates."""
    x = np.array(candidates)
    q = question_features(
        x, np.zeros(len(x)), FOCUS, bm25_max=0.0, terms=3, names=names, korean=korean
    )
    return q[[CONFIDENCE_COLUMN["names_nowhere"], CONFIDENCE_COLUMN["korean_names_nowhere"]]]


@pytest.mark.parametrize(
    ("candidates", "names", "nowhere"),
    [
        # "When did Giroud sign for Arsenal?" over Korean passages none of which writes
        # 지루 or 아스널: his page is not in the corpus.
        ([_candidate(across=True), _candidate(across=True)], 2, 1.0),
        # One passage names one of them: the question may be answered there.
        ([_candidate(across=True), _candidate(across=True, names_in_passage=0.5)], 2, 0.0),
        # In the question's own script the article's missing keys tell the same.
        ([_candidate(across=False, key_missing=1.0)], 1, 1.0),
        ([_candidate(across=False, key_missing=1.0), _candidate(across=False)], 1, 0.0),
        # A question with no names has nothing to miss.
        ([_candidate(across=True)], 0, 0.0),
    ],
)
def test_names_nowhere_among_the_candidates(
    candidates: list[np.ndarray], names: int, nowhere: float
) -> None:
    assert _nowhere(candidates, names).tolist() == [nowhere, 0.0]


def test_a_korean_questions_names_nowhere_is_a_feature_of_its_own() -> None:
    # "애플의 새 아이폰 가격은 얼마야?" over articles none of which mentions 애플 or 아이폰
    # (nor Apple or iPhone in an English one): refused by rule, not weighed like an English
    # question's names, which a Korean article may translate instead of spell.
    candidates = [_candidate(across=True), _candidate(across=False, key_missing=1.0)]
    assert _nowhere(candidates, 2, korean=True).tolist() == [0.0, 1.0]
    found = [_candidate(across=True, names_in_passage=0.5)]
    assert _nowhere(found, 2, korean=True).tolist() == [0.0, 0.0]
