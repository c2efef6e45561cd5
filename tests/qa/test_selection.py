"""The pieces of sentence selection: what a question asks for, how a sentence's words
are weighed, and the best-sentence ranking of retrieval."""

from __future__ import annotations

import numpy as np
import pytest

from index.store import LoadedIndex
from qa.question import answer_type, counter_pattern, parse_question
from qa.retrieval import HybridRetriever
from qa.selection import _term_weights, _type_cue
from service.components import Components


@pytest.mark.parametrize(
    "question, kind",
    [
        ("방탄소년단의 멤버는 총 몇 명인가?", "number"),
        ("첫 단독 콘서트는 며칠간 진행됐나?", "number"),  # a duration
        ("사해의 깊이는?", "number"),  # a measurement
        ("빅뱅의 데뷔 일자는?", "date"),
        ("빌보드 200에 처음 진입한 해는?", "date"),
        ("몇 년도에 통일했는가?", "date"),
        ("멜라토닌은 어느 시간대부터 분비되나?", "date"),
        ("로어노크는 어느 나라의 지역인가?", "place"),
        ("How many people live in Busan?", "number"),
        # English questions read as their Korean versions are (public-en against -ko)
        ("In which city was BTS's second solo concert held?", "place"),
        ("What is the capital of Maryland?", "place"),
        ("What is Big Bang's debut date?", "date"),
        ("Which Swedish thinker influenced spiritualism?", "person"),
        ("What is the name of the motion graphics designer who made the titles?", "person"),
        ("What is the average lifespan of a giraffe?", "number"),
        ("What rank was BTS given in the 2017 Power Celebrity list?", "number"),
        ("What was the turnout in the Gangneung mayoral by-election?", "number"),
        ("What did Samsung Electronics' third-quarter sales come to?", "number"),
        # "when" inside a question is a conjunction; the wage is asked for
        ("What was the transfer fee when Arsenal signed Giroud?", "number"),
        ("When Giroud extended his contract, what was his weekly wage raised to?", "number"),
        ("When did the Nuri rocket launch?", "date"),
        ("Against which team did Giroud score his 12th goal?", "other"),  # a verb
        ("강릉시장 보궐선거 투표율은 어느 정도였어?", "number"),
        ("윤정호 당선인의 득표율은?", "number"),
        ("케라톱스로 분류된 첫번째 화석이 발견된 곳은?", "place"),
        ("김민희가 출연한 영화 화차가 개봉한 년도는?", "date"),
        ("영화 세븐의 오프닝 타이틀을 담당한 모션 그래픽스 디자이너의 이름은?", "person"),
        ("인구는 어떻게 변했나?", "other"),  # not "X의 인구는?"
        # an age; "몇 세기" is a date, the 나이 of 하나이며 no age
        ("젠슨 황의 나이는?", "number"),
        ("How old is Jensen Huang?", "number"),
        ("이 성당은 몇 세기에 지어졌나?", "date"),
        ("캐나다의 상징 중 하나이며 근면한 동물은?", "other"),
        # the name of a work, which articles write between title marks
        ("방탄소년단이 데뷔 후 첫 1위를 한 노래의 제목은?", "title"),
        ("방탄소년단이 데뷔한 음악 프로그램의 이름은?", "title"),
        ("<화양연화 Young Forever>의 타이틀곡은?", "title"),
        ("코트니 러브의 세번째 앨범은 무엇인가요?", "title"),
        ("Which film did the motion graphics designer Kyle Cooper work on?", "title"),
        ("What is the title of BTS's first studio album?", "title"),
        ("What is the title track of Always, Big Bang's first EP?", "title"),
        ("What is Courtney Love's second album?", "title"),
        ("새 정책은 무엇인가?", "other"),  # 정책 is no 책
        ("2013년 승리가 처음으로 발매한 일본어 음반은 몇 번째 음반인가?", "number"),
    ],
)
def test_answer_type(question: str, kind: str) -> None:
    assert answer_type(question) == kind


