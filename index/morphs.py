"""What sentence selection needs to know about each sentence's morphemes, computed once
at build time and stored beside the vectors.

Kiwi analysis costs about 1 ms per sentence; doing it for the ~25 candidate sentences
of every question was a third of a query's time (docs/performance.md). The build gets
the morphemes for free from Kiwi's sentence splitter, so it stores the few facts the
answerer uses: content forms, names, whether the Korean subject is left out, and the
character bigrams that lexical coverage compares with the question's (tokenizing every
candidate sentence at query time cost more than the rest of selection).

On disk: ``morphs.txt`` holds one line per sentence row
(``<elided 0|1>\\t<forms>\\t<names>\\t<bigrams>``, words separated by spaces) and
``morphs_offsets.npy`` the byte offset of each line (plus the end), so that the file is
memory-mapped and only the rows a question touches are decoded.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.text import bigram_tokens

# Kiwi tags that carry content: nouns, verb/adjective stems, roots, foreign words,
# numbers and hanja. Particles and endings are noise for matching.
CONTENT_TAGS = ("NNG", "NNP", "NNB", "NR", "NP", "VV", "VA", "XR", "SL", "SN", "SH", "MAG")
TEXT_FILE = "morphs.txt"
OFFSETS_FILE = "morphs_offsets.npy"


def content_form(form: str, tag: str) -> str:
    """Latin words are matched case-insensitively; Korean forms as they are."""
    return form.lower() if tag == "SL" else form


def elided_subject(tokens: Sequence) -> bool:
    """A Korean clause with a predicate but no subject or topic particle before it
    ("4일 뒤 … 다시 득점에 성공했다") continues the subject of an earlier sentence."""
    has_korean = any(t.tag.startswith(("NN", "VV", "VA")) for t in tokens)
    if not has_korean:
        return False
    for prev, tok in zip(tokens, tokens[1:], strict=False):
        if tok.tag == "JKS":
            return False
        # 은/는 right after a noun marks the topic; after an adverbial ("뒤에는") it does not.
        if (
            tok.tag == "JX"
            and tok.form in ("은", "는")
            and prev.tag.startswith(("NN", "NP", "NR", "SL", "SN", "SH", "SS", "XSN", "ETN"))
        ):
            return False
    return any(t.tag in ("EF", "EC") for t in tokens)


def _word(form: str) -> str:
    # A form never holds whitespace in practice; the file format relies on it.
    return "_".join(form.split()) or "_"


@dataclass(frozen=True)
class SentenceMorphs:
    forms: frozenset[str]  # content morpheme forms (Latin lower-cased)
    names: frozenset[str]  # proper nouns and capitalised Latin words, as written
    elided_subject: bool
    bigrams: frozenset[str] = frozenset()  # bigram_tokens of the sentence

    @classmethod
    def from_tokens(cls, tokens: Sequence, text: str) -> SentenceMorphs:
        return cls(
            forms=frozenset(
                _word(content_form(t.form, t.tag)) for t in tokens if t.tag.startswith(CONTENT_TAGS)
            ),
            # "km" or "pt" are units, not names: Latin words count when capitalised.
            names=frozenset(
                _word(t.form)
                for t in tokens
                if t.tag == "NNP" or (t.tag == "SL" and t.form[:1].isupper())
            ),
            elided_subject=elided_subject(tokens),
            bigrams=frozenset(bigram_tokens(text)),
        )

    def encode(self) -> str:
        return (
            f"{int(self.elided_subject)}\t{' '.join(sorted(self.forms))}\t"
            f"{' '.join(sorted(self.names))}\t{' '.join(sorted(self.bigrams))}"
        )

    @classmethod
    def decode(cls, line: str) -> SentenceMorphs:
        flag, forms, names, bigrams = line.split("\t")
        return cls(
            frozenset(forms.split()),
            frozenset(names.split()),
            flag == "1",
            frozenset(bigrams.split()),
        )


class MorphTable:
    """Sentence morphemes by sentence row, read-only and safe to share between threads."""

    def __init__(self, data: bytes | mmap.mmap, offsets: np.ndarray) -> None:
        self._data = data
        self._offsets = offsets

    @classmethod
    def from_morphs(cls, items: Iterable[SentenceMorphs]) -> MorphTable:
        lines = [(m.encode() + "\n").encode() for m in items]
        offsets = np.zeros(len(lines) + 1, dtype=np.int64)
        np.cumsum([len(b) for b in lines], out=offsets[1:])
        return cls(b"".join(lines), offsets)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, row: int) -> SentenceMorphs:
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        return SentenceMorphs.decode(self._data[start : end - 1].decode())

    def save(self, folder: Path) -> None:
        (folder / TEXT_FILE).write_bytes(bytes(self._data))
        np.save(folder / OFFSETS_FILE, self._offsets)

    @classmethod
    def load(cls, folder: Path) -> MorphTable:
        offsets = np.load(folder / OFFSETS_FILE, allow_pickle=False)
        with (folder / TEXT_FILE).open("rb") as fh:
            size = fh.seek(0, 2)
            data: bytes | mmap.mmap = (
                mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            )
        if int(offsets[-1]) != size:
            raise ValueError(f"{TEXT_FILE} has {size} bytes, its offsets say {int(offsets[-1])}")
        return cls(data, offsets)
