"""Key terms against an article: loose spellings count as mentions, other names do not."""

from __future__ import annotations

import pytest

from qa.keys import event_years, key_status, mentions, places, qualifier_conflict, quarters

SAMSUNG = "삼성전자는 3분기 영업이익이 12조 원으로 집계됐다고 밝혔다. 반도체가 실적을 이끌었다."


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("예맨", "예멘의 수도는 사나이다."),  # one jamo off
        ("헐리우드", "할리우드는 로스앤젤레스에 있다."),
        ("멕스코", "멕시코의 공용어는 에스파냐어이다."),
        ("티벳", "티베트의 중심 도시는 라싸이다."),  # two jamo off, four-jamo-plus word
        ("올리비에 지루", "올리비에 조나탕 지루는 프랑스의 축구 선수이다."),  # each word
        ("빅뱅이", "빅뱅은 2006년에 데뷔했다."),  # a particle stuck to the name
        ("쇼 음악중심", "MBC 《쇼! 음악중심》에 출연했다."),  # punctuation inside
        ("한국", "대한민국의 수도는 서울이다."),  # the long form
        ("3분기", SAMSUNG),
        ("삼전", SAMSUNG),  # short forms: the first syllable of each part
        ("한은", "한국은행은 기준금리를 동결했다."),
        ("금통위", "한국은행 금융통화위원회는 기준금리를 동결했다."),
        ("현대차", "현대자동차가 새 전기차를 공개했다."),
        ("금융통화위원회", "금통위는 23일 기준금리를 동결했다."),  # and the other way
        ("강증산", "증산 강일순(甑山 姜一淳)은 증산도의 창시자이다."),  # family + pen name
        ("이율곡", "율곡 이이는 조선의 학자이다."),
    ],
)
def test_loose_spellings_are_mentions(key: str, text: str) -> None:
    assert mentions(key, text)
    assert key_status(key, text) is True


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("LG전자", SAMSUNG),  # another company, though 전자 is shared
        ("SK하이닉스", SAMSUNG),
        ("2분기", SAMSUNG),  # numbers are matched exactly
        ("연준", "한국은행 금융통화위원회는 기준금리를 동결했다."),
        ("Europe", "It will cost $1,299 in the United States."),
        ("한은", "한국은 수출이 늘었다."),  # 한국 and a particle
        ("수원", "수요자원 거래 시장이 열렸다."),  # 원 is not where a part begins
        ("삼성", "삼일절에 성명을 냈다."),  # two words
        ("김민희", "민희는 배우이다."),  # a pen name needs the family name after it
    ],
)
def test_other_names_and_numbers_are_missing(key: str, text: str) -> None:
    assert not mentions(key, text)
    assert key_status(key, text) is False


def test_across_scripts_nothing_can_be_told() -> None:
    assert key_status("Nvidia", SAMSUNG) is None
    assert key_status("애플", "It will cost $1,299 in the United States.") is None


def test_a_korean_text_takes_korea_for_granted() -> None:
    winter = "겨울의 평균 기온은 영하 3도 안팎이다."
    assert key_status("한국", winter) is None
    assert key_status("일본", winter) is False
    assert key_status("한국", "Winters average minus three degrees.") is None


@pytest.mark.parametrize(
    "text, quarters_named",
    [
        ("올해 3분기 영업이익", {3}),
        ("in the fourth quarter, up from the 2nd quarter", {4, 2}),
        ("Q1 revenue rose", {1}),
        ("a quarter of the vote, 5분기 연속", set()),
    ],
)
def test_quarters(text: str, quarters_named: set[int]) -> None:
    assert quarters(text) == quarters_named


def test_qualifier_conflict() -> None:
    assert qualifier_conflict("LG전자의 2분기 실적은?", "3분기 영업이익이 늘었다.")
    assert qualifier_conflict("Q4 revenue?", "3분기 매출")
    assert not qualifier_conflict("LG전자의 2분기 실적은?", "2분기와 3분기 모두 늘었다.")
    assert not qualifier_conflict("LG전자의 2분기 실적은?", "올해 영업이익이 늘었다.")
    assert not qualifier_conflict("LG전자의 실적은?", "3분기 영업이익이 늘었다.")


