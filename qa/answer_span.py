"""Where in a quote the answer is: the number in the unit asked for, the date, the name.

The span is found with the same answer-type cues that rank sentences (qa/selection.py,
qa/question.py); what the question itself already says is not the answer, so a number,
date or name that occurs in the question is passed over. No span (None) is better than a
wrong one: an "other" question, or a number in the wrong unit, gets none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

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
# A quantity with its unit: "12조 1,000억 원", "40만 2,000톤", "26만 장", "31.8%",
# "1.75%포인트", "$8.4 billion", "960만 파운드", "2.14 million", "약 2주".
_UNIT = (
    r"%\s*포인트|%p|%|퍼센트|원|달러|파운드|유로|엔|위안|명|개월|개|장|편|기|곳|건|번|배|위|세|살|"
    r"톤|대|채|가구|척|마리|그루|경기|승|패|골|점|층|주일?|시간|분|초|℃|도|"
    r"(?:km|mm|cm|kg|m|TEU|MW|GW|GWh|MWh)(?![A-Za-z])"
)
_QUANTITY = re.compile(
    r"(?P<sign>[$€£₩])?\d[\d,]*(?:\.\d+)?"
    r"(?P<scale>\s*(?:조|억|만|천)(?:\s*\d[\d,]*(?:\.\d+)?\s*(?:조|억|만|천)?)*)?"
    r"(?P<word>\s*(?:trillion|billion|million|thousand)\b)?"
    rf"(?P<unit>\s*(?:{_UNIT}))?"
    r"(?P<percent>\s*(?:percent|per cent)\b)?"
)
_MARKS = ("sign", "scale", "word", "unit", "percent")
_SENTENCE_END = re.compile(r"(?<=[.!?。])\s+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_YEAR = re.compile(r"(?:1[0-9]|20)\d{2}")
_FOOTNOTE = re.compile(r"\[\d+\]")
# "How many turbines ...": the thing counted, to find the number written before it.
_HOW_MANY = re.compile(r"\bhow many ([a-z]+)", re.I)
_EN_NUMBER = (
    r"(?:\d[\d,]*(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"twenty|thirty|forty|fifty|hundreds|thousands|dozens)"
    r"(?:\s+(?:hundred|thousand|million|billion))?"
)
# A question for a total wants the number written as one ("…12기 등 모두 13기").
_TOTAL_ASKED = re.compile(r"총|모두|전체|합계|합쳐|\bin total\b|\baltogether\b|\ball\b", re.I)
_TOTAL_BEFORE = re.compile(r"(?:총|모두|전체|합계|등|all|total(?: of)?)\s*$", re.I)
# "언제까지" wants the date written with 까지; "언제부터" the one with 부터.
_UNTIL_ASKED = re.compile(r"까지|\buntil\b|\btill\b|\bthrough\b", re.I)
_UNTIL_AFTER = re.compile(r"^\s*까지")
_UNTIL_BEFORE = re.compile(r"(?:until|till|through)\s*$", re.I)
_SINCE_ASKED = re.compile(r"부터|\bsince\b|\bfrom when\b", re.I)
_SINCE_AFTER = re.compile(r"^\s*부터")
_SINCE_BEFORE = re.compile(r"(?:since|from)\s*$", re.I)
# A title after a name, written apart from it ("윤정호 후보"): glued on, it makes an office
# of a place ("강릉시장", the mayor of Gangneung). Only 씨 is often written on.
_PERSON_AFTER = re.compile(
    r"\s+(?:대통령|총리|장관|의원|회장|대표|사장|부회장|CEO|감독|선수|관장|시장|위원장|교수|박사|"
    r"씨|작가|가수|배우|당선인|후보|총재|원장|청장|코치|기자)|씨"
)
_PLACE_END = re.compile(
    r"(?:시|도|군|구|동|읍|면|역|항|공항|돔|경기장|센터|대학교?|섬|산|강|호|국|City|Port|Airport|"
    r"Stadium|University)$"
)
# Capitalised at the start of a sentence, not a name.
_NOT_NAMES = frozenset(
    (  # noqa: SIM905 (one string reads better than 56 quoted words)
        "A An The In On At By For From To Of As It Its He She His Her They Their This That "
        "These Those There Then But And Or So If When While After Before With Without About "
        "Over Under Since During Also However More Most Some Many Each Every All Both Mr Mrs "
        "Ms Dr"
    ).split()
)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _new(
    matches: Iterable[re.Match[str]], question: ParsedQuestion, quote: str
) -> list[tuple[int, int]]:
    """The matches, trimmed, that are not footnote markers and that the question does
    not already contain, in the quote's sentence that shares most of the question's
    words (a quote of two sentences: "관람객이 45% …. 외국인 관람객도 38% 증가했다")."""
    asked = _squash(question.text)
    footnotes = [m.span() for m in _FOOTNOTE.finditer(quote)]
    out = []
    for m in matches:
        text = m.group(0).strip()
        if not text or any(a <= m.start() < b for a, b in footnotes):
            continue
        if _squash(text) in asked:
            continue
        end = m.start() + len(m.group(0).rstrip())
        out.append((end - len(text), end))
    return _best_sentence(out, question, quote)


def _best_sentence(
    spans: list[tuple[int, int]], question: ParsedQuestion, quote: str
) -> list[tuple[int, int]]:
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(quote)), len(quote) + 1]
    if len(bounds) <= 2 or not spans:
        return spans

    def sentence(span: tuple[int, int]) -> int:
        return next(i for i in range(len(bounds) - 1) if span[0] < bounds[i + 1])

    def shared(i: int) -> int:
        # Longer terms weigh more, as in sentence selection: 외국인 says more than 늘.
        text = quote[bounds[i] : bounds[i + 1]].lower()
        return sum(len(t) for t in question.terms if t.lower() in text)

    scores = {i: shared(i) for i in {sentence(s) for s in spans}}
    best = max(scores.values())
    return [s for s in spans if scores[sentence(s)] == best]


def _prefer(
    spans: Sequence[tuple[int, int]],
    quote: str,
    before: re.Pattern[str] | None = None,
    after: re.Pattern[str] | None = None,
) -> tuple[int, int] | None:
    """The first span with the wanted word just before or after it, else None."""
    for start, end in spans:
        if before is not None and before.search(quote[max(0, start - 12) : start]):
            return start, end
        if after is not None and after.search(quote[end : end + 6]):
            return start, end
    return None


def _date_span(parsed: ParsedQuestion, quote: str) -> tuple[int, int] | None:
    question = parsed.text
    spans = _new(_DATE.finditer(quote), parsed, quote)
    if not spans:
        return None
    if _UNTIL_ASKED.search(question):
        return _prefer(spans, quote, _UNTIL_BEFORE, _UNTIL_AFTER) or spans[0]
    if _SINCE_ASKED.search(question):
        return _prefer(spans, quote, _SINCE_BEFORE, _SINCE_AFTER) or spans[0]
    return spans[0]


def _pick_number(spans: list[tuple[int, int]], question: str, quote: str) -> tuple[int, int] | None:
    if not spans:
        return None
    if _TOTAL_ASKED.search(question):
        return _prefer(spans, quote, _TOTAL_BEFORE) or spans[-1]
    return spans[0]


def _widen(span: tuple[int, int], quote: str) -> tuple[int, int]:
    """The whole quantity a counter match ends ("12조 1,000억 원", not "1,000억 원")."""
    for m in _QUANTITY.finditer(quote):
        if m.start() <= span[0] < m.end() and m.end() >= span[1]:
            return m.start(), len(quote[: m.end()].rstrip())
    return span


def _number_span(question: ParsedQuestion, quote: str) -> tuple[int, int] | None:
    text = question.text
    if question.counter is not None:
        span = _pick_number(_new(question.counter.finditer(quote), question, quote), text, quote)
        return _widen(span, quote) if span else None
    counted = _HOW_MANY.search(text)
    if counted:
        stem = re.escape(counted.group(1).lower().rstrip("s")[:5])
        noun = re.compile(rf"\b{_EN_NUMBER}\s+(?:[a-z-]+\s+)?{stem}[a-z]*", re.I)
        span = _pick_number(_new(noun.finditer(quote), question, quote), text, quote)
        if span:
            return span
    matches = list(_QUANTITY.finditer(quote))
    marked = [m for m in matches if any(m.group(g) for g in _MARKS)]
    span = _pick_number(_new(marked, question, quote), text, quote)
    if span is None and text.isascii() and not _HANGUL.search(quote):
        # English units are often words ("80 turbines"): a bare number, not a year.
        bare = [m for m in matches if not _YEAR.fullmatch(m.group(0).strip())]
        span = _pick_number(_new(bare, question, quote), text, quote)
    return span


def _name_span(
    names: Iterable[str], question: ParsedQuestion, quote: str
) -> tuple[int, int] | None:
    asked = _squash(question.text)
    wanted = {
        n
        for n in names
        if len(n) > 1
        and n not in _NOT_NAMES
        and _squash(n) not in asked
        and n not in question.terms
    }
    found: list[tuple[int, int]] = []
    for name in wanted:
        found.extend(m.span() for m in re.finditer(re.escape(name), quote))
    if not found:
        return None
    # "Daniel" + " " + "Kiprono": a name written as several words is one answer.
    longest: dict[int, int] = {}
    for start, end in found:
        longest[start] = max(end, longest.get(start, end))
    runs: list[tuple[int, int]] = []
    for start in sorted(longest):
        end = longest[start]
        if runs and runs[-1][1] + 1 == start and quote[runs[-1][1]] == " ":
            runs[-1] = (runs[-1][0], end)
        elif not runs or start >= runs[-1][1]:
            runs.append((start, end))
    # The kind of name asked for first: a person with a title after the name
    # ("이재명 대통령") or written in several words ("Daniel Kiprono"); a place with a
    # place ending ("성동구", "고척스카이돔").
    if question.kind == "person":
        typed = [
            r
            for r in runs
            if _PERSON_AFTER.match(quote[r[1] : r[1] + 8]) or " " in quote[r[0] : r[1]]
        ]
    else:
        typed = [r for r in runs if _PLACE_END.search(quote[r[0] : r[1]])]
    runs = _best_sentence(runs, question, quote)
    typed = [r for r in typed if r in runs]
    return (typed or runs)[0]


def find_answer_span(
    question: ParsedQuestion, quote: str, names: Iterable[str] = ()
) -> AnswerSpan | None:
    """The span of the answer in ``quote`` for the question's answer type, or None.
    ``names`` are the proper nouns of the quoted sentences (stored at build time)."""
    span: tuple[int, int] | None = None
    if question.kind == "date":
        span = _date_span(question, quote)
    elif question.kind == "number":
        span = _number_span(question, quote)
    elif question.kind in ("person", "place"):
        span = _name_span(names, question, quote)
    if span is None or span[0] >= span[1]:
        return None
    return AnswerSpan(*span)
