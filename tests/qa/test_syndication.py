"""Syndicated copies at answer time, on data/fixtures/syndicated.jsonl (three stories in
two to three outlets' copies, and two distinct stories on the same events): every group
is found at build, no answer repeats a sentence, quotes come from the earliest copy and
cite the others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.dedup import normalize
from index.store import LoadedIndex
from qa.retrieval import Filters
from qa.types import Answer
from service.components import Components
from tests.helpers import REPO_ROOT, assert_quotes_valid

FIXTURE = REPO_ROOT / "data" / "fixtures" / "syndicated.jsonl"
GROUPS = [
    ["ko-ev-plant-wire", "ko-ev-plant-hanbit", "ko-ev-plant-sample"],
    ["en-rail-wire", "en-rail-times", "en-rail-daily"],
    ["ko-map-wire", "ko-map-busan"],
]
QUESTIONS = [
    "한빛모터스 울산 전기차 공장의 생산 규모는?",
    "한빛모터스 공장에는 몇 명이 일해?",
    "한빛모터스 공장 건설에 얼마가 들었어?",
    "How many trains is Coastal Rail buying?",
    "How far can the Nordbahn battery trains run between charges?",
    "When will the Coastal Rail battery trains enter service?",
    "국립해양박물관이 공개한 수군 지도는 몇 점이야?",
    "수군 지도 특별전은 언제까지 열려?",
]


@pytest.fixture(scope="module")
def synd_index(components: Components, tmp_path_factory: pytest.TempPathFactory) -> LoadedIndex:
    folder = tmp_path_factory.mktemp("syndicated-index")
    components.build_from_sources([FIXTURE], folder)
    return components.open_index(folder)


@pytest.fixture(scope="module")
def answers(components: Components, synd_index: LoadedIndex) -> list[Answer]:
    answerer = components.answerer(synd_index)
    return [answerer.ask(q) for q in QUESTIONS]


def _sentences_of(answer: Answer, index: LoadedIndex) -> list[str]:
    """The normalized text of every sentence the answer quotes (a quote may join two)."""
    out = []
    for quote in answer.quotes:
        c = quote.citation
        a = index.article_index(c.article_id)
        for row in index.article_sentence_rows(a):
            ref = index.sentence(row)
            if c.char_start <= ref.start and ref.end <= c.char_end:
                out.append(normalize(index.sentence_text(row)))
    return out


def test_every_group_is_stored_in_the_index(synd_index: LoadedIndex) -> None:
    groups = [[synd_index.articles[r].id for r in g] for g in synd_index.groups.groups]
    assert groups == GROUPS
    assert synd_index.manifest["dedup"]["groups"] == 3
    assert synd_index.manifest["dedup"]["articles_grouped"] == 8
    assert "groups.json" in synd_index.manifest["files"]  # checksummed like every file


def test_no_answer_repeats_a_sentence(answers: list[Answer], synd_index: LoadedIndex) -> None:
    for answer in answers:
        assert answer.answered, answer.question
        assert_quotes_valid(answer, synd_index)
        sentences = _sentences_of(answer, synd_index)
        assert len(sentences) == len(set(sentences)), (answer.question, sentences)
        # Nor one inside another (a lead with a byline glued on is the same sentence).
        for i, a in enumerate(sentences):
            for b in sentences[i + 1 :]:
                assert a not in b and b not in a, (answer.question, a, b)


def test_quotes_come_from_the_earliest_copy_that_has_them(
    answers: list[Answer], synd_index: LoadedIndex
) -> None:
    switched = 0
    for answer in answers:
        for quote in answer.quotes:
            group = next((g for g in GROUPS if quote.citation.article_id in g), None)
            if group is None:
                continue
            earlier = group[: group.index(quote.citation.article_id)]
            key = normalize(quote.text)
            for other in earlier:
                # The quoted sentence is not in an earlier copy (else it would be quoted
                # from there).
                assert key not in normalize(synd_index.article(other).text), (other, quote.text)
            switched += quote.citation.article_id == group[0]
    assert switched >= 5


def test_the_daily_copy_ranks_first_but_the_wire_copy_is_quoted(
    answers: list[Answer], synd_index: LoadedIndex
) -> None:
    answer = answers[QUESTIONS.index("How many trains is Coastal Rail buying?")]
    first = answer.quotes[0]
    assert first.citation.article_id == "en-rail-wire"
    assert "40 battery-electric trains" in first.text
    # The quote's passage is the wire copy's own, and contains the quote.
    passage = synd_index.passage(first.citation.passage_id)
    assert synd_index.articles[passage.article].id == "en-rail-wire"
    assert passage.start <= first.citation.char_start < first.citation.char_end <= passage.end


def test_citations_list_the_other_copies(answers: list[Answer]) -> None:
    for answer in answers:
        for quote in answer.quotes:
            c = quote.citation
            group = next((g for g in GROUPS if c.article_id in g), [])
            others = [r.article_id for r in c.also_reported_by]
            assert others == [a for a in group if a != c.article_id]
            for copy in c.also_reported_by:
                assert copy.url and copy.source and copy.published and copy.title
    data = answers[0].to_dict()["quotes"][0]["citation"]["also_reported_by"]
    assert {"article_id", "title", "url", "source", "published"} <= set(data[0])


def test_a_filter_quotes_the_earliest_copy_it_allows(
    components: Components, synd_index: LoadedIndex
) -> None:
    answer = components.answerer(synd_index).ask(
        "How many trains is Coastal Rail buying?", filters=Filters(source="Example Times")
    )
    assert answer.answered
    first = answer.quotes[0].citation
    assert first.article_id == "en-rail-times"
    assert [r.article_id for r in first.also_reported_by] == ["en-rail-wire", "en-rail-daily"]


def test_a_distinct_story_on_the_same_event_stands_alone(
    components: Components, synd_index: LoadedIndex
) -> None:
    answer = components.answerer(synd_index).ask("울산시가 마련한 지원 기금은 얼마야?")
    assert answer.quotes[0].citation.article_id == "ko-ev-plant-own"
    assert answer.quotes[0].citation.also_reported_by == ()
    assert re.search(r"500억", answer.quotes[0].text)


def test_an_index_without_groups_still_loads(components: Components, tmp_path: Path) -> None:
    # A version written before groups.json existed has no groups (and no error).
    folder = tmp_path / "index"
    components.build_from_sources([REPO_ROOT / "data" / "fixtures" / "dated.jsonl"], folder)
    index = components.open_index(folder)
    assert len(index.groups) == 0
