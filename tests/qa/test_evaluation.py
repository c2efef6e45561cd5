"""The evaluation report computed from outcomes: answered-precision, refusal rate, and the
curve over thresholds, without asking any question again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import RecordError
from qa.evaluation import Outcome, curve, load_questions, report


def _outcome(qid: str, conf: float, hit: bool | None, source: str = "s") -> Outcome:
    """``hit`` None: an unanswerable question."""
    return Outcome(
        id=qid,
        source=source,
        answerable=hit is not None,
        confidence=conf,
        quoted=True,
        recall={1: bool(hit), 5: bool(hit), 20: True},
        hit={1: bool(hit), 3: bool(hit)},
    )


OUTCOMES = [
    _outcome("a", 1.3, True),
    _outcome("b", 1.1, True),
    _outcome("c", 1.0, False),
    _outcome("d", 0.8, True),
    _outcome("x", 1.05, None, "off"),
    _outcome("y", 0.7, None, "off"),
    _outcome("z", 0.9, None, "loo"),
]


def test_report_at_the_served_threshold() -> None:
    r = report(OUTCOMES, 0.95)
    overall = r["overall"]
    assert overall["questions"] == 4
    assert overall["answered"] == 0.75  # a, b, c
    assert overall["hit@1"] == 0.5  # a, b; d was refused, c missed
    assert overall["answered_precision"] == round(2 / 3, 4)
    assert r["unanswerable"]["questions"] == 3
    assert r["unanswerable"]["refusal_rate"] == round(2 / 3, 4)  # y and z refused, x not
    assert r["unanswerable"]["by_source"] == {
        "loo": {"questions": 1, "refusal_rate": 1.0},
        "off": {"questions": 2, "refusal_rate": 0.5},
    }
    assert 0.95 in [row["threshold"] for row in r["curve"]]


def test_curve_trades_answers_for_refusals() -> None:
    rows = {row["threshold"]: row for row in curve(OUTCOMES, [0.5, 1.02, 1.2, 2.0])}
    assert rows[0.5] == {
        "threshold": 0.5,
        "answered": 1.0,
        "hit@1": 0.75,
        "answered_precision": 0.75,
        "refusal_rate": 0.0,
    }
    assert rows[1.02]["answered"] == 0.5 and rows[1.02]["answered_precision"] == 1.0
    assert rows[1.02]["refusal_rate"] == round(2 / 3, 4)
    assert rows[1.2]["answered"] == 0.25 and rows[1.2]["refusal_rate"] == 1.0
    assert rows[2.0]["answered"] == 0.0 and rows[2.0]["answered_precision"] is None
    answered = [row["answered"] for row in curve(OUTCOMES)]
    refused = [row["refusal_rate"] for row in curve(OUTCOMES)]
    assert answered == sorted(answered, reverse=True) and refused == sorted(refused)


def test_no_quotes_is_never_answered() -> None:
    nothing = Outcome("n", "s", False, 5.0, False, {1: False, 5: False, 20: False}, {})
    assert not nothing.answered(0.0)
    assert report([nothing], 0.96)["unanswerable"]["refusal_rate"] == 1.0


def test_load_questions_flags(tmp_path: Path) -> None:
    path = tmp_path / "questions.jsonl"
    rows = [
        {"id": "1", "question": "q1", "answers": ["g"], "source": "korquad1-dev:wikipedia"},
        {"id": "2", "question": "q2", "answers": ["g"], "answerable": False},
        {"id": "3", "question": "q3", "set": "offtopic_realtime"},
        {"id": "4", "question": "q4", "answers": []},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    qs = load_questions(path)
    assert [q.answerable for q in qs] == [True, False, False, False]
    assert [q.source for q in qs] == ["korquad1-dev", "", "offtopic_realtime", ""]
    path.write_text('{"id": "1", "question": 3}\n', encoding="utf-8")
    with pytest.raises(RecordError, match="questions.jsonl:1"):
        load_questions(path)
