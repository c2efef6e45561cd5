"""Sentence splitting with character offsets into canonical text.

Korean goes through Kiwi; other text through a rule-based splitter that knows
common abbreviations, decimals and initials. Lines are hard boundaries: a headline
or a subheading never merges with the sentence after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from index.models import Span
from index.morphs import SentenceMorphs
from index.text import is_korean

if TYPE_CHECKING:
    from kiwipiepy import Kiwi

_ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "mt",
    "vs",
    "etc",
    "inc",
    "ltd",
    "co",
    "corp",
    "gov",
    "gen",
    "sen",
    "rep",
    "no",
    "fig",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "e.g",
    "i.e",
    "u.s",
    "u.k",
    "a.m",
    "p.m",
    "approx",
    "est",
    "dept",
    "univ",
}
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, whitespace.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


def load_kiwi() -> Kiwi:
    """Load Kiwi once (about a second and a few hundred MB); callers keep the instance."""
    from kiwipiepy import Kiwi

    return Kiwi()


def _rule_split(text: str, offset: int) -> Iterator[Span]:
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        head = text[start : match.start()]
        word = _WORD_BEFORE.search(head)
        if match.group().startswith(".") and word:
            token = word.group(1).lower().rstrip(".")
            # "U.S." / "Dr." / single initials like "J." do not end a sentence.
            if token in _ABBREVIATIONS or len(token) == 1:
                continue
        nxt = text[end:].lstrip()
        if nxt and nxt[0].islower():
            continue
        yield Span(offset + start, offset + end)
        start = end
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        yield Span(offset + start, offset + len(text))


_OPENERS = "([（［「『"
_CLOSERS = ")]）］」』"
# Kiwi tags that cannot open a sentence: particles, endings, suffixes, the copula.
_LEANS_BACK = ("J", "E", "XS", "VCP")
# A piece of a line: start, end (offsets into the line), Kiwi's tokens (None: not Korean).
_Piece = tuple[int, int, list | None]


def _mend(line: str, pieces: list[_Piece]) -> list[_Piece]:
    """Mends the splits that fall where no sentence ends: inside brackets (Kiwi ends a
    sentence at the "?" of "광개토왕(374년 ~ 412년?, 재위: 391년? ~ 412년?)") the piece
    joins the one before it; a piece that opens with a particle, an ending, a suffix or
    the copula ("은 고구려의 제19대 군주이다.", "로 첫 솔로 곡을" after 'X 되었다. "다음
    날"') takes back the words after the last sentence end of the one before it, or
    joins it whole."""
    out: list[_Piece] = []
    for start, end, tokens in pieces:
        if out:
            p_start, p_end, p_tokens = out[-1]
            if _unclosed(line[p_start:start]) and _closes_outer(line[start:]):
                out[-1] = (p_start, end, _join(p_tokens, tokens))
                continue
            if tokens and tokens[0].tag.startswith(_LEANS_BACK):
                cut = _last_end(line, p_start, p_end)
                if cut is None:
                    out[-1] = (p_start, end, _join(p_tokens, tokens))
                    continue
                head = [t for t in p_tokens or () if t.start < cut]
                tail = [t for t in p_tokens or () if t.start >= cut]
                out[-1] = (p_start, cut, head if p_tokens is not None else None)
                start, tokens = cut, tail + tokens
        out.append((start, end, tokens))
    return out


def _join(a: list | None, b: list | None) -> list | None:
    return a + b if a is not None and b is not None else None


_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")


def _last_end(line: str, start: int, end: int) -> int | None:
    """Where the last sentence inside ``line[start:end]`` ends, outside brackets (the
    start of the words after it); None when there is none."""
    cut = None
    for m in _END.finditer(line, start, end):
        if m.end() < end and not _unclosed(line[start : m.start()]):
            cut = m.end()
    return cut


def _unclosed(text: str) -> bool:
    depth = 0
    for ch in text:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS and depth:
            depth -= 1
    return depth > 0


def _closes_outer(text: str) -> bool:
    """``text`` closes a bracket that it did not open: the rest of the line ends what the
    pieces before it opened (brackets opened and closed inside it do not count)."""
    depth = 0
    for ch in text:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            if not depth:
                return True
            depth -= 1
    return False


class SentenceSplitter:
    """Splits canonical text into sentence spans. Cheap to construct; Kiwi is loaded on
    first Korean text unless one is passed in (the app shares one Kiwi)."""

    def __init__(self, kiwi: Kiwi | None = None) -> None:
        self._kiwi = kiwi

    @property
    def kiwi(self) -> Kiwi:
        if self._kiwi is None:
            self._kiwi = load_kiwi()
        return self._kiwi

    def split(self, text: str) -> list[Span]:
        return [span for span, _ in self._sentences(text)]

    def analyze(self, text: str) -> list[tuple[Span, SentenceMorphs]]:
        """Sentence spans with their morphemes (Kiwi analyses Korean lines while it
        splits them, so the morphemes cost nothing extra there)."""
        out: list[tuple[Span, SentenceMorphs]] = []
        for span, tokens in self._sentences(text):
            if tokens is None:
                tokens = self.kiwi.tokenize(text[span.start : span.end])
            sentence = text[span.start : span.end]
            out.append((span, SentenceMorphs.from_tokens(tokens, sentence)))
        return out

    def _sentences(self, text: str) -> Iterator[tuple[Span, list | None]]:
        pos = 0
        for line in text.split("\n"):
            if line.strip():
                for span, tokens in self._split_line(line, pos):
                    trimmed = self._trim(text, span)
                    if trimmed is not None:
                        yield trimmed, tokens
            pos += len(line) + 1

    def _split_line(self, line: str, offset: int) -> Iterator[tuple[Span, list | None]]:
        if is_korean(line):
            pieces = [
                (s.start, s.end, list(s.tokens))
                for s in self.kiwi.split_into_sents(line, return_tokens=True)
            ]
        else:
            pieces = [(s.start, s.end, None) for s in _rule_split(line, 0)]
        for start, end, tokens in _mend(line, pieces):
            yield Span(offset + start, offset + end), tokens

    @staticmethod
    def _trim(text: str, span: Span) -> Span | None:
        start, end = span.start, span.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Span(start, end) if end > start else None
