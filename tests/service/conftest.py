"""Fixtures of the HTTP service tests: real ``article-qa serve`` processes on loopback
ports, with the real model, Kiwi and index, sharing the session's embedding cache
(``embedding_cache_dir`` from tests/conftest.py).

* ``server``: the session's main server. It starts on an empty index directory with
  data/sample as its source, so it builds its index at startup. Admin token set, CORS
  for ``https://widget.example``, JSON logs, small limits.
* ``spawn``: starts further servers with other settings; stops them at the test's end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.service.server import ADMIN_TOKEN, SAMPLE_DIR, Server, base_env

WIDGET_ORIGIN = "https://widget.example"
MAIN_SETTINGS: dict[str, Any] = {
    "sources": [str(SAMPLE_DIR)],
    "admin_token": ADMIN_TOKEN,
    "cors_origins": [WIDGET_ORIGIN],
    "log_json": "true",
    "max_question_chars": 300,
    "max_body_bytes": 200_000,
    "max_top_k": 10,
    "max_batch_articles": 5,
    "as_of": "2025-12-31",  # the sample questions' "올해" is 2025
}


@pytest.fixture(scope="session")
def server_env(embedding_cache_dir: Path) -> dict[str, str]:
    return base_env(embedding_cache_dir)


@pytest.fixture(scope="session")
def server(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("main-server"), server_env, MAIN_SETTINGS)
    with srv.serving():
        yield srv


@pytest.fixture(scope="session")
def admin() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def spawn(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., Server]]:
    """``spawn(name, index_dir=None, **settings)`` makes a (not yet started) server with
    those settings (on its own index directory unless ``index_dir`` is given)."""
    started: list[Server] = []

    def make(name: str, index_dir: Path | None = None, **settings: Any) -> Server:
        srv = Server(tmp_path_factory.mktemp(name), server_env, settings, index_dir=index_dir)
        started.append(srv)
        return srv

    yield make
    for srv in started:
        srv.close()
