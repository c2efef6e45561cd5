"""The question's focus (what is asked, when, the answer type, the key terms) checked
against a quote, in Korean and English: features of the confidence model."""

from __future__ import annotations

import pytest

from qa.focus import check_focus, question_focus
from qa.keys import key_status
from qa.question import parse_question
from service.components import Components

GPU = (
    "젠슨 황 엔비디아 최고경영자(CEO)는 한국 정부와 기업에 최신 블랙웰 GPU 26만 장을 "
    "공급하기로 했다."
)
SEOUL = "서울은 대한민국의 수도이자 최대도시이다."
BITCOIN_TAX = "비트코인을 팔아 얻은 차익에는 내년부터 세금이 부과된다."
BOK = "한국은행 금융통화위원회는 기준금리를 연 2.50%로 동결했다."
WON = "그는 원·달러 환율이 1,430원대까지 오른 점도 결정에 영향을 줬다고 덧붙였다."
OUTLOOK = "증권가에서는 4분기에도 개선 흐름이 이어질 것이라는 전망이 우세하다."


@pytest.fixture(scope="module")
def parse(components: Components):
    return lambda question: parse_question(question, components.analyzer)


@pytest.mark.parametrize(
    "question, topic, moment, current, future",
    [
        ("엔비디아의 현재 주가는 얼마인가?", "price", False, True, False),
        ("오늘 서울 날씨는 어때?", "weather", True, False, False),
        ("비트코인 가격이 오를까?", "price", False, False, True),
        ("What is Nvidia's share price right now?", "price", True, False, False),
        ("Is it raining in Jeju right now?", "weather", True, False, False),
        ("How strong will the wind be off the coast tomorrow?", "weather", False, False, True),
        ("How many turbines make up the Sea Lantern wind farm?", None, False, False, False),
        ("Will the Bank of Korea cut rates next month?", None, False, False, True),
        ("Will the Aurora Fold sell well?", None, False, False, True),
        ("How many Nvidia GPUs will Naver get?", None, False, False, False),  # a stated plan
        ("스페인의 현재 국왕은 누구인가요?", None, False, True, False),
        (
            "What share of Busan's October volume was transshipment cargo?",
            None,
            False,
            False,
            False,
        ),
        ("한국은행이 정한 기준금리는 몇 퍼센트인가요?", None, False, False, False),
        # Topic and time words inside other words or before a particle (public questions
        # that were refused for them).
        ("미국에는 몇 개의 주가 있는가?", None, False, False, False),
        ("멜라놉신은 어느 시간대부터 분비가 시작되는가?", None, False, False, False),
        (
            "김민희는 어떤 작품으로 KBS 연기대상 청소년 연기상을 수상하였나요?",
            None,
            False,
            False,
            False,
        ),
        ("움직임의 환영을 만들어내는 그래픽을 무엇이라고 할까?", None, False, False, False),
        ("모션 그래픽스는 어떤것과 결합되기도 할까?", None, False, False, False),
        ("올해 KIA가 한국시리즈에서 우승할까?", None, False, False, True),
        ("내일 비가 올까?", "weather", False, False, True),
        # The next album, election or release is still to come.
        ("BTS의 다음 앨범은 언제 나와?", None, False, False, True),
        ("When is the next election?", None, False, False, True),
    ],
)
def test_question_focus(parse, question, topic, moment, current, future) -> None:
    focus = question_focus(parse(question))
    assert (focus.topic, focus.asks_moment, focus.asks_current, focus.asks_future) == (
        topic,
        moment,
        current,
        future,
    )


def test_the_issue_examples_miss_what_is_asked(parse) -> None:
    """The three confident wrong answers of issue 11: the thing asked for is nowhere in
    the quote."""
    price = check_focus(parse("엔비디아의 현재 주가는 얼마인가?"), GPU)
    assert price.topic_in_quote is False and price.keys_found == 1  # 엔비디아 is there
    weather = check_focus(parse("오늘 서울 날씨는 어때?"), SEOUL)
    assert weather.topic_in_quote is False and weather.focus.asks_moment
    bitcoin = check_focus(parse("비트코인 가격이 오를까?"), BITCOIN_TAX)
    assert bitcoin.topic_in_quote is False and bitcoin.prediction_in_quote is False
    for evidence in (price, weather, bitcoin):
        f = evidence.features()
        assert f["asks_topic"] == 1.0 and f["topic_in_quote"] == 0.0


