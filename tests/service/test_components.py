"""The service's small parts on their own: the API article overlay and its file, the rate
limiter, the job store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import IndexLoadError, NotFoundError
from index.models import Article
from service.article_store import ArticleStore, Overlay
from service.errors import RateLimitedError
from service.jobs import JobStore
from service.ratelimit import RateLimiter


def art(article_id: str, text: str = "본문이다.") -> Article:
    return Article(id=article_id, title=article_id, text=text)


def test_overlay_applies_upserts_in_place_appends_new_and_drops_deleted() -> None:
    base = [art("a"), art("b"), art("c")]
    overlay = Overlay().with_upserts([art("b", "새 본문."), art("z")]).with_deletions(["c"])
    assert [(a.id, a.text) for a in overlay.apply(base)] == [
        ("a", "본문이다."),
        ("b", "새 본문."),
        ("z", "본문이다."),
    ]
    assert overlay.counts() == {"upserted": 2, "deleted": 1}
    # An upsert lifts a tombstone; a delete forgets an upsert.
    again = overlay.with_upserts([art("c", "돌아왔다.")]).with_deletions(["z"])
    assert [a.id for a in again.apply(base)] == ["a", "b", "c"]
    assert again.deletions == {"z"}


def test_overlay_knows_when_an_index_is_behind() -> None:
    overlay = Overlay().with_upserts([art("b", "새 본문.")]).with_deletions(["c"])
    assert overlay.pending([art("a"), art("b"), art("c")])
    assert overlay.pending([art("a"), art("b", "새 본문.")]) is False
    assert overlay.pending([art("a")])


def test_article_store_round_trip_and_atomic_file(tmp_path: Path) -> None:
    store = ArticleStore.for_index(tmp_path / "index")
    assert len(store.load()) == 0
    overlay = Overlay().with_upserts([art("a", "가.\n\n나.")]).with_deletions(["x"])
    store.save(overlay)
    assert ArticleStore.for_index(tmp_path / "index").load() == overlay
    lines = [json.loads(x) for x in store.path.read_text(encoding="utf-8").splitlines()]
    assert {line["op"] for line in lines} == {"upsert", "delete"}
    assert [p.name for p in store.path.parent.iterdir()] == [store.path.name]


def test_article_store_refuses_a_damaged_file(tmp_path: Path) -> None:
    store = ArticleStore(tmp_path / "api-articles.jsonl")
    store.path.write_text('{"op": "upsert", "article": {"id": "a"}}\n', encoding="utf-8")
    with pytest.raises(IndexLoadError, match=":1:"):
        store.load()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limiter_bursts_then_refills_per_client() -> None:
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    limiter.check("a")
    limiter.check("a")
    with pytest.raises(RateLimitedError) as caught:
        limiter.check("a")
    assert caught.value.retry_after == 30
    limiter.check("b")  # another client has its own bucket
    clock.now += 30
    limiter.check("a")
    with pytest.raises(RateLimitedError):
        limiter.check("a")


def test_rate_limiter_disabled_at_zero() -> None:
    limiter = RateLimiter(0)
    for _ in range(1000):
        limiter.check("a")


def test_job_store_marks_interrupted_jobs_failed(tmp_path: Path) -> None:
    store = JobStore(tmp_path)
    job = store.create("rebuild")
    store.start(job)
    done = store.create("rebuild")
    store.succeed(done, {"version": "v"})
    recovered = JobStore(tmp_path)
    assert [j.id for j in recovered.recover()] == [job.id]
    assert recovered.get(job.id).status == "failed"
    assert recovered.get(job.id).error["code"] == "interrupted"
    assert recovered.get(done.id).status == "succeeded"
    with pytest.raises(NotFoundError):
        recovered.get("nope")


def test_service_public_names() -> None:
    import service

    for name in service.__all__:
        assert getattr(service, name) is not None
