"""Short forms in a question, read as the names the articles write out: "삼전 3분기 실적"
asks about 삼성전자, "한은 기준금리" about 한국은행.

Korean readers shorten a compound to the first syllable of each part, and Kiwi reads an
unknown short form as syllables (삼전: the numeral 삼 and the noun 전), so the question
then shares no term with the article and its vector drifts from it. The names come from
the passages the question first retrieved: a noun of the question that neither the
corpus nor those passages write, and that shortens exactly one proper noun they name,
is replaced by that noun and the question asked again (qa/answerer.py). Nothing is
guessed from outside the corpus.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from qa.keys import is_short_form, strip_particle

_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
# More particles than the key check strips: a question joins names with 와/과, 도, 로.
_PARTICLES = "이가은는을를의에와과도로만"


def short_forms(words: Iterable[str], names: Iterable[str], text: str) -> dict[str, str]:
    """``{short form: name}`` for the ``words`` (:func:`candidates`) that ``text`` (the
    passages the names come from) does not write and that shorten exactly one of
    ``names``."""
    longs = sorted({n for n in names if _HANGUL_WORD.fullmatch(n)})
    out: dict[str, str] = {}
    for word in words:
        if word in text:
            continue
        found = [name for name in longs if is_short_form(word, name)]
        if len(found) == 1:
            out[word] = found[0]
    return out


def candidates(
    question: str, corpus_writes: Callable[[str], bool], tokens: Sequence[Any] | None = None
) -> list[str]:
    """The nouns of ``question`` (a trailing particle set aside) of two or three
    syllables that the corpus does not write. A word the corpus writes is one of its own
    ("경기" is no short form of 경남기업); one it does not could only be met through a
    long form. With Kiwi's ``tokens`` of the question, a word whose morphemes are not
    all nouns is none: a verb ("열렸나"), a pronoun ("어디", "누구인")."""
    out: list[str] = []
    for m in _HANGUL_WORD.finditer(question):
        word = strip_particle(m.group(), _PARTICLES)  # 삼전과 -> 삼전
        if not 2 <= len(word) <= 3 or word in out or corpus_writes(word):
            continue
        if tokens is not None and not _nominal(tokens, m.start(), m.start() + len(word)):
            continue
        out.append(word)
    return out


def _nominal(tokens: Sequence[Any], start: int, end: int) -> bool:
    """Kiwi reads ``question[start:end]`` as nouns only: names, common nouns, numerals
    and bound nouns, an unknown short form among them (삼전: 삼/NR + 전/NNB)."""
    inside = [t for t in tokens if start <= t.start < end]
    return bool(inside) and all(t.tag in _NOUN_TAGS for t in inside)


_NOUN_TAGS = frozenset({"NNG", "NNP", "NNB", "NR"})


def read_out(question: str, forms: dict[str, str]) -> str:
    """``question`` with each short form written out, its particle kept and matched to
    the name's last syllable ("삼전은" -> "삼성전자는", "한은의" -> "한국은행의")."""
    if not forms:
        return question
    words = "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![\uac00-\ud7a3])({words})([{_PARTICLES}]?)(?![\uac00-\ud7a3])")

    def write_out(m: re.Match[str]) -> str:
        name, particle = forms[m.group(1)], m.group(2)
        return name + _PARTICLE_AFTER[_has_final(name)].get(particle, particle)

    return pattern.sub(write_out, question)


# A particle's form after a syllable without a final consonant (False) or with one (True).
_PARTICLE_AFTER = {
    False: {"은": "는", "이": "가", "을": "를", "과": "와"},
    True: {"는": "은", "가": "이", "를": "을", "와": "과"},
}  # 로/으로 is left as written: 으로 is two syllables, and a short form rarely takes it


def _has_final(word: str) -> bool:
    return (ord(word[-1]) - 0xAC00) % 28 != 0
