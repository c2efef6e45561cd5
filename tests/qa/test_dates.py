"""Dates in questions resolved against a pinned as_of (qa/dates.py): no model needed."""

from __future__ import annotations

from datetime import date

import pytest

from qa.dates import resolve_time_window

AS_OF = date(2025, 11, 5)  # a Wednesday


@pytest.mark.parametrize(
    ("question", "phrase", "start", "end", "explicit"),
    [
        ("오늘 발표된 실적은?", "오늘", "2025-11-05", "2025-11-05", True),
        ("어제 발표된 삼성전자 실적은?", "어제", "2025-11-04", "2025-11-04", True),
        ("그제 열린 회의에서 무엇이 정해졌어?", "그제", "2025-11-03", "2025-11-03", True),
        ("3일 전 사고로 몇 명이 다쳤어?", "3일 전", "2025-11-02", "2025-11-02", True),
        ("사흘 전 발표는?", "사흘 전", "2025-11-02", "2025-11-02", True),
        ("이번 주 서울 아파트값은?", "이번 주", "2025-11-03", "2025-11-09", True),
        ("지난주 서울 아파트값은?", "지난주", "2025-10-27", "2025-11-02", True),
        ("2주 전 발표된 지표는?", "2주 전", "2025-10-20", "2025-10-26", True),
        ("이번 달 수출은?", "이번 달", "2025-11-01", "2025-11-30", True),
        ("지난달 수출은 얼마야?", "지난달", "2025-10-01", "2025-10-31", True),
        ("올해 감귤 생산량은?", "올해", "2025-01-01", "2025-12-31", True),
        ("작년 매출은?", "작년", "2024-01-01", "2024-12-31", True),
        ("지난해 관람객은?", "지난해", "2024-01-01", "2024-12-31", True),
        ("올해 3분기 영업이익은?", "올해 3분기", "2025-07-01", "2025-09-30", True),
        ("2025년 3분기 영업이익은?", "2025년 3분기", "2025-07-01", "2025-09-30", True),
        ("작년 4분기 영업이익은?", "작년 4분기", "2024-10-01", "2024-12-31", True),
        ("2024년 상반기 실적은?", "2024년 상반기", "2024-01-01", "2024-06-30", True),
        ("2025년 10월 14일 공시 내용은?", "2025년 10월 14일", "2025-10-14", "2025-10-14", True),
        ("2024년 관람객은?", "2024년", "2024-01-01", "2024-12-31", True),
        # partial: the latest such period that has begun by as_of
        ("3분기 영업이익은?", "3분기", "2025-07-01", "2025-09-30", False),
        ("4분기 영업이익은?", "4분기", "2025-10-01", "2025-12-31", False),
        ("12월 행사는?", "12월", "2024-12-01", "2024-12-31", False),
        ("3월 수출은?", "3월", "2025-03-01", "2025-03-31", False),
        ("10월 31일 발표는?", "10월 31일", "2025-10-31", "2025-10-31", False),
        ("최근 발표된 금리는?", "최근", "2025-10-06", "2025-11-05", False),
        ("What happened today?", "today", "2025-11-05", "2025-11-05", True),
        ("What did the bank say yesterday?", "yesterday", "2025-11-04", "2025-11-04", True),
        ("Results from two days ago", "two days ago", "2025-11-03", "2025-11-03", True),
        ("What was announced last week?", "last week", "2025-10-27", "2025-11-02", True),
        ("Exports this month?", "this month", "2025-11-01", "2025-11-30", True),
        ("Exports last month?", "last month", "2025-10-01", "2025-10-31", True),
        ("Revenue this year?", "this year", "2025-01-01", "2025-12-31", True),
        ("Revenue last year?", "last year", "2024-01-01", "2024-12-31", True),
        ("Q3 results?", "Q3", "2025-07-01", "2025-09-30", False),
        ("Q4 2024 results?", "Q4 2024", "2024-10-01", "2024-12-31", True),
        (
            "Profit in the third quarter of last year?",
            "third quarter of last year",
            "2024-07-01",
            "2024-09-30",
            True,
        ),
        ("What happened in March?", "in March", "2025-03-01", "2025-03-31", False),
        ("Sales in March 2024?", "in March 2024", "2024-03-01", "2024-03-31", True),
        ("Who won in 2024?", "in 2024", "2024-01-01", "2024-12-31", True),
        ("In 2024, who won?", "In 2024", "2024-01-01", "2024-12-31", True),
        ("What is the latest rate?", "latest", "2025-10-06", "2025-11-05", False),
    ],
)
def test_phrases_resolve_against_as_of(
    question: str, phrase: str, start: str, end: str, explicit: bool
) -> None:
    window = resolve_time_window(question, AS_OF)
    assert window is not None
    assert (window.phrase, window.start.isoformat(), window.end.isoformat()) == (
        phrase,
        start,
        end,
    )
    assert window.explicit is explicit


@pytest.mark.parametrize(
    "question",
    [
        "삼성전자의 영업이익은 얼마야?",
        "작년 같은 기간보다 얼마나 늘었어?",  # a comparison, not when it was reported
        "전년 대비 증가율은?",
        "Profit rose 5% from last year.",
        "오늘날 한국의 수도는?",
        "10년 전 일을 기억해?",
        "2년간 얼마나 늘었어?",
        "May I ask about the merger?",
        "Why did they march in protest?",
        "전주 비빔밥 축제는 언제야?",
    ],
)
def test_no_window_where_there_is_no_date(question: str) -> None:
    assert resolve_time_window(question, AS_OF) is None


def test_relative_phrases_are_marked_relative() -> None:
    assert resolve_time_window("어제 발표는?", AS_OF).relative  # type: ignore[union-attr]
    assert resolve_time_window("올해 3분기 실적", AS_OF).relative  # type: ignore[union-attr]
    assert not resolve_time_window("2025년 3분기 실적", AS_OF).relative  # type: ignore[union-attr]


def test_a_year_boundary() -> None:
    window = resolve_time_window("지난달 수출은?", date(2026, 1, 10))
    assert window is not None and (window.start, window.end) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
    )
    window = resolve_time_window("지난주 발표는?", date(2026, 1, 1))
    assert window is not None and (window.start, window.end) == (
        date(2025, 12, 22),
        date(2025, 12, 28),
    )