@pytest.mark.parametrize(
    "question, hits, misses",
    [
        ("멤버는 총 몇 명인가?", ["7명의 최종 멤버", "열두 명이"], ["7개 앨범", "2010년 9월"]),
        ("몇 번째 싱글인가?", ["네 번째 싱글", "4번째"], ["4위"]),
        ("콘서트는 며칠간 열렸나?", ["총 3일간", "3 일"], ["3회"]),
        ("총 몇퍼센트를 차지하나요?", ["28%", "30 퍼센트"], ["28개"]),
        # A sum of money: a currency, in either language.
        ("노스윈드는 데이터하버를 얼마에 인수해?", ["$8.4 billion", "84억 달러에"], ["3,200명"]),
        ("이적료는 얼마인가?", ["960만 파운드로", "1조원"], ["원전 3기", "960만 명"]),
        ("What does the Aurora Fold cost in the US?", ["$1,299", "3.6 billion euros"], ["27%"]),
        ("How much is Northwind paying for DataHarbor?", ["12조 1,000억 원"], ["3,200 staff"]),
        # a share or a rate, in percent; a gap in points is not one
        ("What is the base rate set by the Bank of Korea?", ["연 2.50%로"], ["1.75%포인트", "2.5"]),
        ("윤정호 당선인의 득표율은?", ["52.4%를"], ["3만 표"]),
        ("한국은행 기준금리는 몇 퍼센트야?", ["2.50%"], ["1.75%포인트로", "1.75%p"]),
        # a score
        ("KIA와 삼성 경기는 몇 대 몇으로 끝났어?", ["7-3으로", "7 대 3"], ["3대 도시"]),
        # English things counted with their Korean counters, and in English
        (
            "How many satellites did Nuri put into orbit?",
            ["모두 13기의 위성", "13 satellites"],
            ["약 13분 뒤", "3분기", "600km"],
        ),
        ("How many people will Gaon Battery hire?", ["1,200명을"], ["20일", "2조 원"]),
        ("How many Nvidia GPUs will Naver get?", ["6만 장을", "60,000 GPUs"], ["5연승"]),
        ("Sea Lantern 풍력단지의 turbine은 몇 기야?", ["80기", "80 turbines"], ["80 homes"]),
        # ... and the things a Korean counter counts, in an English article
        ("시 랜턴 풍력단지에는 터빈이 몇 기 있어?", ["80기", "80 turbines"], ["80 homes", "420곳"]),
        ("가온배터리는 몇 명을 채용해?", ["1,200명", "1,200 workers"], ["1,200 homes"]),
        # an ordinal as the office's number, things counted in their own units, people as 인
        ("김영삼 대통령은 몇 번째 대통령인가?", ["제14대 대통령", "3번째"], ["14일"]),
        ("울산의 행정구역은 몇 개인가요?", ["4구 1군", "5개"], ["4명"]),
        ("위원회는 몇 명으로 구성돼?", ["12인의 위원", "7명"], ["12인치"]),
        # the thing counted, counted without a counter; a rough count
        ("예수님의 제자는 몇 명이였는가?", ["열두 제자를", "12명의 제자"], ["12일", "제자 12"]),
        ("그리스 신화에 등장하는 신은 몇 명인가?", ["올림포스 12신"], ["12장", "신화 12"]),
        ("사고로 몇 명이 다쳤어?", ["수십 명이", "3명"], ["수년 전", "여러 명"]),
        # an age, as Korean news writes it after a name, and in English
        (
            "젠슨 황은 몇 살이야?",
            ["젠슨 황(62) 엔비디아 CEO", "올해 62세인", "세 살 때", "Huang, 62, said"],
            ["20세기 초", "3세대 반도체", "62명", "삼성전자(005930)"],
        ),
        ("How old is Jensen Huang?", ["the 62-year-old founder", "aged 62", "황(62세)"], ["62%"]),
    ],
)
def test_counter_pattern(question: str, hits: list[str], misses: list[str]) -> None:
    pattern = counter_pattern(question)
    assert pattern is not None
    for text in hits:
        assert pattern.search(text), text
    for text in misses:
        assert not pattern.search(text), text


@pytest.mark.parametrize(
    "question",
    [
        "서울 아파트값은 얼마나 올랐어?",  # a rise, in percent
        "By what percentage did Samsung Electronics' operating profit rise?",
        "How much rain fell on Hallasan?",
    ],
)
def test_how_much_of_something_else_is_not_money(question: str) -> None:
    pattern = counter_pattern(question)
    assert pattern is None or not any(
        pattern.search(text) for text in ("$8.4 billion", "12조 1,000억 원", "960만 파운드")
    )


