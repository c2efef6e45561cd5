"""Quality evaluation over a question set in the format of ``shared/eval/public``.

Answerable questions (with gold answers) are scored on passage recall and quote hits;
unanswerable ones (``answerable: false``, or no gold) on whether the answer was refused.
Every question is asked once with abstention off, so each has its quotes and its
confidence; the served threshold, and the curve over other thresholds, are then applied
offline. That is exact: the threshold decides only whether the quotes are given.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from index.errors import RecordError, SourceError
from qa.answerer import Answerer
from qa.types import Answer

# Thresholds of the curve (the served one is added): 0-1 spans the fitted model's
# probabilities, up to 1.5 the hand rule's similarities.
CURVE_THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(31))


@dataclass
class EvalQuestion:
    id: str
    question: str
    answers: list[str]
    source: str = ""
    answerable: bool = True


@dataclass(frozen=True)
class Outcome:
    """One question asked with abstention off: its confidence and what its quotes hit."""

    id: str
    source: str
    answerable: bool
    confidence: float
    quoted: bool  # evidence was found at all (a refusal for lack of passages is final)
    recall: dict[int, bool] = field(default_factory=dict)
    hit: dict[int, bool] = field(default_factory=dict)

    def answered(self, threshold: float) -> bool:
        return self.quoted and self.confidence >= threshold


@dataclass
class Tally:
    n: int = 0
    recall: dict[int, int] = field(default_factory=lambda: {1: 0, 5: 0, 20: 0})
    hit: dict[int, int] = field(default_factory=lambda: {1: 0, 3: 0})
    answered: int = 0

    def add(self, outcome: Outcome, threshold: float) -> None:
        self.n += 1
        answered = outcome.answered(threshold)
        for k in self.recall:
            self.recall[k] += int(outcome.recall[k])
        for k in self.hit:
            self.hit[k] += int(answered and outcome.hit[k])
        self.answered += int(answered)

    def to_dict(self) -> dict[str, Any]:
        n = max(self.n, 1)
        out: dict[str, Any] = {"questions": self.n}
        out.update({f"recall@{k}": round(v / n, 4) for k, v in self.recall.items()})
        out.update({f"hit@{k}": round(v / n, 4) for k, v in self.hit.items()})
        out["answered"] = round(self.answered / n, 4)
        # Of the questions answered, the share whose first quote holds the gold.
        out["answered_precision"] = round(self.hit[1] / self.answered, 4) if self.answered else None
        return out


def load_questions(path: Path) -> list[EvalQuestion]:
    if not path.is_file():
        raise SourceError(f"questions file not found: {path}")
    out = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
                if not isinstance(d.get("question"), str) or not isinstance(
                    d.get("answers", []), list
                ):
                    raise TypeError("needs a string 'question' and a list 'answers'")
                answers = [str(a) for a in d.get("answers") or []]
                out.append(
                    EvalQuestion(
                        id=str(d.get("id", number)),
                        question=d["question"],
                        answers=answers,
                        # Off-topic files name their set instead of a source.
                        source=str(d.get("source") or d.get("set") or "").split(":")[0],
                        # A question without gold answers has none to find.
                        answerable=bool(d.get("answerable", True)) and bool(answers),
                    )
                )
            except (json.JSONDecodeError, TypeError, AttributeError) as exc:
                msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                raise RecordError(msg, path=str(path), line=number) from None
    return out


def outcome_of(q: EvalQuestion, answer: Answer) -> Outcome:
    gold = q.answers

    def found(texts: list[str]) -> bool:
        return any(g in t for t in texts for g in gold)

    return Outcome(
        id=q.id,
        source=q.source or "all",
        answerable=q.answerable,
        confidence=answer.confidence,
        quoted=bool(answer.quotes),
        recall={k: found([p.text for p in answer.passages[:k]]) for k in (1, 5, 20)},
        hit={k: found([x.text for x in answer.quotes[:k]]) for k in (1, 3)},
    )


def curve(
    outcomes: Sequence[Outcome], thresholds: Iterable[float] = CURVE_THRESHOLDS
) -> list[dict[str, Any]]:
    """Per threshold: share of answerable questions answered, hit@1 (a refusal is a miss),
    answered-precision, and the refusal rate of the unanswerable ones."""
    good = [o for o in outcomes if o.answerable]
    bad = [o for o in outcomes if not o.answerable]
    rows = []
    for t in sorted(set(thresholds)):
        answered = [o for o in good if o.answered(t)]
        hits = sum(o.hit[1] for o in answered)
        rows.append(
            {
                "threshold": round(t, 4),
                "answered": round(len(answered) / len(good), 4) if good else None,
                "hit@1": round(hits / len(good), 4) if good else None,
                "answered_precision": round(hits / len(answered), 4) if answered else None,
                "refusal_rate": (
                    round(sum(not o.answered(t) for o in bad) / len(bad), 4) if bad else None
                ),
            }
        )
    return rows


def report(outcomes: Sequence[Outcome], threshold: float) -> dict[str, Any]:
    """Figures as served at ``threshold``, overall and by source, plus the curve."""
    overall = Tally()
    by_source: dict[str, Tally] = {}
    refusals: dict[str, list[bool]] = {}
    for o in outcomes:
        if o.answerable:
            overall.add(o, threshold)
            by_source.setdefault(o.source, Tally()).add(o, threshold)
        else:
            refusals.setdefault(o.source, []).append(not o.answered(threshold))
    refused = [r for rs in refusals.values() for r in rs]
    return {
        "threshold": threshold,
        "overall": overall.to_dict(),
        "by_source": {k: v.to_dict() for k, v in sorted(by_source.items())},
        "unanswerable": {
            "questions": len(refused),
            "refusal_rate": round(sum(refused) / len(refused), 4) if refused else None,
            "by_source": {
                k: {"questions": len(v), "refusal_rate": round(sum(v) / len(v), 4)}
                for k, v in sorted(refusals.items())
            },
        },
        "curve": curve(outcomes, (*CURVE_THRESHOLDS, threshold)),
    }


def evaluate(answerer: Answerer, questions: Iterable[EvalQuestion]) -> dict[str, Any]:
    """Passage recall@1/5/20, quote hit@1/3, share answered, answered-precision, refusal
    rate of unanswerable questions, the threshold curve, and latency."""
    threshold = answerer.config.threshold
    probe = Answerer(
        answerer.index,
        answerer.embedder,
        answerer.analyzer,
        replace(answerer.config, min_confidence=float("-inf")),
    )
    outcomes: list[Outcome] = []
    latencies: list[float] = []
    for q in questions:
        answer = probe.ask(q.question, top_k=20)
        latencies.append(answer.timings.get("total_ms", 0.0))
        outcomes.append(outcome_of(q, answer))
    lat = sorted(latencies) or [0.0]
    result = report(outcomes, threshold)
    result["latency_ms"] = {
        "p50": round(statistics.median(lat), 2),
        "p95": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 2),
        "mean": round(statistics.fmean(lat), 2),
    }
    result["per_question"] = [
        {"id": o.id, "answerable": o.answerable, "confidence": o.confidence, "hit@1": o.hit[1]}
        for o in outcomes
    ]
    return result
