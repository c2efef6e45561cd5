"""The answer object: what the CLI prints with --json and the HTTP API returns."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class ReportedCopy:
    """Another outlet's copy of a syndicated story (the same story, grouped at build)."""

    article_id: str
    title: str
    url: str | None
    source: str | None
    published: str | None


@dataclass(frozen=True)
class Citation:
    article_id: str
    title: str
    url: str | None
    published: str | None
    passage_id: int
    sentence_index: int  # index of the (first) quoted sentence within the article
    char_start: int
    char_end: int
    source: str | None = None
    # The other copies of a syndicated story; the quote is from the earliest one.
    also_reported_by: tuple[ReportedCopy, ...] = ()


@dataclass(frozen=True)
class AnswerSpan:
    """Where the answer is within a quote: ``quote.text[start:end]``."""

    start: int
    end: int


@dataclass(frozen=True)
class Quote:
    text: str
    score: float
    citation: Citation
    # The number, date or name the question asks for, when its answer type finds it.
    answer_span: AnswerSpan | None = None


@dataclass(frozen=True)
class PassageResult:
    passage_id: int
    article_id: str
    title: str
    text: str
    score: float
    char_start: int
    char_end: int


@dataclass
class Answer:
    question: str
    answered: bool
    answer: str
    quotes: list[Quote] = field(default_factory=list)
    passages: list[PassageResult] = field(default_factory=list)
    reason: str | None = None
    confidence: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    # The period a date in the question names ("어제", "2025년 3분기") and how it was
    # applied: start, end, phrase, explicit, granularity, applied ("filter" or "boost").
    time_window: dict[str, Any] | None = None
    # Short forms of the question read as the names the articles write ("삼전" ->
    # "삼성전자", qa/short_forms.py).
    read_as: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def format_answer(quotes: list[Quote]) -> str:
    """The quoted sentences, verbatim, each followed by its citation marker."""
    return " ".join(f"{q.text} [{i}]" for i, q in enumerate(quotes, start=1))