def test_number_cue_prefers_the_unit_asked_for(components: Components) -> None:
    from index.morphs import SentenceMorphs

    q = parse_question("방탄소년단의 멤버는 총 몇 명인가?", components.analyzer)
    none = SentenceMorphs(frozenset(), frozenset(), False)
    assert _type_cue(q, none, "7명의 최종 멤버가 발탁되었다.") == 1.0
    assert _type_cue(q, none, "2010년 9월 2일 오디션을 열었다.") == 0.5
    assert _type_cue(q, none, "멤버를 모집하는 오디션을 열었다.") == 0.0
    # A footnote marker is not a number.
    assert _type_cue(q, none, "멤버를 모집하는 오디션을 열었다.[1]") == 0.0


def test_title_cue_wants_a_title_the_question_does_not_name(components: Components) -> None:
    from index.morphs import SentenceMorphs

    q = parse_question("<화양연화 Young Forever>의 타이틀곡은?", components.analyzer)
    none = SentenceMorphs(frozenset(), frozenset(), False)
    assert _type_cue(q, none, "타이틀곡 ‘불타오르네’로 활동했다.") == 1.0
    assert _type_cue(q, none, "스페셜 앨범 <화양연화 Young Forever>를 발매했다.") == 0.0
    assert _type_cue(q, none, "스페셜 앨범을 발매했다.") == 0.0


def test_a_home_town_is_where_one_was_born(components: Components) -> None:
    from index.morphs import SentenceMorphs

    q = parse_question("아베 총리의 고향은 어디인가?", components.analyzer)
    names = SentenceMorphs(frozenset(), frozenset({"도쿄도", "신주쿠"}), False)
    born = "1954년 9월 21일, 도쿄도 신주쿠 구에서 차남으로 태어났다."
    assert _type_cue(q, names, born) == 1.0
    assert _type_cue(q, names, "도쿄도 신주쿠 구를 지역구로 출마했다.") == 0.5
    plain = parse_question("아베 총리의 지역구는 어디인가?", components.analyzer)
    assert _type_cue(plain, names, "도쿄도 신주쿠 구를 지역구로 출마했다.") == 1.0


def test_title_words_do_not_rank_sentences() -> None:
    terms = ("방탄소년단", "데뷔", "프로그램")
    assert _term_weights(terms, None, 0.0) == (5.0, 2.0, 4.0)
    assert _term_weights(terms, "방탄소년단", 0.0) == (0.0, 2.0, 4.0)
    assert _term_weights(terms, "방탄소년단", 0.5) == (2.5, 2.0, 4.0)
    # Latin terms are lower-cased; so is the title they are looked up in.
    assert _term_weights(("dataharbor",), "Northwind to Buy DataHarbor", 0.0) == (0.0,)


def test_best_sentence_ranking_is_the_best_sentence_of_each_passage(
    sample_index: LoadedIndex, components: Components
) -> None:
    qvec = components.embedder.embed_queries(["삼성전자의 3분기 영업이익은 얼마야?"])[0]
    retriever = HybridRetriever(sample_index)
    rows = list(range(len(sample_index)))
    best = retriever._best_sentence(rows, qvec)
    for row in rows:
        span = sample_index.sentence_rows(row)
        expected = float(
            np.max(np.asarray(sample_index.sentence_vectors[span.start : span.stop]) @ qvec)
        )
        assert best[row] == pytest.approx(expected, abs=1e-6)


def test_names_matched_across_scripts(components: Components) -> None:
    def names(question: str) -> tuple[str, ...]:
        return parse_question(question, components.analyzer).names

    assert names("How many GPUs will Naver get?") == ("GPUs", "Naver")
    # A Korean question's names, in either script; numbered keys are not names.
    assert names("Northwind는 DataHarbor를 얼마에 인수해?") == ("Northwind", "DataHarbor")
    assert names("삼성전자의 2분기 영업이익은 얼마였어?") == ("삼성전자",)
