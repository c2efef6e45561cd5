"""Short forms in a question read as the names the passages write out."""

from __future__ import annotations

import pytest

from qa.short_forms import candidates, read_out, short_forms

NAMES = ["삼성전자", "한국은행", "이창용", "강릉시", "삼성"]


def _words(question: str) -> list[str]:
    """The candidates of a corpus that writes none of the question's words."""
    return candidates(question, lambda word: False)


@pytest.mark.parametrize(
    ("question", "forms"),
    [
        ("삼전 3분기 실적 어땠어", {"삼전": "삼성전자"}),
        ("한은이 금리를 올렸어?", {"한은": "한국은행"}),
        ("삼전과 한은", {"삼전": "삼성전자", "한은": "한국은행"}),
        ("삼성 실적은?", {}),  # written as the passages write it
        ("서울 아파트값은?", {}),  # shortens no name
    ],
)
def test_short_forms(question: str, forms: dict[str, str]) -> None:
    assert short_forms(_words(question), NAMES, "삼성은 실적을 발표했다.") == forms


def test_a_short_form_of_two_names_is_left_alone() -> None:
    assert short_forms(_words("삼전 실적"), ["삼성전자", "삼성전기"], "") == {}


def test_a_word_the_passages_write_is_left_alone() -> None:
    assert short_forms(_words("한은 금리"), NAMES, "한은은 금리를 동결했다.") == {}


@pytest.mark.parametrize(
    ("question", "written"),
    [
        ("삼전은 얼마 벌었어?", "삼성전자는 얼마 벌었어?"),  # the particle follows the name
        ("한은이 금리를 올렸어?", "한국은행이 금리를 올렸어?"),
        ("삼전과 한은", "삼성전자와 한국은행"),
        ("삼전자 삼전", "삼전자 삼성전자"),  # whole words only
    ],
)
def test_read_out(question: str, written: str) -> None:
    assert read_out(question, {"삼전": "삼성전자", "한은": "한국은행"}) == written


def test_a_word_the_corpus_writes_is_its_own() -> None:
    """경기 is a word of a sports corpus, not a short form of a company it names."""
    assert short_forms(_words("경기 결과는?"), ["경남기업"], "") == {"경기": "경남기업"}
    assert candidates("경기 결과는?", {"경기"}.__contains__) == ["결과"]


def test_only_words_of_two_or_three_syllables_are_short_forms() -> None:
    assert short_forms(_words("서울시장 선거"), ["서울시립미술관장"], "") == {}


def test_with_kiwi_only_nouns_are_candidates(kiwi) -> None:
    """삼전 (read as 삼 + 전) and 한은 are nouns; 어디 is a pronoun, 열렸나 a verb."""
    question = "삼전과 한은은 어디서 열렸나?"
    assert candidates(question, lambda word: False) == ["삼전", "한은", "어디서", "열렸나"]
    assert candidates(question, lambda word: False, kiwi.tokenize(question)) == ["삼전", "한은"]
