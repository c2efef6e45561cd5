"""Quality evaluation over a question set in the format of ``shared/eval/public``."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import RecordError, SourceError
from qa.answerer import Answerer
from qa.types import Answer


@dataclass
class EvalQuestion:
    id: str
    question: str
    answers: list[str]
    source: str = ""
    answerable: bool = True


@dataclass
class Tally:
    n: int = 0
    recall: dict[int, int] = field(default_factory=lambda: {1: 0, 5: 0, 20: 0})
    hit: dict[int, int] = field(default_factory=lambda: {1: 0, 3: 0})
    answered: int = 0

    def add(self, answer: Answer, gold: list[str]) -> None:
        self.n += 1
        for k in self.recall:
            if any(g in p.text for p in answer.passages[:k] for g in gold):
                self.recall[k] += 1
        for k in self.hit:
            if answer.answered and any(g in q.text for q in answer.quotes[:k] for g in gold):
                self.hit[k] += 1
        self.answered += int(answer.answered)

    def to_dict(self) -> dict[str, Any]:
        n = max(self.n, 1)
        out: dict[str, Any] = {"questions": self.n}
        out.update({f"recall@{k}": round(v / n, 4) for k, v in self.recall.items()})
        out.update({f"hit@{k}": round(v / n, 4) for k, v in self.hit.items()})
        out["answered"] = round(self.answered / n, 4)
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
                out.append(
                    EvalQuestion(
                        id=str(d.get("id", number)),
                        question=d["question"],
                        answers=[str(a) for a in d.get("answers") or []],
                        source=str(d.get("source") or "").split(":")[0],
                        answerable=bool(d.get("answerable", True)),
                    )
                )
            except (json.JSONDecodeError, TypeError, AttributeError) as exc:
                msg = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
                raise RecordError(msg, path=str(path), line=number) from None
    return out


def evaluate(answerer: Answerer, questions: Iterable[EvalQuestion]) -> dict[str, Any]:
    """Passage recall@1/5/20, quote hit@1/3, share answered and latency, overall and by
    source."""
    overall = Tally()
    by_source: dict[str, Tally] = {}
    latencies: list[float] = []
    for q in questions:
        if not q.answerable or not q.answers:
            continue
        answer = answerer.ask(q.question, top_k=20)
        latencies.append(answer.timings.get("total_ms", 0.0))
        overall.add(answer, q.answers)
        by_source.setdefault(q.source or "all", Tally()).add(answer, q.answers)
    lat = sorted(latencies) or [0.0]
    return {
        "overall": overall.to_dict(),
        "by_source": {k: v.to_dict() for k, v in sorted(by_source.items())},
        "latency_ms": {
            "p50": round(statistics.median(lat), 2),
            "p95": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 2),
            "mean": round(statistics.fmean(lat), 2),
        },
    }