def test_an_answering_quote_meets_the_focus(parse) -> None:
    ok = check_focus(parse("한국은행이 정한 기준금리는 몇 퍼센트인가요?"), BOK)
    assert ok.topic_in_quote is None  # nothing special asked for
    assert ok.answer_in_quote is True  # 2.50%
    assert ok.keys_missing == 0
    f = ok.features()
    assert f["topic_in_quote"] == 0.5 and f["answer_in_quote"] == 1.0 and f["keys_found"] == 1.0
    outlook = check_focus(parse("증권가의 4분기 실적 전망은?"), OUTLOOK)
    assert outlook.focus.asks_future and outlook.prediction_in_quote is True


def test_across_languages(parse) -> None:
    """An English question looks for the topic in Korean words, and an English name is
    unknown, not missing, in a Korean passage."""
    won = check_focus(parse("What is the won-dollar exchange rate today?"), WON)
    assert won.focus.topic == "price" and won.topic_in_quote is True
    nvidia = check_focus(parse("What is Nvidia's share price right now?"), GPU)
    assert nvidia.topic_in_quote is False
    assert nvidia.keys_missing == 0 and nvidia.keys_unknown >= 1
    assert nvidia.features()["keys_unknown"] > 0
    number = check_focus(parse("How many GPUs will Nvidia supply to Korea?"), GPU)
    assert number.answer_in_quote is True  # 26만 장 is a number, whatever the script


def test_key_status() -> None:
    assert key_status("엔비디아", GPU) is True
    assert key_status("LG전자", GPU) is False
    assert key_status("Nvidia", GPU) is None  # Latin key, Korean passage
    assert key_status("엔비디아", "Nvidia will supply 260,000 GPUs to Korea.") is None
    assert key_status("Boston", "Daniel Kiprono won in Harbor City.") is False
    assert key_status("2024", GPU) is False  # digits are the same in every script
    assert key_status("CEO", GPU) is True


def test_compound_names_are_one_key(parse) -> None:
    """SK하이닉스 is one name to a reader (SK + 하이닉스 to the analyzer): an article on
    SK텔레콤 mentions "SK" but not it."""
    question = parse("SK하이닉스의 3분기 영업이익은 얼마야?")
    assert question.keys == ("SK하이닉스", "3분기")
    assert key_status("SK하이닉스", "SK텔레콤의 3분기 영업이익은 5천억 원이다.") is False
    assert parse("LG전자와 SK 하이닉스").keys == ("LG전자", "SK", "하이닉스")


def test_another_quarter_is_a_conflict(parse) -> None:
    samsung = "삼성전자가 올해 3분기 연결 기준 영업이익이 12조 1,000억 원으로 잠정 집계됐다."
    assert check_focus(parse("삼성전자의 2분기 영업이익은?"), samsung).qualifier_conflict
    english = parse("What was Samsung's net profit in the fourth quarter?")
    assert check_focus(english, samsung).qualifier_conflict
    assert not check_focus(parse("삼성전자의 3분기 영업이익은?"), samsung).qualifier_conflict
    # The asked quarter written anywhere in the article is no conflict.
    article = samsung + " 2분기에는 10조 원이었다."
    evidence = check_focus(parse("삼성전자의 2분기 영업이익은?"), samsung, samsung, (), article)
    assert not evidence.qualifier_conflict


def test_a_count_nowhere_in_the_article(parse) -> None:
    jensen = parse("젠슨 황은 몇 살이야?")
    assert check_focus(jensen, GPU).counter_unmet is True
    assert check_focus(jensen, "젠슨 황(62세)은 이날 방한했다.").counter_unmet is False
    # Across scripts nothing can be told: "aged 62" is not looked for in Korean units.
    assert check_focus(jensen, "Jensen Huang, who is 62, met the president.").counter_unmet is None
    assert check_focus(parse("젠슨 황은 누구야?"), GPU).counter_unmet is None
