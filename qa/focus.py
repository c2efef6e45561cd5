"""The focus of a question, and whether a quote speaks to it (issue 11, §2).

Confidence today measures how much a quote overlaps the question, not whether it answers
it: "엔비디아의 현재 주가는 얼마인가?" was answered with the sentence about the GPU supply,
"오늘 서울 날씨는 어때?" with "서울은 대한민국의 수도이자 최대도시이다". What is asked for
(주가, 날씨, a forecast), when (now, in the future), the answer type and the key terms
(names, numbered things) are checked here against the quote and its passage.

Korean and English alike: the topic and time words are kept in both languages, so an
English question about a share price looks for 주가 in a Korean quote. A key term is never
required across scripts: "Nvidia" cannot be looked up in a Korean passage that writes
엔비디아, so it counts as unknown there, not as missing.

Not wired into the threshold yet: :func:`check_focus` gives features for the confidence
model to be fitted (issue 11, §4).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from qa.answer_span import find_answer_span, number_owner
from qa.keys import KeyText, main_script, qualifier_conflict
from qa.question import ParsedQuestion

# What may be asked for that a news archive rarely answers as asked: each topic's words in
# Korean and English, in the question and in the evidence alike.
_TOPICS: dict[str, re.Pattern[str]] = {
    "price": re.compile(
        # Whole words where a longer word or a particle hides them: "몇 개의 주가 있는가"
        # counts states (주 + 가), "분비가" and "유비가" are no rain, "연기상" no weather.
        r"(?<![가-힣])주가(?!\s*(?:있|없))|주식|시세|가격|값|환율|요금|시가총액|티켓|"
        # "share" alone is a proportion ("what share of ..."); "share price" is a price.
        r"\b(?:prices?|priced|stocks?|exchange rates?|costs?|trading at|worth|fares?|"
        r"tickets?|valuation|market cap\w*)\b",
        re.I,
    ),
    "weather": re.compile(
        r"날씨|기온|강수|강우|(?<![가-힣])(?:비가|비 와|비와|눈이|기상)|미세먼지|황사|바람|습도|"
        r"폭염|한파|일기예보|"
        # "wind farm", "wind power" are energy, not weather.
        r"\b(?:weather|temperatures?|rain\w*|snow\w*|forecast|humid\w*|dust|heat ?wave)\b|"
        r"\bwind(?:s|y)?\b(?! (?:farms?|turbines?|power|energy))",
        re.I,
    ),
}
# A moment the archive cannot know ("지금", "today") ...
_MOMENT = re.compile(
    r"지금|오늘|요즘|요새|실시간|방금|이번 주말?|당장|"
    r"\b(?:now|today|tonight|currently|at the moment|this (?:week|weekend))\b",
    re.I,
)
# ... of something that changes by the minute, which only that day's article could tell:
# a price or the weather (the topics above), whether a line runs late or a place is open,
# a live score, the clock. "지금 기준금리" asks for a state a dated article still reports.
_LIVE = re.compile(
    r"지연|결항|운행|운항|문\s*(?:을\s*)?(?:열|닫)|열었|닫았|영업\s*중|혼잡|붐비|대기|막히|정체|"
    r"중계|스코어|점수|이기고|지고 있|얼마에\s*(?:팔|사)|"
    r"몇\s*대\s*몇|몇\s*시\s*(?:야|예요|인가|지)|"
    r"\b(?:open|closed|delay\w*|running late|traffic|crowded|waiting|queues?|scores?|"
    r"winning|losing|raining|snowing|what time is it)\b",
    re.I,
)
# ... a present state, which a dated article can still tell ("스페인의 현재 국왕") ...
_CURRENT = re.compile(r"현재|현 |\bcurrent\b|\bpresent\b", re.I)
# ... and a prediction.
_FUTURE = re.compile(
    # "우승할까" asks for a prediction; "무엇이라고 할까", "결합되기도 할까" ask what is.
    r"(?:오를|내릴|떨어질|될|올|갈|늘|줄|이길|팔릴|나올)까|(?<!라고 )(?<!기도 )할까|"
    r"전망|예상|예측|앞으로|내년|내일|"
    r"다음\s*(?:달|주|해|시즌|분기|앨범|작품|경기|대회|선거|회의|결정|모델|제품)|"
    # "How many GPUs will Naver get?" asks about a plan an article states; "Will ...?"
    # and a price moving ask for a prediction.
    r"^\s*(?:will|is it going to|are .* going to)\b|"
    r"\bwill\b.*\b(?:go (?:up|down)|rise|fall|drop|climb|recover|win|sell well)\b|"
    # "다음 앨범" and "the next election" ask about an event still to come.
    r"\b(?:forecast|outlook|predict\w*|tomorrow|next (?:year|month|week|season|quarter|"
    r"album|film|game|match|election|meeting|decision|model|release))\b",
    re.I,
)
# Evidence that a sentence states a prediction or plan.
_PREDICTION = re.compile(
    r"전망|예상|예측|관측|것으로 보인다|것으로 보고|계획|예정|할 것|될 것|이어질 것|"
    r"\b(?:expect\w*|forecast\w*|predict\w*|will|plans?|planned|outlook|projected)\b",
    re.I,
)


@dataclass(frozen=True)
class QuestionFocus:
    """What a question asks for, from its words alone."""

    topic: str | None  # "price", "weather" or None
    asks_moment: bool  # now / today: an archive cannot know ...
    asks_live: bool  # ... when it changes by the minute (a price, the weather, a delay)
    asks_current: bool  # the present state (현재 / current)
    asks_future: bool  # a prediction (오를까, 전망, will)
    answer_type: str  # number, date, person, place, title, other (qa/question.py)
    keys: tuple[str, ...]  # names and numbered things the answer must be about


@dataclass(frozen=True)
class FocusEvidence:
    """How a quote (and its passage) meets a question's focus. ``None``: cannot tell."""

    focus: QuestionFocus
    topic_in_quote: bool | None  # None when the question has no topic
    topic_in_passage: bool | None
    prediction_in_quote: bool | None  # None unless the question asks for a prediction
    answer_in_quote: bool | None  # the answer type finds a span; None for "other"
    keys_found: int
    keys_missing: int
    keys_unknown: int  # written in another script than the passage
    # The article names another quarter, measure, place or event year than the one asked,
    # never that one, or no measure or world at all where one is asked (qa/keys.py:
    # qualifier_conflict).
    qualifier_conflict: bool = False
    # The number quoted is another's than the one asked about ("DataHarbor's 3,200
    # employees" for Northwind's; qa/answer_span.py: number_owner): that name, or None.
    other_owner: str | None = None
    # A "몇 살 / how many employees" question over an article in its own script with no
    # number in the unit asked; None when nothing is counted or the scripts differ.
    counter_unmet: bool | None = None

    def features(self) -> dict[str, float]:
        """Numbers for a learned confidence model: 1 yes, 0 no, 0.5 cannot tell (or not
        asked), and shares of the keys."""

        def tri(value: bool | None) -> float:
            return 0.5 if value is None else float(value)

        n_keys = self.keys_found + self.keys_missing + self.keys_unknown
        return {
            "asks_topic": float(self.focus.topic is not None),
            "topic_in_quote": tri(self.topic_in_quote),
            "topic_in_passage": tri(self.topic_in_passage),
            "asks_moment": float(self.focus.asks_moment),
            "asks_live": float(self.focus.asks_live),
            "asks_current": float(self.focus.asks_current),
            "asks_future": float(self.focus.asks_future),
            "prediction_in_quote": tri(self.prediction_in_quote),
            "answer_in_quote": tri(self.answer_in_quote),
            "keys_found": self.keys_found / n_keys if n_keys else 1.0,
            "keys_missing": self.keys_missing / n_keys if n_keys else 0.0,
            "keys_unknown": self.keys_unknown / n_keys if n_keys else 0.0,
            # The quote answers a neighbouring question, either way.
            "qualifier_conflict": float(self.qualifier_conflict or self.other_owner is not None),
            "counter_unmet": float(bool(self.counter_unmet)),
        }


