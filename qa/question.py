"""What a question asks for: its content morphemes and the expected answer type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from index.lexical import MorphemeAnalyzer
from index.text import is_korean
from qa.keys import KeyText
from qa.transliteration import latin_names

AnswerType = Literal["number", "date", "person", "place", "other"]

# Order matters: "몇 년" asks for a date, "몇 명" for a number, "며칠간" for a duration.
_KO_RULES: list[tuple[re.Pattern[str], AnswerType]] = [
    (re.compile(r"며칠\s*(?:간|동안)"), "number"),
    (
        re.compile(
            r"언제|몇\s*(?:년|월|일|시|세기|년도)(?!\s*(?:간|동안|만|째))|며칠|연도|날짜|일자|"
            r"시기|시점|시간대|기간은|해는|해에"
        ),
        "date",
    ),
    (
        re.compile(
            r"몇|얼마|액수|규모는|수는|비율|"
            # a measurement asks for a quantity: "사해의 깊이는?", "자외선의 파장은?"
            r"(?:길이|높이|깊이|넓이|면적|너비|무게|거리|속도|온도|인구|파장|크기)(?:는|은|가)?\s*\??$"
        ),
        "number",
    ),
    (re.compile(r"누구|누가|인물|사람은|선수는|감독은|대통령은|의장은|회장은"), "person"),
    (re.compile(r"어디|장소|지역은|나라는|도시는|국가는|어느\s*(?:나라|지역|도시|국가)"), "place"),
]
_EN_RULES: list[tuple[re.Pattern[str], AnswerType]] = [
    (re.compile(r"\bwhen\b|\bwhat (?:year|date|day|month)\b", re.I), "date"),
    (
        re.compile(r"\bhow (?:many|much|long|far|big|old)\b|\bwhat (?:percentage|share)\b", re.I),
        "number",
    ),
    (re.compile(r"\bwho(?:m|se)?\b", re.I), "person"),
    (re.compile(r"\bwhere\b", re.I), "place"),
]


# The unit a "몇 <counter>" question counts in ("몇 명" -> 명), and how a sentence may
# write it. Longer counters first; any other single syllable after 몇 is taken as is.
_COUNTER = re.compile(
    r"몇\s*(번째|인조|부작|관왕|퍼센트|프로|광년|미터|킬로미터|경기|[가-힣])|(며칠)"
)
_COUNTER_FORMS = {
    "퍼센트": r"%|퍼센트|프로",
    "프로": r"%|퍼센트|프로",
    "미터": r"m\b|미터",
    "킬로미터": r"km|킬로미터",
    "도": r"도|℃",
    "며칠": r"일",
    "살": r"살|세",
    "세": r"살|세",
}
_NUMERAL = (
    r"(?:\d[\d,.]*|[일이삼사오육칠팔구십백천만억]+|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|"
    r"열한|열두|스무|첫)"
)


# A question that asks for a sum of money ("인수 가격은 얼마야?", "How much is Northwind
# paying?"): its answer is written with a currency, in either language ("$8.4 billion",
# "12조 1,000억 원", "960만 파운드"); "how much" alone also asks for rises and shares.
_MONEY_ASKED = re.compile(
    r"(?:가격|금액|비용|액수|매출액?|영업이익|순이익|이익|예산|투자액|투자금|이적료|몸값|연봉|"
    r"주급|상금|인수가|시가총액|판매가|값)(?:은|는|이|가)?\s*"
    r"(?:얼마(?!나\s*(?:올|오르|내|떨어|상승|하락|증가|감소|늘|줄))|몇)|"
    r"얼마(?:에|를\s*(?:주고|들여|지불|투자|받))|"
    r"\b(?:what|how much)\b(?!.*\b(?:percent|percentage|share|rate|ratio)\b).*\b(?:pay|paid|"
    r"paying|pays|cost|costs|costing|price|priced|spend|spent|spending|worth|invest|invested|"
    r"investing|raise|raised|fee|fees|sell|sold|buy|bought|charge|charges|earn|earned|revenue|"
    r"profit|sales|salary)\b",
    re.I,
)
_CURRENCY = re.compile(
    r"(?:US\$|\$|€|£|¥|₩)\s*\d[\d,.]*(?:\s*(?:million|billion|trillion)\b)?|"
    rf"{_NUMERAL}\s*(?:[만억조]\s*(?:[\d,.]+\s*[만억조천]?\s*)*)?(?:천\s*)?"
    r"(?:million|billion|trillion)?\s*"
    r"(?:원|달러|유로|엔|파운드|위안|프랑|dollars?|euros?|pounds?|yen|won|yuan)"
    # a particle may follow (원으로, 달러를), another syllable may not (원전, 엔진)
    r"(?:(?=으로|로|을|를|이|가|은|는|의|에|와|과|씩|대|가량|정도|어치|짜리|선|수준)|(?![가-힣a-z]))",
    re.I,
)


def counter_pattern(question: str) -> re.Pattern[str] | None:
    """A pattern for a number in the unit the question counts in (a currency when it asks
    for money), or None."""
    match = _COUNTER.search(question)
    if not match:
        return _CURRENCY if _MONEY_ASKED.search(question) else None
    counter = match.group(1) or match.group(2)
    forms = _COUNTER_FORMS.get(counter, re.escape(counter))
    return re.compile(rf"{_NUMERAL}\s*(?:만\s*)?(?:{forms})")


def answer_type(question: str) -> AnswerType:
    for pattern, kind in _KO_RULES + _EN_RULES:
        if pattern.search(question):
            return kind
    return "other"


@dataclass(frozen=True)
class ParsedQuestion:
    text: str
    kind: AnswerType
    terms: tuple[str, ...]  # content morphemes (forms)
    # Names and numbered things ("LG전자", "Boston", "2분기"): an answer must be about them.
    keys: tuple[str, ...] = ()
    # For "몇 명/개/위…" questions: a number in that unit.
    counter: re.Pattern[str] | None = None
    # Capitalised word groups of a question in Latin script ("Kim Min-hee"), for matching
    # names across scripts (qa/transliteration.py); empty for a Korean question.
    latin_names: tuple[str, ...] = ()
    # Where the terms stand in ``text``, as (start, end): the words late interaction
    # weighs (qa/late_interaction.py), not "이번", "누가" or "how many".
    term_spans: tuple[tuple[int, int], ...] = ()


def parse_question(question: str, analyzer: MorphemeAnalyzer) -> ParsedQuestion:
    # Interrogatives are not content: "누구", "얼마", "몇", "what"...
    stop = {
        "누구",
        "얼마",
        "몇",
        "무엇",
        "어디",
        "언제",
        "어느",
        "무슨",
        "what",
        "which",
        "who",
        "when",
        "where",
        "how",
        "many",
        "much",
        "the",
        "is",
        "was",
        "did",
        "does",
        "do",
        "are",
        "were",
        "of",
        "in",
        "a",
        "an",
        "to",
        "for",
        "and",
        "on",
        "at",
        "by",
        "it",
        "they",
        "that",
        "this",
        "with",
        "from",
        "be",
        "will",
        "has",
        "have",
    }
    tokens = analyzer.tokens(question)
    content = [
        (form, t) for form, t in analyzer.content(tokens) if form not in stop and form.strip()
    ]
    terms = tuple(form for form, _ in content)
    term_spans = tuple((t.start, t.start + t.len) for _, t in content)
    keys: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.tag == "NNP" and len(tok.form) > 1:
            keys.append(tok.form)
        elif tok.tag == "SL" and len(tok.form) > 1 and tok.form.lower() not in stop:
            # Capitalized Latin words are names; lower-case ones are ordinary English words.
            if tok.form[0].isupper() or not question.isascii():
                keys.append(tok.form)
        elif tok.tag == "SN":
            nxt = tokens[i + 1] if i + 1 < len(tokens) else None
            after = tokens[i + 2].form if i + 2 < len(tokens) else ""
            if after in ("전", "후", "만", "뒤"):
                continue  # "1년 전", "3일 만에": a relative time, not a thing named
            if nxt is not None and nxt.tag in ("NNB", "NNG") and nxt.start == tok.start + tok.len:
                keys.append(tok.form + nxt.form)
            elif len(tok.form) >= 3:
                keys.append(tok.form)
    kind = answer_type(question)
    return ParsedQuestion(
        question,
        kind,
        terms,
        tuple(dict.fromkeys(keys)),
        counter_pattern(question) if kind == "number" else None,
        () if is_korean(question) else tuple(latin_names(question)),
        term_spans,
    )


def missing_keys(question: ParsedQuestion, evidence: str) -> list[str]:
    """Key terms of the question that the evidence text does not mention, though it is
    written in their script (a Latin name over a Korean article is not known missing)."""
    text = KeyText(evidence)
    return [k for k in question.keys if text.status(k) is False]
