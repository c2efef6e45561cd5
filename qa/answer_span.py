"""Where in a quote the answer is: the number in the unit asked for, the date, the name.

The span is found with the same answer-type cues that rank sentences (qa/selection.py,
qa/question.py); what the question itself already says is not the answer, so a number,
date or name that occurs in the question is passed over. No span (None) is better than a
wrong one: an "other" question, or a number in the wrong unit, gets none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from qa.question import ParsedQuestion
from qa.types import AnswerSpan

_MONTHS = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
# The longest date written: "2006년 9월 23일", "1990년 10월 3일", "18세기", "1980년대",
# "October 3, 2025", "3 October", "오후 3시", a bare year "1871".
_DATE = re.compile(
    r"(?:기원전\s*|기원후\s*)?\d{1,4}\s*년(?:대)?(?:\s*\d{1,2}\s*월)?(?:\s*\d{1,2}\s*일)?"
    r"|\d{1,2}\s*월(?:\s*\d{1,2}\s*일)?|\d{1,2}\s*일(?=[^가-힣]|$|[에까부은는의])"
    r"|\d{1,2}\s*세기"
    rf"|{_MONTHS}\s+\d{{1,2}}(?:,\s*\d{{4}})?|\d{{1,2}}\s+{_MONTHS}(?:\s+\d{{4}})?"
    rf"|{_MONTHS}\s+\d{{4}}"
    r"|(?:오전|오후|새벽|저녁|밤)\s*\d{1,2}\s*시(?:\s*\d{1,2}\s*분)?(?:경|께|쯤)?"
    r"|\b(?:1[0-9]|20)\d{2}\b"
)
# A quantity with its unit: "12조 1,000억 원", "26만 장", "31.8%", "1.75%포인트",
# "$8.4 billion", "960만 파운드", "2.14 million", "80 turbines" (unit left out there).
_UNIT = (
    r"%\s*포인트|%p|%|퍼센트|원|달러|파운드|유로|엔|위안|명|개|장|편|기|곳|건|번|배|위|세|살|"
    r"톤|대|채|가구|척|마리|그루|경기|승|패|골|점|층|km|mm|cm|kg|m|TEU|MW|GW|℃|도"
)
_QUANTITY = re.compile(
    r"(?P<sign>[$€£₩])?\d[\d,]*(?:\.\d+)?"
    r"(?P<scale>\s*(?:조|억|만|천)(?:\s*\d[\d,]*(?:\.\d+)?\s*(?:억|만|천))*)?"
    r"(?P<word>\s*(?:trillion|billion|million|thousand)\b)?"
    rf"(?P<unit>\s*(?:{_UNIT}))?"
    r"(?P<percent>\s*(?:percent|per cent)\b)?"
)
_YEAR = re.compile(r"(?:1[0-9]|20)\d{2}")
_FOOTNOTE = re.compile(r"\[\d+\]")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _first_new(
    matches: Iterable[re.Match[str]], question: str, quote: str
) -> tuple[int, int] | None:
    """The first match that is not a footnote marker and that the question does not
    already contain."""
    asked = _squash(question)
    footnotes = [m.span() for m in _FOOTNOTE.finditer(quote)]
    for m in matches:
        start, end = m.span()
        text = m.group(0).strip()
        if not text or any(a <= start < b for a, b in footnotes):
            continue
        if _squash(text) in asked:
            continue
        # Trailing spaces are not part of the answer.
        end = start + len(m.group(0).rstrip())
        start = end - len(text)
        return start, end
    return None


def _name_span(
    names: Iterable[str], question: ParsedQuestion, quote: str
) -> tuple[int, int] | None:
    asked = _squash(question.text)
    wanted = sorted(
        {n for n in names if len(n) > 1 and _squash(n) not in asked and n not in question.terms},
        key=len,
        reverse=True,
    )
    best: tuple[int, int] | None = None
    for name in wanted:
        at = quote.find(name)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, at + len(name))
    if best is None:
        return None
    # "Daniel" + " " + "Kiprono": a name written as several words is one answer.
    start, end = best
    extended = True
    while extended:
        extended = False
        for name in wanted:
            if quote.startswith(" " + name, end):
                end += 1 + len(name)
                extended = True
                break
    return start, end


def _quantity_span(question: ParsedQuestion, quote: str) -> tuple[int, int] | None:
    """A number with its unit, currency or scale ("86조 원", "$1,299", "320mm"); for an
    English question, where units are often words ("80 turbines"), a bare number that is
    not a year will do when there is none."""
    matches = list(_QUANTITY.finditer(quote))
    marked = [
        m for m in matches if any(m.group(g) for g in ("sign", "scale", "word", "unit", "percent"))
    ]
    span = _first_new(marked, question.text, quote)
    if span is None and question.text.isascii():
        bare = [m for m in matches if not _YEAR.fullmatch(m.group(0).strip())]
        span = _first_new(bare, question.text, quote)
    return span


def find_answer_span(
    question: ParsedQuestion, quote: str, names: Iterable[str] = ()
) -> AnswerSpan | None:
    """The span of the answer in ``quote`` for the question's answer type, or None.
    ``names`` are the proper nouns of the quoted sentences (stored at build time)."""
    span: tuple[int, int] | None = None
    if question.kind == "date":
        span = _first_new(_DATE.finditer(quote), question.text, quote)
    elif question.kind == "number":
        if question.counter is not None:
            span = _first_new(question.counter.finditer(quote), question.text, quote)
            if span is not None:
                # The counter pattern stops at the unit; take the whole quantity it ends
                # ("12조 1,000억 원" rather than "1,000억 원").
                for m in _QUANTITY.finditer(quote):
                    if m.start() <= span[0] < m.end() and m.end() >= span[1]:
                        span = (m.start(), m.end())
                        break
        else:
            span = _quantity_span(question, quote)
    elif question.kind in ("person", "place"):
        span = _name_span(names, question, quote)
    if span is None or span[0] >= span[1]:
        return None
    return AnswerSpan(*span)
