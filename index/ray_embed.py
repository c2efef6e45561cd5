"""Embedding the texts a build is missing on a Ray cluster.

Reading, cleaning, splitting and the embedding cache stay in the build's process (they
are cheap); only the texts missing from the cache travel. They are cut into chunks of the
build's encoder batch size, in the order the local build would embed them, so every
chunk is encoded exactly as it would be in process and the vectors are the same bit for
bit. A Ray Data ``map_batches`` over the chunks runs an actor pool: each actor loads one
encoder once and encodes chunk after chunk. The vectors come back to the driver, which
writes them to the cache and builds FAISS, BM25, the manifest and the probe as usual.

Sizing: one actor per ``threads`` CPUs of the cluster (``threads`` = the encoder threads
of one actor, the build's ``num_threads`` or 1), at most one per chunk. Failures: an
actor that dies is restarted and its chunk retried (Ray Data's fault tolerance for actor
pools, which retries without a limit: an actor that dies on every chunk stalls the build
rather than failing it, which the job's progress shows); an error raised by the encoder
fails the build, which never changes ``CURRENT`` (the version is written only after
embedding). A cluster that cannot be reached is reported by :func:`connect`, which the
build calls before it reads anything.

Memory: the driver holds every vector of the build (the build writes them into one
version anyway): 1.5 KB per text at 384 dimensions, so ~150 GB at 100M texts. Beyond
what one machine holds, the index itself must be sharded (docs/scale.md).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders import Embedder, create_embedder
from index.errors import ArticleQAError, BuildError

log = logging.getLogger("article_qa.index")
LOCAL = "local"
LOOPBACK_ONLY = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"
AUTO = "auto"
CONNECT_TIMEOUT_SECONDS = 5.0
EmbedderFactory = Callable[[], Embedder]


class ClusterUnavailableError(BuildError):
    """Ray is not installed, or the cluster cannot be reached (raised before any work)."""

    status = 503
    code = "cluster_unavailable"


@dataclass(frozen=True)
class EmbedderSpec:
    """What an actor needs to load the same encoder as the build (picklable)."""

    backend: str
    model: str | None
    query_prompt: str = ""
    passage_prompt: str = ""
    num_threads: int | None = None
    # Where the onnx backend finds (or makes) its converted model, on the actor's machine.
    cache_dir: str | None = None
    device: str = "cpu"

    def __call__(self) -> Embedder:
        return create_embedder(
            self.backend,  # type: ignore[arg-type]
            self.model,
            query_prompt=self.query_prompt,
            passage_prompt=self.passage_prompt,
            num_threads=self.num_threads or 1,
            cache_dir=Path(self.cache_dir) if self.cache_dir else None,
            device=self.device,
        )


def _import_ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise ClusterUnavailableError(
            "Ray is not installed: pip install 'article-qa[ray]'"
        ) from exc
    return ray


def _check_reachable(address: str) -> None:
    """A plain TCP connection first: Ray's own client retries for a long time before it
    gives up on an address where nothing listens."""
    target = address.removeprefix("ray://")
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        raise ClusterUnavailableError(
            f"Ray address {address!r} is not 'auto', 'local', HOST:PORT or ray://HOST:PORT"
        )
    try:
        with socket.create_connection((host, int(port)), timeout=CONNECT_TIMEOUT_SECONDS):
            pass
    except OSError as exc:
        raise ClusterUnavailableError(
            f"cannot reach the Ray cluster at {address}: {exc}",
            details={"address": address},
        ) from exc


def connect(target: str, *, num_cpus: int | None = None) -> None:
    """Join the cluster named by ``target`` (or start a local one), unless this process
    is connected already. ``auto`` is the cluster of ``ray start`` on this machine (or
    ``RAY_ADDRESS``); ``local`` starts one inside this process (``num_cpus``, default all);
    anything else is HOST:PORT of a head node or ray://HOST:PORT of a Ray Client server."""
    if target == LOCAL:
        # Ray's single-machine mode: every Ray process listens on 127.0.0.1 only (by
        # default they listen on all interfaces). Read when Ray is imported, so it holds
        # only where this is the first import of Ray in the process.
        os.environ.setdefault(LOOPBACK_ONLY, "0")
    ray = _import_ray()
    if ray.is_initialized():
        return
    quiet: dict[str, Any] = {"log_to_driver": False, "configure_logging": False}
    # ray.init on the main thread replaces the SIGTERM handler (a server's graceful stop);
    # the one there before is put back. On another thread it cannot, but then a local
    # cluster's agent processes outlive ray.shutdown(): servers connect on the main thread.
    on_main = threading.current_thread() is threading.main_thread()
    previous = signal.getsignal(signal.SIGTERM) if on_main else None
    try:
        if target == LOCAL:
            ray.init(num_cpus=num_cpus, include_dashboard=False, **quiet)
        elif target == AUTO:
            ray.init(address=AUTO, **quiet)
        else:
            _check_reachable(target)
            ray.init(address=target, **quiet)
    except ClusterUnavailableError:
        raise
    except Exception as exc:  # ConnectionError, RuntimeError, ValueError from ray.init
        raise ClusterUnavailableError(
            f"cannot connect to the Ray cluster ({target}): {exc}", details={"address": target}
        ) from exc
    finally:
        if on_main and previous is not None:
            signal.signal(signal.SIGTERM, previous)


