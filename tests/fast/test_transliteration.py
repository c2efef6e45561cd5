"""Names across scripts (qa/transliteration.py): English names in Korean text, and back."""

from __future__ import annotations

import pytest

from qa.transliteration import (
    HangulSkeletons,
    Spellings,
    hangul_skeleton,
    hangul_spellings,
    latin_names,
    latin_skeleton,
    names_mentioned,
    romanized,
    spell_names,
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
        # A French name's silent ending and soft g.
        ("Giroud", "지루는"),
        ("Renault", "르노가"),
        ("Geneva", "제네바에서"),
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


def test_a_names_hangul_spelling_is_the_word_the_text_writes() -> None:
    text = (
        "김민희는 신광여자고등학교에 다녔다. 지루는 아스널과 계약을 연장했다. "
        "아스널은 이적료로 960만 파운드를 냈다. 마니교를 세운 마니는 바빌로니아에서 태어났다."
    )
    spellings = hangul_spellings(["Kim Min-hee", "Arsenal", "Mani", "Lee"], text)
    # Mani is 마니, not 만 (of 960만), one syllable; Lee has no skeleton long enough.
    assert spellings == {"Kim Min-hee": "김민희", "Arsenal": "아스널", "Mani": "마니"}


def test_a_name_the_text_writes_in_latin_letters_is_left_as_it_is() -> None:
    assert hangul_spellings(["Ceratops"], "케라톱스(Ceratops)는 각룡류 공룡이다.") == {}


def test_of_words_alike_in_sound_the_spelling_is_nearest_in_romanization() -> None:
    text = "이날 발사된 누리호는 위성 13기를 궤도에 올렸다. 이날 경주와 경주시, 광주에서."
    # 이날 reads N-L as Nuri does, and is more frequent, but romanizes as "inal";
    # 경주 (gyeongju) reads as Gwangju does too.
    spelled = hangul_spellings(["Nuri", "Gwangju"], text)
    assert spelled == {"Nuri": "누리호", "Gwangju": "광주"}


def test_an_inflected_verb_or_a_distant_common_word_is_no_spelling() -> None:
    text = "그는 팀을 우승으로 이끌었다."
    # 이끌었다 reads K-L-T, as Giroud does, and a third of its letters are alike: enough
    # for a proper noun, not for a common word, and it is no morpheme of the text.
    assert hangul_spellings(["Giroud"], text, None, {"이끌었다"}) == {"Giroud": "이끌었다"}
    assert hangul_spellings(["Giroud"], text) == {}
    assert hangul_spellings(["Giroud"], text, {"팀", "우승", "이끌"}, {"이끌었다"}) == {}


def test_names_are_spelled_as_whole_words_and_a_possessive_becomes_ui() -> None:
    question = "What kind of family did Mani's mother come from, and what is Manichaeism?"
    assert spell_names(question, {"Mani": "마니"}) == (
        "What kind of family did 마니의 mother come from, and what is Manichaeism?"
    )


def test_romanization_is_revised_romanization_letter_by_letter() -> None:
    assert romanized("광주") == "gwangju"
    assert romanized("김민희") == "gimminhui"
    assert romanized("울산 Ulsan") == "ulsan"


def test_a_spelling_from_the_corpus_reads_the_word_as_english_writes_it() -> None:
    # 일산 (ilsan) reads L-S-N as Ulsan does and is more frequent; 울산광역시 without its
    # administrative unit is ulsan.
    spellings = Spellings({"일산": 5, "울산광역시": 2})
    assert spellings.spell("Ulsan", 0.6) == "울산광역시"
    # Under the closeness asked for, no word is a spelling.
    assert Spellings({"일산": 5}).spell("Ulsan", 0.9) is None
    assert Spellings({"야쿠르트": 2}).spell("Giroud") is None


def test_a_name_written_family_name_first_is_spelled_word_by_word() -> None:
    # Kiwi reads 기타가와 as a morpheme whole, though its 와 looks like a particle.
    text = "기타가와 히로토시는 니혼 대학에 진학했다."
    forms = {"기타가와", "히로토시", "니혼", "대학", "진학"}
    spelled = hangul_spellings(["Hirotoshi Kitagawa"], text, forms, {"기타가와", "히로토시"})
    assert spelled == {"Hirotoshi Kitagawa": "히로토시 기타가와"}


def test_a_name_of_several_words_keeps_the_words_no_text_spells() -> None:
    # 부여복신 is the other name of 귀실복신: "Boksin" alone finds it.
    text = "귀실복신은 원래 이름이 부여복신이다."
    forms = {"부여복신", "원래", "이름"}
    assert hangul_spellings(["Gwisil Boksin"], text, forms, {"부여복신"}) == {
        "Gwisil Boksin": "Gwisil 부여복신"
    }
    # Words of fewer than three sounds, or not near in letters, are not spelled alone:
    # Pearl (P-L) would be 파리, Defense 도피안사.
    text = "파리와 도피안사를 보았다."
    forms = {"파리", "도피안사", "보"}
    assert hangul_spellings(["Pearl Harbor", "Global Defense"], text, forms, forms) == {}
