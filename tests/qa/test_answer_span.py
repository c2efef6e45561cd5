"""The answer inside a quote: the number in the asked unit, the date, the name."""

from __future__ import annotations

import pytest

from index.store import LoadedIndex
from qa.answer_span import find_answer_span
from qa.answerer import Answerer
from qa.question import parse_question
from service.components import Components
from tests.helpers import assert_quotes_valid


@pytest.mark.parametrize(
    "question, quote, names, expected",
    [
        (
            "엔비디아가 한국에 공급하기로 한 블랙웰 GPU는 총 몇 장이야?",
            "엔비디아는 최신 블랙웰 GPU 26만 장을 한국에 공급하기로 했다.",
            (),
            "26만 장",
        ),
        (
            "삼성전자의 3분기 영업이익은 얼마야?",
            "삼성전자가 올해 3분기 연결 기준 영업이익이 12조 1,000억 원으로 잠정 집계됐다고 "
            "14일 공시했다.",
            (),
            "12조 1,000억 원",
        ),
        (
            "삼성전자 영업이익이 1년 전과 비교해 몇 퍼센트 증가했나요?",
            "이는 작년 같은 기간보다 2조 9,200억 원, 비율로는 31.8% 늘어난 수치다.",
            (),
            "31.8%",
        ),
        ("한라산에는 비가 얼마나 내렸어?", "14일 한라산에는 320mm의 비가 내렸다.", (), "320mm"),
        (
            "빅뱅에 데뷔 일자는?",
            "2006년 9월 23일 빅뱅은 공식 데뷔하였다.",
            (),
            "2006년 9월 23일",
        ),
        (
            # The year the question gives is not the answer.
            "지루가 아스널과의 계약을 2018년까지 연장한 날은 언제인가?",
            "지루는 2018년까지 계약을 연장했으며 발표는 2014년 1월 16일에 나왔다.",
            (),
            "2014년 1월 16일",
        ),
        (
            "When does Lumen Labs start shipping its foldable?",
            "It ships on October 3.",
            (),
            "October 3",
        ),
        (
            "How much is Northwind paying for DataHarbor?",
            "Northwind Software agreed to buy DataHarbor for $8.4 billion in cash.",
            ("Northwind", "Software", "DataHarbor"),
            "$8.4 billion",
        ),
        (
            "How many turbines make up the Sea Lantern wind farm?",
            "The farm's 80 turbines stand 30 kilometres off the coast.",
            ("Sea", "Lantern"),
            "80 turbines",
        ),
        (
            "Who won the men's race at the Harbor City Marathon?",
            "Daniel Kiprono of Kenya won the men's race in Harbor City.",
            ("Daniel", "Kiprono", "Kenya", "Harbor", "City"),
            "Daniel Kiprono",
        ),
        (
            "젠슨 황 CEO가 경주에서 만난 사람은 누구야?",
            "이재명 대통령은 경주에서 젠슨 황 CEO를 접견했다.",
            ("이재명", "경주", "젠슨", "황", "CEO"),
            "이재명",
        ),
        (
            # Who: a name with a title after it first.
            "젠슨 황 CEO가 경주에서 만난 사람은 누구야?",
            "엔비디아의 젠슨 황 CEO는 경주에서 이재명 대통령을 만났다.",
            ("엔비디아", "젠슨", "황", "CEO", "경주", "이재명"),
            "이재명",
        ),
        (
            # Where: a name with a place ending first.
            "서울에서 아파트값이 가장 많이 오른 구는 어디야?",
            "한국부동산원에 따르면 성동구가 0.59% 올라 가장 많이 올랐고 마포구가 뒤를 이었다.",
            ("한국부동산원", "성동구", "마포구"),
            "성동구",
        ),
        (
            # "언제까지" wants the date written with 까지.
            "새 강릉시장은 언제까지 시장직을 맡게 돼?",
            "윤 당선인은 3일 취임해 2026년 6월까지 남은 임기 동안 시장직을 수행한다.",
            (),
            "2026년 6월",
        ),
        (
            # A total: the number written as one.
            "누리호 4차 발사로 궤도에 올라간 위성은 모두 몇 기야?",
            "주탑재위성 1기와 큐브위성 12기 등 모두 13기가 궤도에 올랐다.",
            (),
            "13기",
        ),
        (
            "올해 제주 노지감귤은 얼마나 생산될 것으로 보여?",
            "농업기술원은 생산량이 40만 2,000톤 안팎이 될 것으로 예상했다.",
            (),
            "40만 2,000톤",
        ),
        (
            # Of two sentences, the one that shares the question's words.
            "국립중앙박물관 외국인 관람객은 작년보다 몇 퍼센트 늘었어?",
            "올해 관람객은 지난해보다 45% 늘었다. 외국인 관람객도 지난해보다 38% 증가했다.",
            (),
            "38%",
        ),
        (
            "독감 백신을 맞으면 효과가 생기기까지 얼마나 걸려?",
            "백신 효과가 나타나기까지 약 2주가 걸린다.",
            (),
            "2주",
        ),
        (
            "How many homes can Sea Lantern power?",
            "At 1.2 gigawatts, Sea Lantern can power roughly one million homes.",
            ("Sea", "Lantern", "At"),
            "one million homes",
        ),
        (
            # "강릉시장" is an office of a place, not a person with a title.
            "이번 선거에서 누가 당선됐어?",
            "지난 2일 치러진 강릉시장 보궐선거에서 무소속 윤정호 후보가 당선됐다.",
            ("강릉", "윤정호"),
            "윤정호",
        ),
        (
            # A capitalised first word is not a name.
            "Who won the men's race at the Harbor City Marathon?",
            "In cool weather, Daniel Kiprono won the men's race.",
            ("In", "Daniel", "Kiprono"),
            "Daniel Kiprono",
        ),
    ],
)
def test_span_of_the_answer(
    components: Components, question: str, quote: str, names: tuple[str, ...], expected: str
) -> None:
    span = find_answer_span(parse_question(question, components.analyzer), quote, names)
    assert span is not None, question
    assert quote[span.start : span.end] == expected