def disconnect() -> None:
    """Leave the cluster (and stop a local one that :func:`connect` started), so that no
    Ray process outlives the command or the server."""
    try:
        import ray
    except ImportError:
        return
    if ray.is_initialized():
        ray.shutdown()


class _EncodeChunks:
    """The actor: one encoder, loaded once, encoding whole chunks."""

    def __init__(self, factory: EmbedderFactory) -> None:
        self.embedder = factory()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        vectors = [
            np.ascontiguousarray(self.embedder.embed_passages(list(texts)), np.float32).tobytes()
            for texts in batch["texts"]
        ]
        return {"chunk": batch["chunk"], "vectors": np.array(vectors, dtype=object)}


class RayEmbedder:
    """The build's ``embed_missing`` hook: ``embed(texts, on_progress)`` returns the
    vectors of ``texts`` in order, encoded by an actor pool on the connected cluster."""

    def __init__(
        self,
        factory: EmbedderFactory,
        *,
        dim: int,
        chunk_size: int = 32,
        threads: int = 1,
        max_actors: int | None = None,
    ) -> None:
        self.factory = factory
        self.dim = dim
        self.chunk_size = max(1, chunk_size)
        self.threads = max(1, threads)
        self.max_actors = max_actors

    def actors_for(self, chunks: int) -> int:
        """One actor per ``threads`` CPUs of the cluster, no more than there are chunks."""
        ray = _import_ray()
        cpus = int(ray.cluster_resources().get("CPU", 1))
        actors = max(1, cpus // self.threads)
        if self.max_actors:
            actors = min(actors, self.max_actors)
        return max(1, min(actors, chunks))

    def __call__(
        self, texts: Sequence[str], on_progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not len(texts):
            return out
        _import_ray()
        import ray.data

        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        rows = [
            {"chunk": i, "texts": list(texts[start : start + self.chunk_size])}
            for i, start in enumerate(range(0, len(texts), self.chunk_size))
        ]
        actors = self.actors_for(len(rows))
        log.info(
            "embedding %d texts on Ray: %d chunks of up to %d, up to %d actors",
            len(texts),
            len(rows),
            self.chunk_size,
            actors,
        )
        dataset = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            _EncodeChunks,
            fn_constructor_kwargs={"factory": self.factory},
            batch_size=1,
            batch_format="numpy",
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=actors),
            num_cpus=self.threads,
        )
        done = 0
        try:
            for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                for chunk, blob in zip(batch["chunk"], batch["vectors"], strict=True):
                    start = int(chunk) * self.chunk_size
                    vectors = np.frombuffer(blob, dtype=np.float32).reshape(-1, self.dim)
                    out[start : start + len(vectors)] = vectors
                    done += len(vectors)
                    if on_progress:
                        on_progress(done)
        except ArticleQAError:
            raise  # from on_progress: the build was cancelled (a server shutting down)
        except Exception as exc:  # a task error raised by the encoder, or Ray giving up
            raise BuildError(f"embedding on Ray failed: {_first_line(exc)}") from exc
        if done != len(texts):
            raise BuildError(f"embedding on Ray returned {done} of {len(texts)} vectors")
        return out


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1] if text else type(exc).__name__
