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
        ("인구는 어떻게 변했나?", "other"),  # not "X의 인구는?"
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
    assert counter_pattern(question) is None


def test_number_cue_prefers_the_unit_asked_for(components: Components) -> None:
    from index.morphs import SentenceMorphs

    q = parse_question("방탄소년단의 멤버는 총 몇 명인가?", components.analyzer)
    none = SentenceMorphs(frozenset(), frozenset(), False)
    assert _type_cue(q, none, "7명의 최종 멤버가 발탁되었다.") == 1.0
    assert _type_cue(q, none, "2010년 9월 2일 오디션을 열었다.") == 0.5
    assert _type_cue(q, none, "멤버를 모집하는 오디션을 열었다.") == 0.0
    # A footnote marker is not a number.
    assert _type_cue(q, none, "멤버를 모집하는 오디션을 열었다.[1]") == 0.0


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
