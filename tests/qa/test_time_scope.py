"""Dates in questions pick the article of the right window, on data/fixtures/dated.jsonl:
the same stories from different weeks and quarters (weekly apartment prices, a
company's quarterly results, a port's monthly volumes). ``as_of`` is pinned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from index.store import LoadedIndex
from qa.answerer import Answerer
from qa.retrieval import Filters
from service.components import Components
from tests.helpers import REPO_ROOT, assert_quotes_valid

FIXTURE = REPO_ROOT / "data" / "fixtures" / "dated.jsonl"
AS_OF = date(2025, 11, 5)  # a Wednesday

# (question, article that must be quoted first, phrase, applied)
CASES = [
    ("어제 발표된 서울 아파트값 상승률은?", "apt-2025-11-04", "어제", "filter"),
    ("지난주 서울 아파트값은 얼마나 올랐어?", "apt-2025-10-30", "지난주", "filter"),
    ("2주 전 서울 아파트값 상승률은?", "apt-2025-10-23", "2주 전", "filter"),
    ("9월 서울 아파트값 상승률은?", "apt-2025-09-25", "9월", "boost"),
    ("서울 아파트값 최근 상승률은?", "apt-2025-11-04", "최근", "boost"),
    ("올해 3분기 한빛전자 영업이익은?", "hanbit-q3-2025", "올해 3분기", "filter"),
    ("작년 3분기 한빛전자 영업이익은?", "hanbit-q3-2024", "작년 3분기", "filter"),
    ("2024년 3분기 한빛전자 영업이익은?", "hanbit-q3-2024", "2024년 3분기", "filter"),
    ("3분기 한빛전자 영업이익은?", "hanbit-q3-2025", "3분기", "boost"),
    ("한빛전자의 최근 영업이익은?", "hanbit-q3-2025", "최근", "boost"),
    (
        "How many containers did the Port of Lindholm handle, according to yesterday's report?",
        "port-2025-11-04",
        "yesterday",
        "filter",
    ),
    (
        "What container volume did the Port of Lindholm report last month?",
        "port-2025-10-08",
        "last month",
        "filter",
    ),
    (
        "How many containers did the Port of Lindholm handle in February?",
        "port-2025-03-05",
        "in February",
        "boost",
    ),
    (
        "What is the latest container volume at the Port of Lindholm?",
        "port-2025-11-04",
        "latest",
        "boost",
    ),
]


@pytest.fixture(scope="module")
def dated_index(components: Components, tmp_path_factory: pytest.TempPathFactory) -> LoadedIndex:
    folder = tmp_path_factory.mktemp("dated-index")
    components.build_from_sources([FIXTURE], folder)
    return components.open_index(folder)


@pytest.fixture(scope="module")
def dated(components: Components, dated_index: LoadedIndex) -> Answerer:
    return components.answerer(dated_index)


@pytest.mark.parametrize(("question", "article", "phrase", "applied"), CASES)
def test_relative_dates_pick_the_article_of_the_window(
    dated: Answerer,
    dated_index: LoadedIndex,
    question: str,
    article: str,
    phrase: str,
    applied: str,
) -> None:
    answer = dated.ask(question, as_of=AS_OF)
    assert answer.answered, answer.reason
    assert_quotes_valid(answer, dated_index)
    assert answer.quotes[0].citation.article_id == article
    window = answer.time_window
    assert window is not None
    assert (window["phrase"], window["applied"]) == (phrase, applied)
    if applied == "filter":
        # A filter quotes nothing from outside the window.
        start, end = window["start"], window["end"]
        for quote in answer.quotes:
            assert quote.citation.published is not None
            published = quote.citation.published[:10]
            # A quarter's results are reported in the following quarter.
            last = date.fromisoformat(end)
            if window["granularity"] in ("quarter", "half"):
                last += timedelta(days=92)
            assert start <= published <= last.isoformat(), (quote.citation.article_id, window)


def test_the_boost_is_what_chose(dated: Answerer) -> None:
    # Without "최근"/"latest", other weeks' reports are quoted first: the boost chose.
    assert dated.ask("서울 아파트값 상승률은?", as_of=AS_OF).time_window is None
    plain = dated.ask("서울 아파트값 상승률은?", as_of=AS_OF).quotes[0].citation.article_id
    assert plain != "apt-2025-11-04"
    english = dated.ask("What is the container volume at the Port of Lindholm?", as_of=AS_OF)
    assert english.quotes[0].citation.article_id != "port-2025-11-04"
    # "3분기" asked in June 2025 means the third quarter of 2024.
    answer = dated.ask("3분기 한빛전자 영업이익은?", as_of=date(2025, 6, 30))
    assert answer.time_window is not None and answer.time_window["start"] == "2024-07-01"
    assert answer.quotes[0].citation.article_id == "hanbit-q3-2024"


def test_the_same_question_on_another_day_picks_another_article(dated: Answerer) -> None:
    question = "어제 발표된 서울 아파트값 상승률은?"
    answer = dated.ask(question, as_of=date(2025, 10, 31))
    assert answer.quotes[0].citation.article_id == "apt-2025-10-30"
    assert answer.time_window is not None
    assert (answer.time_window["start"], answer.time_window["end"]) == ("2025-10-30", "2025-10-30")


def test_a_relative_window_with_no_article_refuses_and_says_why(dated: Answerer) -> None:
    answer = dated.ask("오늘 발표된 서울 아파트값 상승률은?", as_of=AS_OF)
    assert not answer.answered and not answer.quotes
    assert answer.reason is not None and "2025-11-05" in answer.reason and "오늘" in answer.reason


def test_an_absolute_window_with_no_article_boosts_instead(dated: Answerer) -> None:
    # "2019년" may be when something happened that later articles tell about.
    answer = dated.ask("2019년 한빛전자 영업이익은?", as_of=AS_OF)
    assert answer.answered
    assert answer.time_window is not None and answer.time_window["applied"] == "boost"


def test_the_window_narrows_the_request_filters_too(dated: Answerer) -> None:
    answer = dated.ask(
        "지난주 서울 아파트값은 얼마나 올랐어?",
        as_of=AS_OF,
        filters=Filters(published_from="2025-11-01"),
    )
    assert not answer.answered  # the request's filter and the window do not overlap


def test_as_of_defaults_to_the_configured_day(
    components: Components, dated_index: LoadedIndex
) -> None:
    config = components.answer_config()
    config.as_of = date(2025, 10, 31)
    answerer = Answerer(dated_index, components.embedder, components.analyzer, config)
    answer = answerer.ask("어제 발표된 서울 아파트값 상승률은?")
    assert answer.quotes[0].citation.article_id == "apt-2025-10-30"
    assert answer.to_dict()["time_window"] == {
        "start": "2025-10-30",
        "end": "2025-10-30",
        "phrase": "어제",
        "explicit": True,
        "granularity": "day",
        "applied": "filter",
    }
