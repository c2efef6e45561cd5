"""Sentence splitting with offsets into canonical text (Kiwi for Korean, rules otherwise)."""

from __future__ import annotations

import pytest

from index.passages import plan_passages
from index.readers import read_sources
from index.sentences import SentenceSplitter
from index.text import canonicalize
from service.components import Components
from tests.helpers import SAMPLE_DIR, span_problems


@pytest.fixture(scope="module")
def splitter(components: Components) -> SentenceSplitter:
    return components.splitter


def sentences(splitter: SentenceSplitter, text: str) -> list[str]:
    spans = splitter.split(text)
    assert span_problems(text, spans) == []
    return [text[s.start : s.end] for s in spans]


CASES = {
    "english abbreviations and decimals": (
        'The U.S. economy grew 3.5% in the third quarter, Dr. Kim said on Monday. "We expect '
        '2.1% next year," she added. Prices rose 0.4% in Sept. after a flat August. Is that '
        "enough? Analysts at Acme Inc. doubt it!",
        [
            "The U.S. economy grew 3.5% in the third quarter, Dr. Kim said on Monday.",
            '"We expect 2.1% next year," she added.',
            "Prices rose 0.4% in Sept. after a flat August.",
            "Is that enough?",
            "Analysts at Acme Inc. doubt it!",
        ],
    ),
    "english closing quote and initials": (
        "She said, “We will win.” Then she left. J. R. R. Tolkien wrote it in 1937. "
        "He paid $8.4 billion at 2 p.m. on Monday.",
        [
            "She said, “We will win.”",
            "Then she left.",
            "J. R. R. Tolkien wrote it in 1937.",
            "He paid $8.4 billion at 2 p.m. on Monday.",
        ],
    ),
    "korean quotes and decimals": (
        "삼성전자는 “올해 성장률이 3.5%에 이를 것”이라고 밝혔다. 금리는 연 2.50%로 동결됐다. "
        "김 박사(Dr. Kim)는 “U.S. 경제가 견조하다”고 말했다.",
        [
            "삼성전자는 “올해 성장률이 3.5%에 이를 것”이라고 밝혔다.",
            "금리는 연 2.50%로 동결됐다.",
            "김 박사(Dr. Kim)는 “U.S. 경제가 견조하다”고 말했다.",
        ],
    ),
    "korean sentence end inside a quotation": (
        "그는 “반도체가 살아났다. 내년엔 더 좋을 것”이라고 말했다. 시장은 환영했다.",
        ["그는 “반도체가 살아났다. 내년엔 더 좋을 것”이라고 말했다.", "시장은 환영했다."],
    ),
    "korean question and exclamation": (
        "코스피가 2.5% 올랐다! 정말일까? 정부는 U.S. 국채 3.5% 금리에 주목했다.",
        ["코스피가 2.5% 올랐다!", "정말일까?", "정부는 U.S. 국채 3.5% 금리에 주목했다."],
    ),
    "offsets after characters outside the BMP": (
        "팬들은 😀 환호했다. 공연은 끝났다. 다음 공연은 🎤 내년이다. 한자 𠀀𠀁가 있다. 끝났다.",
        [
            "팬들은 😀 환호했다.",
            "공연은 끝났다.",
            "다음 공연은 🎤 내년이다.",
            "한자 𠀀𠀁가 있다.",
            "끝났다.",
        ],
    ),
    "korean headline line": (
        "삼성전자 3분기 영업이익 12조 원\n삼성전자는 3분기 영업이익이 12조 원이라고 밝혔다.",
        ["삼성전자 3분기 영업이익 12조 원", "삼성전자는 3분기 영업이익이 12조 원이라고 밝혔다."],
    ),
    "korean quoted subheading between paragraphs": (
        "첫 문단이다.\n\n“대한민국, AI 수도로 거듭날 것”\n\n이재명 대통령은 말했다.",
        ["첫 문단이다.", "“대한민국, AI 수도로 거듭날 것”", "이재명 대통령은 말했다."],
    ),
    "korean question marks inside brackets": (
        "광개토왕(廣開土王, 374년 ~ 412년?, 재위: 391년? ~ 412년?)[1]은 고구려의 제19대 "
        "군주이다. 이름은 담덕이다.",
        [
            "광개토왕(廣開土王, 374년 ~ 412년?, 재위: 391년? ~ 412년?)[1]은 고구려의 제19대 "
            "군주이다.",
            "이름은 담덕이다.",
        ],
    ),
    "korean piece opening with a particle": (
        '이 영화는 2009년 11월 12일에 개봉 되었다. "다음 날"로 첫 솔로 곡을 불렀다.',
        ["이 영화는 2009년 11월 12일에 개봉 되었다.", '"다음 날"로 첫 솔로 곡을 불렀다.'],
    ),
    "korean sentence ending inside closed brackets, then a copula": (
        "그는 넷째로 태어났다(살아남은 사람은 5명뿐이었다). '에마누엘'(Emanuel)이란 이름을 받았다.",
        [
            "그는 넷째로 태어났다(살아남은 사람은 5명뿐이었다).",
            "'에마누엘'(Emanuel)이란 이름을 받았다.",
        ],
    ),
    "korean brackets inside brackets": (
        "사신을 보냈음이 확인된다(중국 사서로 보면, 「신당서」엔 첸뽀(贊普)로 기록되어 있다). "
        "기원전 2세기에 여러 국가가 등장하였다.",
        [
            "사신을 보냈음이 확인된다(중국 사서로 보면, 「신당서」엔 첸뽀(贊普)로 기록되어 있다).",
            "기원전 2세기에 여러 국가가 등장하였다.",
        ],
    ),
    "korean bracket never closed": (
        "괄호가 열리고 (닫히지 않는다. 이것은 다른 문장이다.",
        ["괄호가 열리고 (닫히지 않는다.", "이것은 다른 문장이다."],
    ),
    "english question mark inside brackets": (
        "He was born in 1950 (or 1951? Records differ) in Lyon. He died in Paris.",
        ["He was born in 1950 (or 1951? Records differ) in Lyon.", "He died in Paris."],
    ),
    "english headline line": (
        "Markets Rally on Rate Cut Hopes\nStocks rose 2% on Monday. Bonds fell.",
        ["Markets Rally on Rate Cut Hopes", "Stocks rose 2% on Monday.", "Bonds fell."],
    ),
    "english headline before a lowercase line": (
        "Breaking news\nthe market fell 3.5% in early trading.",
        ["Breaking news", "the market fell 3.5% in early trading."],
    ),
}