@pytest.mark.parametrize(
    "question, quote",
    [
        # An "other" question has no span.
        (
            "모션 그래픽 아티스트는 어떠한 분야에 속해있는가?",
            "모션 그래픽 아티스트는 예술 분야에 속한다.",
        ),
        # A number, but not in the unit asked for.
        ("동북선에는 역이 몇 개 있어?", "동북선은 왕십리에서 상계까지 25분 안팎이 걸린다."),
        # Only the date the question itself names.
        ("2012년에 무슨 일이 있었나? 언제?", "그는 2012년 팀을 옮겼다."),
        # A footnote marker is not a number.
        ("사해의 깊이는?", "사해는 세계에서 가장 낮은 호수이다.[1]"),
        # A bare number in a Korean quote is not an English question's answer.
        ("How many GPUs will Naver get?", "네이버는 2025년 14일 발표했다."),
    ],
)
def test_no_span(components: Components, question: str, quote: str) -> None:
    assert find_answer_span(parse_question(question, components.analyzer), quote) is None


def test_answers_carry_their_span(answerer: Answerer, sample_index: LoadedIndex) -> None:
    answer = answerer.ask("네이버는 엔비디아 GPU를 몇 장 받게 되나요?")
    assert_quotes_valid(answer, sample_index)
    first = answer.quotes[0]
    assert first.answer_span is not None
    assert first.text[first.answer_span.start : first.answer_span.end] == "6만 장"
    as_dict = answer.to_dict()["quotes"][0]["answer_span"]
    assert as_dict == {"start": first.answer_span.start, "end": first.answer_span.end}
    for quote in answer.quotes:
        if quote.answer_span is not None:
            assert 0 <= quote.answer_span.start < quote.answer_span.end <= len(quote.text)
