"""Names across scripts (qa/transliteration.py): English names in Korean text, and back."""

from __future__ import annotations

import pytest

from qa.transliteration import (
    HangulSkeletons,
    hangul_skeleton,
    latin_names,
    latin_skeleton,
    names_mentioned,
)


@pytest.mark.parametrize(
    ("latin", "hangul"),
    [
        ("Nvidia", "엔비디아가"),
        ("Seoul", "서울은"),
        ("Jensen Huang", "젠슨 황 최고경영자"),
        ("Kim Min-hee", "김민희는"),
        ("Samsung", "삼성전자"),
        ("Hyundai", "현대"),
        ("Naver", "네이버에"),
        ("Gyeongju", "경주에서"),
        ("Hideki Kuriyama", "구리야마 히데키"),
        ("Seungri", "승리의"),
        ("Nuri", "누리호가"),  # without the 호 English leaves off
        ("Overwatch", "오버워치는"),  # tch is one sound, the r before w is dropped
        # Without the administrative unit English leaves off.
        ("Gimpo", "김포시는"),
        ("Ulsan", "울산광역시의"),
        ("Seoul", "서울특별시"),
    ],
)
def test_a_name_is_found_in_its_hangul_spelling(latin: str, hangul: str) -> None:
    assert HangulSkeletons(hangul).mentions(latin)
    assert names_mentioned([latin], f"그날 {hangul} 발표했다.") == 1.0


@pytest.mark.parametrize(
    ("latin", "hangul"),
    [
        ("Nvidia", "삼성전자"),
        ("Seoul", "부산은"),
        ("Kuriyama", "김치"),
        ("Abe", "아베"),
        ("Beon", "번호"),  # one syllable would be left: 호 stays
        ("Ban", "반구"),  # nor is 구 dropped from a word of two syllables (hemisphere)
    ],
)
def test_other_words_or_too_short_names_do_not_match(latin: str, hangul: str) -> None:
    # "Abe" leaves one consonant (P): too little to tell a name from any word.
    assert not HangulSkeletons(hangul).mentions(latin)


def test_skeletons_drop_vowels_and_fold_sounds_korean_does_not_tell_apart() -> None:
    assert latin_skeleton("Nvidia") == hangul_skeleton("엔비디아") == "NPT"
    assert latin_skeleton("Philip") == latin_skeleton("Pilip")  # ph, f and p are one class
    assert hangul_skeleton("internet") == ""  # not Hangul


def test_name_groups_of_an_english_question() -> None:
    question = "For which work did Kim Min-hee win the youth award at the KBS Drama Awards?"
    assert latin_names(question) == ["Kim Min-hee", "KBS Drama Awards"]
    assert latin_names("What is the title of Seungri's first solo song?") == ["Seungri"]
    assert latin_names("how many gpus will it supply?") == []


@pytest.mark.parametrize(
    ("question", "names"),
    [
        # A word capitalised as the question opens, and a month, are no names.
        ("Against which team did Giroud score in August?", ["Giroud"]),
        ("According to CNBC, what did BTS use?", ["CNBC", "BTS"]),
        # Accents are dropped, not cut at: "Hernán" was "Hern".
        ("Who was Hernán Cortés's father?", ["Hernan Cortes"]),
        # A generic word standing alone is translated in Korean (노량 해전), as are
        # nationality words and most countries; Canada is written 캐나다.
        ("In what year did the Battle of Noryang take place?", ["Noryang"]),
        ("Who was the Emperor of Japan in 1960?", []),
        ("Which Swedish thinker influenced spiritualism?", []),
        ("When did Canada join the Commonwealth?", ["Canada", "Commonwealth"]),
        ("Where did Kim Min-hee win a Best Actress award?", ["Kim Min-hee"]),
    ],
)
def test_names_left_out_are_those_korean_translates(question: str, names: list[str]) -> None:
    assert latin_names(question) == names


def test_acronyms_are_found_as_written() -> None:
    assert names_mentioned(["KBS Drama Awards"], "KBS 연기대상에서 수상했다.") == 1.0
    assert names_mentioned(["Kim Min-hee", "Seoul"], "김민희는 부산에서 태어났다.") == 0.5
    assert names_mentioned([], "아무 글") == 0.0


def test_th_may_be_written_as_s() -> None:
    assert HangulSkeletons("노스윈드가 인수한다").mentions("Northwind")
    assert HangulSkeletons("스미스 감독").mentions("Smith")


@pytest.mark.parametrize(
    ("hangul", "english"),
    [
        ("노스윈드", "Northwind Software agreed to buy DataHarbor."),
        ("데이터하버를", "Northwind Software agreed to buy DataHarbor."),
        ("삼성전자", "Samsung Electronics reported record sales."),
        ("애플", "Apple unveiled a phone."),
        ("누리호", "The Nuri rocket lifted off."),
        ("Northwind", "Northwind Software agreed to buy DataHarbor."),  # as written
    ],
)
def test_a_korean_questions_names_are_found_in_english(hangul: str, english: str) -> None:
    assert names_mentioned([hangul], english) == 1.0


def test_a_korean_name_does_not_match_ordinary_english_words() -> None:
    # 애플 is "PL": play and pool have it too, but they are not names.
    assert names_mentioned(["애플", "아이폰"], "Lumen Labs will play it in the pool.") == 0.0
    assert names_mentioned(["애플"], "The Aurora Fold will cost $1,299.") == 0.0
