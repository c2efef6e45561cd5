"""The answer inside a quote: the number in the asked unit, the date, the name."""

from __future__ import annotations

import pytest

from index.store import LoadedIndex
from qa.answer_span import find_answer_span, number_owner
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
        (
            # An English question over a Korean quote: the sentence that writes its
            # name (Naver: 네이버), and the things counted with their Korean counter.
            "How many GPUs will Naver get?",
            "물량은 정부가 5만 장을 가져간다. 네이버는 이 가운데 가장 많은 6만 장을 받는다.",
            (),
            "6만 장",
        ),
        (
            "How many satellites in all did Nuri's fourth launch put into orbit?",
            "누리호는 약 13분 뒤 목표 궤도에 도달했고, 모두 13기의 위성을 올려놓았다.",
            (),
            "13기",
        ),
        (
            # A rate is a percentage, not the gap in points written first.
            "What is the base rate set by the Bank of Korea?",
            "한미 금리 차이는 1.75%포인트로 유지됐고, 기준금리는 연 2.50%로 동결됐다.",
            (),
            "2.50%",
        ),
        (
            "By what percentage did foreign visitors increase?",
            "20~30대 비중은 약 45%다.",
            (),
            "45%",
        ),
        ("KIA와 삼성 경기는 몇 대 몇으로 끝났어?", "KIA가 삼성을 7-3으로 이겼다.", (), "7-3"),
        (
            "What does the Aurora Fold cost in the US?",
            "It will cost $1,299 in the United States.",
            (),
            "$1,299",
        ),
        (
            # A gap between two rates is asked in points.
            "How wide is the interest rate gap between Korea and the US?",
            "기준금리는 연 2.50%로 동결됐고, 한미 금리 차이는 1.75%포인트로 유지됐다.",
            (),
            "1.75%포인트",
        ),
        (
            # Of two years, the one beside the question's words.
            "브리티시 컬럼비아가 연방에 가입한 연도는?",
            "철로는 1881년과 1885년 사이에 건설되었으며, 따라서 브리티시 컬럼비아가 1871년"
            " 연방에 가입하는 계기가 되었다.",
            (),
            "1871년",
        ),
        (
            # A death is a range's second date.
            "리하르트 바그너는 언제 죽었는가?",
            "리하르트 바그너(1813년 5월 22일 라이프치히~1883년 2월 13일 베네치아)는 작곡가이다.",
            (),
            "1883년 2월 13일",
        ),
        (
            # Tangerines are not people: not the volunteers, the crop's weight.
            "How many tangerines will Jeju produce this year?",
            "자원봉사자 3,500명이 돕는다. 생산량은 40만 2,000톤 안팎이다.",
            (),
            "40만 2,000톤",
        ),
        (
            # A title, without its marks; not the one the question names.
            "<화양연화 Young Forever>의 타이틀곡은?",
            "스페셜 앨범 <화양연화 Young Forever>를 발매하고 타이틀곡 ‘불타오르네’로 활동했다.",
            (),
            "불타오르네",
        ),
        (
            "방탄소년단이 데뷔한 음악 프로그램의 이름은?",
            "쇼케이스를 열었다. 그 후 6월 13일 엠넷 《엠카운트다운》를 통해 공식적으로 데뷔했다.",
            (),
            "엠카운트다운",
        ),
        (
            # The band's name as the single's title is no title the question names.
            "What is the name of Big Bang's first single album?",
            "2006년 8월 29일 첫 싱글 《Bigbang》을 발매했다.",
            (),
            "Bigbang",
        ),
        (
            "Which song did Arsenal fans adapt for Giroud?",
            "Arsenal's fans sang a version of 'Hey Jude' for him.",
            (),
            "Hey Jude",
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
        # Minutes are not satellites, and a quarter (3분기) is not minutes.
        ("How many satellites did Nuri put into orbit?", "누리호는 약 13분 뒤 궤도에 올랐다."),
        ("How long did it take, in minutes?", "삼성전자의 3분기 실적이 나왔다."),
        # The 구 of 연구원 is not nine won.
        ("삼성전자의 3분기 매출은 얼마야?", "한 증권사 연구원은 수요가 탄탄하다고 말했다."),
        # An apostrophe opens no title.
        ("Which album did Arsenal's fans like?", "Arsenal's fans liked it, didn't they."),
    ],
)
def test_no_span(components: Components, question: str, quote: str) -> None:
    assert find_answer_span(parse_question(question, components.analyzer), quote) is None


def test_a_person_needs_a_title_or_a_full_name(components: Components) -> None:
    # 《소나기》 is a name in the quote, and not a person: no span rather than a wrong one.
    question = parse_question(
        "빅뱅 멤버 중 가장 먼저 뮤지컬에 출연한 이는 누구인가?", components.analyzer
    )
    quote = "승리는 빅뱅 멤버 중에서 가장 먼저 뮤지컬에 출연하였고, 《소나기》로 첫 도전하였다."
    assert find_answer_span(question, quote, ("빅뱅", "소나기")) is None
    # A work's title in Latin letters is not a person either.
    question = parse_question("938년의 이야기는 누가 지었습니까?", components.analyzer)
    quote = "《악타 아르켈라이(Acta Archelai)》와 같은 문헌이 938년에 나왔다."
    assert find_answer_span(question, quote, ("Acta", "Archelai")) is None


