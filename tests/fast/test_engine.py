"""The engine without the web stack or a job queue: what the CLI or a script can do."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.errors import BuildCancelledError, ConflictError, NotFoundError
from index.models import Article
from service.engine import IndexEngine
from service.indexer import IndexManager
from service.metrics import Metrics
from service.serving import IndexHolder
from tests.fakes import fake_components, fake_settings


def test_engine_builds_writes_and_reopens_without_the_app(
    kiwi, sample_articles: list[Article], tmp_path: Path
) -> None:
    settings = fake_settings(tmp_path)
    comps = fake_components(settings, kiwi=kiwi)
    try:
        engine = IndexEngine(settings, comps)
        assert not engine.has_index()
        with engine.writing(timeout=1):
            _, served = engine.build(sample_articles[:2])
        assert engine.holder.require() is served

        result = engine.upsert([Article(id="n1", title="새 기사", text="새 문장이다. 또 있다.")])
        assert result["created"] == 1
        assert engine.delete("n1")["deleted"] == "n1"
        with pytest.raises(NotFoundError):
            engine.delete("n1")
        # A second engine on the same directory (another process, say) sees it all.
        other = IndexEngine(settings, comps)
        assert other.open().version == engine.holder.require().version
        assert "n1" in other.store.load().deletions

        # One writer at a time; a cancelled engine refuses further writes.
        with (
            engine.writing(timeout=1),
            pytest.raises(ConflictError),
            engine.writing(timeout=0.3),
        ):
            pass
        engine.cancel()
        with pytest.raises(BuildCancelledError):
            engine.upsert([Article(id="n2", title="t", text="문장.")])
    finally:
        comps.cache.close()


def test_a_damaged_current_version_falls_back_to_the_one_before(
    kiwi, sample_articles: list[Article], tmp_path: Path
) -> None:
    settings = fake_settings(tmp_path)
    comps = fake_components(settings, kiwi=kiwi)
    try:
        engine = IndexEngine(settings, comps)
        with engine.writing(timeout=1):
            _, first = engine.build(sample_articles[:2])
        engine.upsert([Article(id="late", title="늦은 기사", text="늦게 온 문장이다.")])
        damaged = engine.holder.require().index.folder
        (damaged / "passages.npy").write_bytes(b"damaged")

        manager = IndexManager(settings, comps, IndexHolder(), Metrics())
        manager.start()
        # The version before serves at once; a sync builds a good one with the API write.
        assert manager.holder.require().version == first.version
        manager._executor.shutdown(wait=True)
        now = manager.holder.require()
        assert now.version not in (first.version, damaged.name)
        assert now.index.article("late").text == "늦게 온 문장이다."
    finally:
        comps.cache.close()
