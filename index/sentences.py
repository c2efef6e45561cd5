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
            for sent in self.kiwi.split_into_sents(line, return_tokens=True):
                yield Span(offset + sent.start, offset + sent.end), sent.tokens
        else:
            for span in _rule_split(line, offset):
                yield span, None

    @staticmethod
    def _trim(text: str, span: Span) -> Span | None:
        start, end = span.start, span.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Span(start, end) if end > start else None