def question_focus(question: ParsedQuestion) -> QuestionFocus:
    text = question.text
    topic = next((name for name, pattern in _TOPICS.items() if pattern.search(text)), None)
    return QuestionFocus(
        topic=topic,
        asks_moment=bool(_MOMENT.search(text)),
        asks_live=topic is not None or bool(_LIVE.search(text)),
        asks_current=bool(_CURRENT.search(text)),
        asks_future=bool(_FUTURE.search(text)),
        answer_type=question.kind,
        keys=question.keys,
    )


def check_focus(
    question: ParsedQuestion,
    quote: str,
    passage: str = "",
    names: Iterable[str] = (),
    article: str = "",
) -> FocusEvidence:
    """The question's focus checked against a quote, the passage around it and its
    article (the passage should contain the quote and the article the passage; when
    empty, the quote stands for the passage and the passage for the article)."""
    focus = question_focus(question)
    passage = passage or quote
    topic_pattern = _TOPICS.get(focus.topic) if focus.topic else None
    passage_keys = KeyText(passage)
    statuses = [passage_keys.status(k) for k in focus.keys]
    article = article or passage
    counter_unmet = None
    if question.counter is not None and main_script(article) == main_script(question.text):
        counter_unmet = question.counter.search(article) is None
    span = (
        None
        if focus.answer_type == "other"
        else find_answer_span(question, quote, names, strict=False)
    )
    return FocusEvidence(
        focus=focus,
        topic_in_quote=bool(topic_pattern.search(quote)) if topic_pattern else None,
        topic_in_passage=bool(topic_pattern.search(passage)) if topic_pattern else None,
        prediction_in_quote=bool(_PREDICTION.search(quote)) if focus.asks_future else None,
        answer_in_quote=None if focus.answer_type == "other" else span is not None,
        keys_found=sum(s is True for s in statuses),
        keys_missing=sum(s is False for s in statuses),
        keys_unknown=sum(s is None for s in statuses),
        qualifier_conflict=qualifier_conflict(question.text, article),
        other_owner=number_owner(question, quote, span, names),
        counter_unmet=counter_unmet,
    )
