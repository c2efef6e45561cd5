"""Questions about now (issue 11): an archive cannot say what a price or the weather is
"지금", but an article of the day asked about can answer "오늘", and the latest article
still tells a state that lasts (a policy rate)."""

from __future__ import annotations

from datetime import date

from qa.answerer import Answerer
from qa.ranking import CONFIDENCE_COLUMN

MOMENT = CONFIDENCE_COLUMN["moment_unmet"]


def test_today_is_met_by_an_article_of_that_day(fake_answerer: Answerer) -> None:
    question = "오늘 엔비디아가 한국에 공급하기로 한 GPU는 몇 장인가?"
    ev = fake_answerer.evidence(question, as_of=date(2025, 10, 31))
    assert ev.candidates
    top = ev.candidates[0]
    assert (
        fake_answerer.index.articles[fake_answerer.index.sentence_article(top.row)].published
        == "2025-10-31"
    )
    published = {
        fake_answerer.index.articles[fake_answerer.index.sentence_article(c.row)].published
        for c in ev.candidates
    }
    assert published <= {"2025-10-31", None}  # undated articles pass a date filter
    assert ev.question_features[MOMENT] == 0.0


def test_now_without_an_article_of_the_day_is_unmet(fake_answerer: Answerer) -> None:
    ev = fake_answerer.evidence("지금 엔비디아 주가는 얼마야?", as_of=date(2025, 12, 31))
    assert ev.candidates
    assert ev.question_features[MOMENT] == 1.0
    ev = fake_answerer.evidence("엔비디아가 공급하는 GPU는 몇 장인가?", as_of=date(2025, 12, 31))
    assert ev.question_features[MOMENT] == 0.0


def test_now_about_a_state_an_article_still_reports_is_not_unmet(
    fake_answerer: Answerer,
) -> None:
    """A policy rate stays until the next decision: the latest article, with its date,
    answers "지금"; a price, the weather or a delay change by the minute."""
    ev = fake_answerer.evidence("한국은행 기준금리는 지금 몇 퍼센트야?", as_of=date(2025, 12, 31))
    assert ev.question_features[MOMENT] == 0.0
    for live in (
        "지금 동북선 열차 지연되고 있어?",
        "Is it raining in Jeju right now?",
        "What time is it in Seoul now?",
        "지금 KIA 경기 몇 대 몇이야?",
    ):
        ev = fake_answerer.evidence(live, as_of=date(2025, 12, 31))
        assert ev.question_features[MOMENT] == 1.0, live