@pytest.mark.parametrize(
    ("question", "quote", "names", "owner"),
    [
        # A merger story gives both companies' figures; the quote has the other one's.
        (
            "How many employees does Northwind Software have?",
            "She added that DataHarbor's 3,200 employees would join Northwind's cloud division.",
            ("DataHarbor", "Northwind"),
            "DataHarbor",
        ),
        ("삼성전자 직원은 몇 명이야?", "LG전자의 직원 3만 명이 참여했다.", ("LG전자",), "LG전자"),
        # The one asked about, a country (context, not an owner), or no possessive.
        (
            "How many employees does DataHarbor have?",
            "She added that DataHarbor's 3,200 employees would join Northwind's cloud division.",
            ("DataHarbor", "Northwind"),
            None,
        ),
        (
            "방탄소년단은 몇 인조 그룹인가?",
            "방탄소년단은 대한민국의 7인조 보이 그룹이다.",
            ("방탄소년단", "대한민국"),
            None,
        ),
        ("삼성전자 직원은 몇 명이야?", "직원 3만 명이 LG전자 공장에서 일한다.", ("LG전자",), None),
        # A Korean owner must be a name of the sentence, not any word before 의.
        ("삼성전자 직원은 몇 명이야?", "회사의 직원 3만 명이 참여했다.", (), None),
    ],
)
def test_whose_number_the_quote_gives(
    components: Components, question: str, quote: str, names: tuple[str, ...], owner: str | None
) -> None:
    parsed = parse_question(question, components.analyzer)
    span = find_answer_span(parsed, quote, names)
    assert number_owner(parsed, quote, span, names) == owner


def test_a_name_inside_a_longer_word_is_not_the_answer(components: Components) -> None:
    # The 한국 of 한국부동산원 is not the district asked for.
    question = parse_question(
        "Which district of Seoul saw apartment prices rise the most?", components.analyzer
    )
    quote = "한국부동산원은 서울 아파트값이 0.19% 올랐다고 밝혔다."
    assert find_answer_span(question, quote, ("한국",)) is None
    assert find_answer_span(question, "송파구가 가장 많이 올랐다.", ("송파구",)) is not None


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


@pytest.mark.parametrize(
    ("question", "quote", "names", "expected"),
    [
        # the word after the thing asked for, a name or not
        (
            "불가리아의 수도는 어디인가요?",
            "발칸 반도에 있는 공화국이다. 수도는 소피아다.",
            ("발칸",),
            "소피아",
        ),
        (
            "노태우의 본관은 어디인가요?",
            "대한민국의 대통령이다. 본관은 교하(交河)이다.",
            ("대한민국",),
            "교하",
        ),
        # a Latin gloss names the Hangul name before it
        (
            "캐나다의 초대 수상은 누구인가?",
            "철도건설은 캐나다 초대수상인 존 맥도날드(John A. Macdonald)의 보수당이 시작했다.",
            ("캐나다", "John A. Macdonald"),
            "존 맥도날드",
        ),
        # a title in quotation marks is not the place
        (
            "방탄소년단이 두 번째 단독 콘서트를 한 곳은?",
            "방탄소년단은 서울 올림픽홀에서 두 번째 단독 콘서트 ‘2015 BTS LIVE TRILOGY’를 열었다.",
            ("서울", "올림픽홀", "BTS LIVE TRILOGY"),
            "서울 올림픽홀",
        ),
        # nor the end of a longer word (주디스리버)
        (
            "화석이 발견된 곳은?",
            "몬태나 주 카우크릭 부근, 주디스리버 층에서 발견되었다.",
            ("리버", "카우크릭"),
            "카우크릭",
        ),
    ],
)
def test_names_from_the_way_korean_text_writes_them(
    components: Components, question: str, quote: str, names: tuple[str, ...], expected: str
) -> None:
    span = find_answer_span(parse_question(question, components.analyzer), quote, names)
    assert span is not None
    assert quote[span.start : span.end] == expected


@pytest.mark.parametrize(
    ("question", "quote", "expected"),
    [
        # a lifetime in parentheses is not the date of the event
        (
            "해처는 언제 첫번째 화석을 발견하였나?",
            "화석은 존 벨 해처(1861-1904)에 의해 1888년 늦여름 카우크릭 부근에서 발견되었다.",
            "1888년",
        ),
        # an end is a range's second date, inside parentheses or not
        ("발해는 언제 패망했나요?", "발해(698년 ~ 926년)는 대조영이 건국한 국가이다.", "926년"),
        # the number of the list item the question names
        (
            "방탄소년단은 멜론 뮤직 어워드에서 몇 관왕을 차지했나?",
            "엠넷 어워즈에서 3관왕과 12월 2일 멜론 뮤직 어워즈에서 5관왕을 차지했다.",
            "5관왕",
        ),
    ],
)
def test_the_number_or_date_of_the_event_asked_about(
    components: Components, question: str, quote: str, expected: str
) -> None:
    span = find_answer_span(parse_question(question, components.analyzer), quote)
    assert span is not None
    assert quote[span.start : span.end] == expected
