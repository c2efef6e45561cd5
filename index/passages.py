"""Sentence-aligned passages: runs of whole sentences up to a character budget."""

from __future__ import annotations

from dataclasses import dataclass

from index.models import Span

# Chosen by measurement on the public Korean QA slice (docs/quality.md): small passages
# keep the dense vector focused; one sentence of overlap keeps an answer that straddles a
# boundary retrievable from both sides.
DEFAULT_MAX_CHARS = 400
DEFAULT_OVERLAP = 1


@dataclass(frozen=True)
class PassagePlan:
    first: int  # index of the first sentence (within the article)
    last: int  # one past the last sentence
    start: int
    end: int


def plan_passages(
    sentences: list[Span], max_chars: int = DEFAULT_MAX_CHARS, overlap: int = DEFAULT_OVERLAP
) -> list[PassagePlan]:
    """Group consecutive sentences into passages of at most ``max_chars`` characters
    (a single longer sentence forms its own passage). Consecutive passages share
    ``overlap`` sentences."""
    plans: list[PassagePlan] = []
    n = len(sentences)
    first = 0
    while first < n:
        last = first + 1
        while last < n and sentences[last].end - sentences[first].start <= max_chars:
            last += 1
        plans.append(PassagePlan(first, last, sentences[first].start, sentences[last - 1].end))
        if last >= n:
            break
        first = max(last - overlap, first + 1)
    return plans