def test_a_measure_of_results_the_article_never_gives_is_a_conflict() -> None:
    samsung = "3분기 영업이익이 12조 원이다. 매출은 86조 원이다. 4분기에도 개선이 예상된다."
    assert qualifier_conflict("What was Samsung's net profit in the fourth quarter?", samsung)
    assert qualifier_conflict("삼성전자의 당기순이익은?", samsung)
    assert not qualifier_conflict("삼성전자의 3분기 매출은?", samsung)
    assert not qualifier_conflict("What was Samsung's operating profit?", samsung)
    # Not a measure of results: units sold, a plain "단순 이익".
    assert not qualifier_conflict("현대차의 전기차 판매량은?", samsung)
    assert not qualifier_conflict("단순 이익만 따지면?", samsung)
    # A text naming no measure at all does not give the one asked either.
    assert qualifier_conflict("What was the net profit?", "The shares rose 3%.")
    gpu = "엔비디아가 GPU 26만 장을 공급한다. 업계는 그 가치를 약 14조 원으로 추산했다."
    assert qualifier_conflict("What was NVIDIA's revenue in fiscal 2024?", gpu)
    assert qualifier_conflict("엔비디아의 2024년 매출은 얼마인가?", gpu)
    assert not qualifier_conflict("엔비디아가 공급하는 GPU는 몇 장이야?", gpu)
    # A population is a measure only a text giving it answers.
    assert qualifier_conflict("What is the population of Busan?", "부산항의 물동량이 늘었다.")
    assert not qualifier_conflict("아프리카의 인구는?", "아프리카의 인구는 약 13억 명이다.")


def test_a_place_the_article_never_names_is_a_conflict() -> None:
    phone = (
        "It will cost $1,299 in the United States. Shipments start in 14 countries, "
        "including South Korea, Japan and Germany."
    )
    assert places(phone) == {"united states", "korea", "japan", "germany"}
    assert qualifier_conflict("How much does the Aurora Fold cost in Europe?", phone)
    assert qualifier_conflict("오로라 폴드의 유럽 출시 가격은?", phone)
    assert not qualifier_conflict("How much does it cost in the US?", phone)
    # A country asked for is met by its continent; a text naming no place says nothing.
    assert not qualifier_conflict("독일 가격은?", "유럽 출시 가격은 1,399유로다.")
    assert not qualifier_conflict("How much does it cost in Europe?", "It costs $999.")
    # Not places: a language, a handing over, Indonesia, and a country's name inside a
    # longer noun (a bank, a league, a language, a nationality).
    assert places("What is his Korean name? 물건을 인도하다가 인도네시아") == set()
    assert places("한국은행 총재가 한국시리즈를 보며 중국어로 말한 유럽인") == set()
    assert places("미국에서, 한국과의 무역, 유럽연합의 규제") == {
        "united states",
        "korea",
        "europe",
    }
    assert not qualifier_conflict(
        "한국은행 총재는 누구야?", "한은 총재는 미국 연준과 달리 동결했다."
    )


def test_the_year_of_an_event_the_article_never_writes_is_a_conflict() -> None:
    cup = "2002년 FIFA 월드컵의 우승국인 브라질이 예선에 참가한 첫 우승국이 되었다."
    assert event_years("Who won the 2022 World Cup?") == {"2022"}
    assert event_years("2018 시즌 MVP는?") == {"2018"}
    assert qualifier_conflict("Who won the 2022 World Cup?", cup)
    assert qualifier_conflict("2022년 월드컵 우승팀은?", cup)
    assert not qualifier_conflict("2002년 월드컵 우승국은?", cup)
    # A year that names no event is not checked: a reign gives its first and last years.
    assert event_years("1960년 일본 천황은?") == set()
    assert not qualifier_conflict("1960년 일본 천황은?", "쇼와 천황(1926년 ~ 1989년)")


def test_a_world_record_asked_needs_a_text_that_speaks_of_the_world() -> None:
    farm = "The Sea Lantern offshore wind farm has a capacity of 1.2 gigawatts."
    assert qualifier_conflict("What is the largest offshore wind farm in the world?", farm)
    assert qualifier_conflict("세계 최대의 해상 풍력 단지는?", "서남해 해상풍력 단지가 가동했다.")
    assert not qualifier_conflict(
        "What is the world's largest wind farm?", "It is the largest wind farm in the world."
    )
    assert not qualifier_conflict("세계에서 가장 높은 산은?", "에베레스트산은 세계 최고봉이다.")
    # A world tour or the World Cup is a name, not a record asked.
    assert not qualifier_conflict("Where was the last show of the world tour?", farm)
