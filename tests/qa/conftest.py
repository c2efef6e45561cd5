"""The sample question sets, each answered once per session over the sample index."""

from __future__ import annotations

import pytest

from index.store import LoadedIndex
from qa.answerer import Answerer
from tests.helpers import QUESTIONS_DIR, Asked, read_jsonl


def _gold_article(index: LoadedIndex, name: str) -> str:
    """Question files name file articles by their path ("extra/battery.html"); the index
    names them by content-derived ids, so find the article by its source file."""
    ids = {a.id for a in index.articles}
    if name in ids:
        return name
    matches = [a.id for a in index.articles if a.metadata.get("file", "").endswith(name)]
    assert len(matches) == 1, f"no single article for {name!r}"
    return matches[0]


@pytest.fixture(scope="session")
def ontopic_answers(answerer: Answerer, sample_index: LoadedIndex) -> list[Asked]:
    items = read_jsonl(QUESTIONS_DIR / "ontopic.jsonl")
    return [
        Asked(item, answerer.ask(item["question"]), _gold_article(sample_index, item["article_id"]))
        for item in items
    ]


@pytest.fixture(scope="session")
def offtopic_answers(answerer: Answerer) -> list[Asked]:
    items = read_jsonl(QUESTIONS_DIR / "offtopic.jsonl")
    return [Asked(item, answerer.ask(item["question"])) for item in items]


@pytest.fixture(scope="session")
def realtime_answers(answerer: Answerer) -> list[Asked]:
    items = read_jsonl(QUESTIONS_DIR / "offtopic_realtime.jsonl")
    return [Asked(item, answerer.ask(item["question"])) for item in items]
