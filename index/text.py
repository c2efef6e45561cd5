"""Canonical article text: the string every stored offset points into."""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile("[ \t\u00a0\u3000\u2002-\u200a]+")
_BLANKS = re.compile(r"\n{3,}")
# Hangul syllables: the unit of Korean character bigrams (tokens, below).
_HANGUL = re.compile("[\uac00-\ud7a3]")
# Any Hangul letter, jamo included ("ㅋㅋ"): the one rule for "is this Korean".
_HANGUL_LETTER = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3131-\u318e]")
_LETTER = re.compile(r"[^\W\d_]")


def canonicalize(text: str) -> str:
    """NFC, no control or zero-width characters, one space between words, paragraphs
    separated by one blank line. Idempotent, so re-canonicalizing stored text is a no-op."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    text = _CONTROL.sub(" ", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


# Characters that show nothing: format characters (zero-width space, joiners, BOM, bidi
# marks), separators, and the Hangul fillers, which render as blanks.
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"}
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """True when ``text`` has nothing visible: only whitespace, zero-width and other
    format characters, combining marks or fillers. A question like that is empty."""
    return all(
        c in _FILLERS or c.isspace() or unicodedata.category(c) in _INVISIBLE_CATEGORIES
        for c in text
    )


def iso_date(
    year: str, month: str, day: str, hour: str | None, minute: str | None, second: str | None
) -> str:
    """``YYYY-MM-DD``, with ``THH:MM:SS`` when a time is given."""
    iso = f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    if hour is not None:
        iso += f"T{int(hour):02d}:{int(minute or 0):02d}:{int(second or 0):02d}"
    return iso


def is_korean(text: str) -> bool:
    """The one language rule (sentence splitting, the ``lang`` of an article without one,
    chat follow-ups, the language of OpenAI-format replies): True when Hangul makes up at
    least a fifth of the letters, so "그럼 LG전자는?" is Korean and an English sentence
    that quotes one Korean word is not."""
    letters = len(_LETTER.findall(text))
    return letters > 0 and len(_HANGUL_LETTER.findall(text)) * 5 >= letters


def guess_lang(text: str) -> str:
    return "ko" if is_korean(text) else "en"


_WORD = re.compile(r"\w+")


def bigram_tokens(text: str) -> list[str]:
    """Character bigrams of Hangul words, whole lower-cased other words: the tokens of
    BM25 and of the bigram coverage in sentence selection."""
    tokens: list[str] = []
    for word in _WORD.findall(text.lower().replace("_", " ")):
        if _HANGUL.search(word) and len(word) > 1:
            tokens.extend(word[i : i + 2] for i in range(len(word) - 1))
        else:
            tokens.append(word)
    return tokens
