"""Dates in questions: "어제 발표된", "지난주", "올해 3분기", "last week", "in March".

A phrase is resolved against ``as_of`` (the request's day, or today) into a
:class:`TimeWindow`, the period it names. A window is *explicit* when the phrase fixes
it completely: relative to ``as_of`` ("어제", "지난주", "올해 3분기", "last month") or
with a year ("2025년 3분기", "March 2025"). A partial phrase ("3분기", "Q3", "3월",
"in March") leaves the year open; it resolves to the latest such period that has begun
by ``as_of`` and is not explicit. "최근", "latest", "recent" ask for the newest
articles: :func:`wants_recent`.

How a window is used (a filter or a boost) is decided in :mod:`qa.time_scope`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Granularity = Literal["day", "week", "month", "quarter", "half", "year", "recent"]

# Days of "최근/latest": the window shown for a recency question (the boost itself decays
# with an article's age, see qa.time_scope).
RECENT_DAYS = 30


@dataclass(frozen=True)
class TimeWindow:
    """The days ``start..end`` (both included) that ``phrase`` names."""

    start: date
    end: date
    phrase: str
    explicit: bool
    granularity: Granularity = "day"
    # Anchored to as_of ("어제", "올해 3분기") rather than given as dates ("2025년 3분기").
    relative: bool = False

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def to_dict(self) -> dict[str, str | bool]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "phrase": self.phrase,
            "explicit": self.explicit,
            "granularity": self.granularity,
        }


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _quarter(year: int, q: int) -> tuple[date, date]:
    return date(year, 3 * q - 2, 1), _month(year, 3 * q)[1]


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _week(day: date) -> tuple[date, date]:
    monday = day - timedelta(days=day.weekday())  # weeks start on Monday (ISO, and Korea)
    return monday, monday + timedelta(days=6)


def _prev_month(day: date) -> tuple[date, date]:
    last = day.replace(day=1) - timedelta(days=1)
    return _month(last.year, last.month)


def _latest_month(as_of: date, month: int, strictly_past: bool = False) -> int:
    """The year of the latest ``month`` that has begun by ``as_of`` (or ended before it)."""
    if month < as_of.month or (month == as_of.month and not strictly_past):
        return as_of.year
    return as_of.year - 1


def _latest_quarter(as_of: date, q: int) -> int:
    return as_of.year if 3 * q - 2 <= as_of.month else as_of.year - 1


_KO_NUMBERS = {"하루": 1, "이틀": 2, "사흘": 3, "나흘": 4, "닷새": 5, "엿새": 6, "이레": 7}
_EN_NUMBERS = {w: i for i, w in enumerate(("zero", "one", "two", "three", "four", "five", "six"))}
_EN_NUMBER = r"(?P<n>\d{1,3}|one|two|three|four|five|six)"
_EN_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_EN_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_EN_MONTHS["sept"] = 9
# Capitalized, like a month's name: "march" and "may" are words too.
_MONTH_NAMES = "|".join(
    sorted((m.capitalize() for m in _EN_MONTHS if m != "may"), key=len, reverse=True)
)
_ORDINAL_Q = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3}
_ORDINAL_Q["4th"] = 4

# The year a Korean phrase gives before a month or quarter: "2025년", "올해", "올", "작년".
_KO_YEAR = r"(?:(?P<y>\d{4})\s*년|(?P<rel>올해|금년|올|작년|지난해|재작년))"
_KO_REL_YEAR = {"올해": 0, "금년": 0, "올": 0, "작년": -1, "지난해": -1, "재작년": -2}
# "작년 같은 기간보다", "than last year": a period compared with is not when it was reported.
_KO_NOT_COMPARED = r"(?!\s*(?:같은|동기|대비|보다|에\s*비해|와\s*비교|과\s*비교))"
_EN_NOT_COMPARED = r"(?<!than )(?<!from )(?<!with )(?<!to )(?<!over )(?<!versus )(?<!vs )"
# Korean words are not delimited by \b: a phrase may not continue a longer word before it.
_KB = r"(?<![가-힣A-Za-z0-9])"

Resolved = tuple[date, date, Granularity, bool, bool]  # ..., explicit, relative
Rule = tuple[re.Pattern[str], Callable[[re.Match[str], date], Resolved | None]]


def _ko_relative(m: re.Match[str]) -> bool:
    return m.groupdict().get("rel") is not None


def _ko_year(m: re.Match[str], as_of: date) -> int | None:
    if m.group("y"):
        return int(m.group("y"))
    if m.group("rel"):
        return as_of.year + _KO_REL_YEAR[m.group("rel")]
    return None


def _ko_day(m: re.Match[str], as_of: date) -> Resolved | None:
    month, day = int(m.group("m")), int(m.group("d"))
    year = _ko_year(m, as_of)
    explicit = year is not None
    if year is None:  # the latest such day by as_of
        year = as_of.year if (month, day) <= (as_of.month, as_of.day) else as_of.year - 1
    try:
        d = date(year, month, day)
    except ValueError:
        return None
    return d, d, "day", explicit, _ko_relative(m)


def _ko_quarter(m: re.Match[str], as_of: date) -> Resolved | None:
    q = int(m.group("q"))
    if not 1 <= q <= 4:
        return None
    year = _ko_year(m, as_of)
    start, end = _quarter(year if year is not None else _latest_quarter(as_of, q), q)
    return start, end, "quarter", year is not None, _ko_relative(m)


def _ko_half(m: re.Match[str], as_of: date) -> Resolved | None:
    year = _ko_year(m, as_of)
    first = m.group("h") == "상"
    y = year if year is not None else (as_of.year if first or as_of.month >= 7 else as_of.year - 1)
    start, end = (date(y, 1, 1), date(y, 6, 30)) if first else (date(y, 7, 1), date(y, 12, 31))
    return start, end, "half", year is not None, _ko_relative(m)


def _ko_month(m: re.Match[str], as_of: date) -> Resolved | None:
    month = int(m.group("m"))
    if not 1 <= month <= 12:
        return None
    year = _ko_year(m, as_of)
    past = bool(m.groupdict().get("past"))
    start, end = _month(year if year is not None else _latest_month(as_of, month, past), month)
    return start, end, "month", year is not None, _ko_relative(m)


def _days_ago(n: int, as_of: date) -> Resolved:
    d = as_of - timedelta(days=n)
    return d, d, "day", True, True


def _fixed(fn: Callable[[date], tuple[date, date]], kind: Granularity) -> Callable:
    def resolve(m: re.Match[str], as_of: date) -> Resolved:
        start, end = fn(as_of)
        return start, end, kind, True, True

    return resolve


def _en_number(word: str) -> int:
    return int(word) if word.isdigit() else _EN_NUMBERS[word.lower()]


def _weeks_ago(m: re.Match[str], as_of: date) -> Resolved:
    start, end = _week(as_of - timedelta(days=7 * _en_number(m["n"])))
    return start, end, "week", True, True


def _months_ago(m: re.Match[str], as_of: date) -> Resolved:
    index = as_of.year * 12 + as_of.month - 1 - _en_number(m["n"])
    start, end = _month(index // 12, index % 12 + 1)
    return start, end, "month", True, True


def _en_quarter(m: re.Match[str], as_of: date) -> Resolved | None:
    q_text = m.group("q") or m.group("qo")
    q = int(q_text) if q_text.isdigit() else _ORDINAL_Q[q_text.lower()]
    if not 1 <= q <= 4:
        return None
    year_text = m.group("y1") or m.group("y2")
    year = int(year_text) if year_text else None
    if m.group("rel"):
        year = as_of.year + (0 if m.group("rel").lower() == "this" else -1)
    start, end = _quarter(year if year is not None else _latest_quarter(as_of, q), q)
    return start, end, "quarter", year is not None, m.group("rel") is not None


def _en_month(m: re.Match[str], as_of: date) -> Resolved | None:
    month = _EN_MONTHS[m.group("mon").lower()]
    year = int(m.group("y")) if m.group("y") else None
    start, end = _month(year if year is not None else _latest_month(as_of, month), month)
    return start, end, "month", year is not None, False


def _ko(pattern: str) -> re.Pattern[str]:
    return re.compile(_KB + pattern)


# Most specific first: the first rule that matches anywhere in the question wins.
_RULES: list[Rule] = [
    (_ko(rf"(?:{_KO_YEAR}\s*)?(?P<m>\d{{1,2}})\s*월\s*(?P<d>\d{{1,2}})\s*일"), _ko_day),
    (_ko(rf"(?:{_KO_YEAR}\s*)?(?P<q>\d)\s*분기"), _ko_quarter),
    (_ko(rf"(?:{_KO_YEAR}\s*)?(?P<h>상|하)반기"), _ko_half),
    (_ko(rf"(?:{_KO_YEAR}\s*|(?P<past>지난)\s*)?(?P<m>\d{{1,2}})\s*월(?!\s*\d)"), _ko_month),
    (
        _ko(r"(?P<y>\d{4})\s*년(?!\s*(?:간|동안|대|만))"),
        lambda m, a: (*_year(int(m["y"])), "year", True, False),
    ),
    (_ko(r"(?:그저께|그제)"), lambda m, a: _days_ago(2, a)),
    (_ko(r"어제(?!\s*오늘)"), lambda m, a: _days_ago(1, a)),
    (_ko(r"(?:오늘(?!날)|금일)"), lambda m, a: _days_ago(0, a)),
    (
        _ko(r"(?P<n>\d{1,3}|하루|이틀|사흘|나흘|닷새|엿새|이레)\s*(?:일\s*)?(?:전|前)(?![가-힣])"),
        lambda m, a: _days_ago(int(m["n"]) if m["n"].isdigit() else _KO_NUMBERS[m["n"]], a),
    ),
    (_ko(r"(?P<n>\d{1,2})\s*주\s*전(?![가-힣])"), lambda m, a: _weeks_ago(m, a)),
    (_ko(r"(?P<n>\d{1,2})\s*(?:달|개월)\s*전(?![가-힣])"), lambda m, a: _months_ago(m, a)),
    (_ko(r"이번\s*주"), _fixed(_week, "week")),
    (_ko(r"(?:지난\s*주|저번\s*주)"), _fixed(lambda a: _week(a - timedelta(days=7)), "week")),
    (_ko(r"(?:이번\s*달|이달|금월)"), _fixed(lambda a: _month(a.year, a.month), "month")),
    (_ko(r"(?:지난\s*달|저번\s*달)" + _KO_NOT_COMPARED), _fixed(_prev_month, "month")),
    (_ko(r"(?:올해|금년)" + _KO_NOT_COMPARED), _fixed(lambda a: _year(a.year), "year")),
    (_ko(r"재작년" + _KO_NOT_COMPARED), _fixed(lambda a: _year(a.year - 2), "year")),
    (_ko(r"(?:작년|지난해)" + _KO_NOT_COMPARED), _fixed(lambda a: _year(a.year - 1), "year")),
    (
        re.compile(
            r"\b(?:Q(?P<q>[1-4])(?:\s*(?P<y1>\d{4}))?|(?P<qo>first|second|third|fourth|1st|2nd|"
            r"3rd|4th)\s+quarter(?:\s+of\s+(?:(?P<y2>\d{4})|(?P<rel>this|last)\s+year))?)\b",
            re.I,
        ),
        _en_quarter,
    ),
    (
        re.compile(
            rf"\b(?:[Ii]n\s+)?(?P<mon>{_MONTH_NAMES}|May(?=\s+\d{{4}}))(?:\s+(?P<y>\d{{4}}))?\b"
        ),
        _en_month,
    ),
    (
        re.compile(r"\b[Ii]n\s+(?P<y>(?:19|20)\d{2})\b"),
        lambda m, a: (*_year(int(m["y"])), "year", True, False),
    ),
    (re.compile(r"\bthe\s+day\s+before\s+yesterday\b", re.I), lambda m, a: _days_ago(2, a)),
    (re.compile(r"\byesterday\b", re.I), lambda m, a: _days_ago(1, a)),
    (re.compile(r"\btoday\b", re.I), lambda m, a: _days_ago(0, a)),
    (
        re.compile(rf"\b{_EN_NUMBER}\s+days?\s+ago\b", re.I),
        lambda m, a: _days_ago(_en_number(m["n"]), a),
    ),
    (re.compile(rf"\b{_EN_NUMBER}\s+weeks?\s+ago\b", re.I), lambda m, a: _weeks_ago(m, a)),
    (re.compile(rf"\b{_EN_NUMBER}\s+months?\s+ago\b", re.I), lambda m, a: _months_ago(m, a)),
    (re.compile(r"\bthis\s+week\b", re.I), _fixed(_week, "week")),
    (re.compile(r"\blast\s+week\b", re.I), _fixed(lambda a: _week(a - timedelta(days=7)), "week")),
    (re.compile(r"\bthis\s+month\b", re.I), _fixed(lambda a: _month(a.year, a.month), "month")),
    (re.compile(_EN_NOT_COMPARED + r"\blast\s+month\b", re.I), _fixed(_prev_month, "month")),
    (re.compile(r"\bthis\s+year\b", re.I), _fixed(lambda a: _year(a.year), "year")),
    (
        re.compile(_EN_NOT_COMPARED + r"\blast\s+year\b", re.I),
        _fixed(lambda a: _year(a.year - 1), "year"),
    ),
]

_RECENT = re.compile(
    r"최근|요즘|요새|최신|근래|가장\s*새로운|\b(?:recent|recently|latest|lately|newest|most\s+recent)\b",
    re.I,
)


def resolve_time_window(question: str, as_of: date) -> TimeWindow | None:
    """The period the question names, or a recency window for "최근/latest", or None."""
    for pattern, resolve in _RULES:
        for match in pattern.finditer(question):
            resolved = resolve(match, as_of)
            if resolved is not None:
                start, end, kind, explicit, relative = resolved
                phrase = match.group(0).strip()
                return TimeWindow(start, end, phrase, explicit, kind, relative and explicit)
    recent = _RECENT.search(question)
    if recent:
        start = as_of - timedelta(days=RECENT_DAYS)
        return TimeWindow(start, as_of, recent.group(0), False, "recent")
    return None


def wants_recent(question: str) -> bool:
    return bool(_RECENT.search(question))


__all__ = ["RECENT_DAYS", "Granularity", "TimeWindow", "resolve_time_window", "wants_recent"]
