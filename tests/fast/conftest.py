"""Fixtures of the fast tier: the deterministic fake embedder (tests/fakes.py), the real
Kiwi (loaded once per session) and small in-memory corpora. No model, no server."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from index.models import Article
from index.readers import read_sources
from index.sentences import load_kiwi
from index.store import LoadedIndex
from qa.answerer import Answerer
from service.app import create_app
from service.components import Components
from tests.fakes import fake_components, fake_settings
from tests.helpers import SAMPLE_DIR


@pytest.fixture(scope="session")
def kiwi():
    return load_kiwi()


@pytest.fixture(scope="session")
def sample_articles() -> list[Article]:
    return read_sources([SAMPLE_DIR]).articles


@pytest.fixture(scope="session")
def fake_session_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fake")


@pytest.fixture(scope="session")
def fake_comps(kiwi, fake_session_dir: Path) -> Components:
    comps = fake_components(fake_settings(fake_session_dir), kiwi=kiwi)
    yield comps
    comps.cache.close()


@pytest.fixture(scope="session")
def fake_index(fake_comps: Components, sample_articles: list[Article], fake_session_dir: Path):
    """data/sample indexed with the fake embedder (read only)."""
    _, index = fake_comps.build(sample_articles, fake_session_dir / "sample-index")
    return index


@pytest.fixture(scope="session")
def fake_answerer(fake_comps: Components, fake_index: LoadedIndex) -> Answerer:
    return fake_comps.answerer(fake_index)


FAST_ADMIN_TOKEN = "fast-admin-token-0123456789"
FAST_APP_SETTINGS: dict[str, object] = {
    "admin_token": FAST_ADMIN_TOKEN,
    "max_question_chars": 300,
    "max_body_bytes": 200_000,
    "max_top_k": 10,
    "max_batch_articles": 5,
    "write_wait_seconds": 30,
}


@pytest.fixture(scope="session")
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {FAST_ADMIN_TOKEN}"}


def make_client(kiwi, folder: Path, articles: list[Article], **overrides: object) -> TestClient:
    """A TestClient (not yet entered) of the real app over ``articles`` indexed with the
    fake embedder in ``folder``."""
    settings = fake_settings(folder, **{**FAST_APP_SETTINGS, **overrides})
    comps = fake_components(settings, kiwi=kiwi)
    comps.build(articles, settings.index_dir)
    return TestClient(create_app(settings, comps), raise_server_exceptions=False)


@pytest.fixture(scope="session")
def client(kiwi, sample_articles: list[Article], tmp_path_factory: pytest.TempPathFactory):
    """The session's in-process app over data/sample (fake embedder). Tests that write
    articles use ``writable_client``."""
    with make_client(kiwi, tmp_path_factory.mktemp("fast-app"), sample_articles) as c:
        yield c


@pytest.fixture
def writable_client(kiwi, sample_articles: list[Article], tmp_path: Path):
    with make_client(kiwi, tmp_path, sample_articles[:4]) as c:
        yield c