@pytest.mark.parametrize("text, expected", list(CASES.values()), ids=list(CASES))
def test_split(splitter: SentenceSplitter, text: str, expected: list[str]) -> None:
    assert sentences(splitter, canonicalize(text)) == expected


def test_empty_and_blank_text(splitter: SentenceSplitter) -> None:
    assert splitter.split("") == []
    assert splitter.split("\n\n \n") == []


def test_every_sample_article_splits_cleanly(splitter: SentenceSplitter) -> None:
    """Spans into real articles (Korean and English, JSONL and files): verbatim, trimmed,
    ordered, disjoint, within a line, and nothing of the text left outside a sentence."""
    articles = read_sources([SAMPLE_DIR]).articles
    assert {a.lang for a in articles} == {"ko", "en"}
    for article in articles:
        spans = splitter.split(article.text)
        assert spans, article.id
        assert span_problems(article.text, spans) == [], article.id


def test_passages_group_whole_sentences(splitter: SentenceSplitter) -> None:
    article = next(a for a in read_sources([SAMPLE_DIR]).articles if a.lang == "en")
    spans = splitter.split(article.text)
    plans = plan_passages(spans, max_chars=200, overlap=1)
    assert plans[0].first == 0 and plans[-1].last == len(spans)
    for plan, following in zip(plans, plans[1:], strict=False):
        # adjacent passages share one sentence unless the first is a single sentence
        assert following.first == max(plan.last - 1, plan.first + 1)
    for plan in plans:
        assert plan.start == spans[plan.first].start and plan.end == spans[plan.last - 1].end
        assert plan.end - plan.start <= 200 or plan.last - plan.first == 1
