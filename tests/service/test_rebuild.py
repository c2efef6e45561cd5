"""POST /v1/index/rebuild and its job; API articles and deletions across rebuilds; the
atomic swap while queries, upserts and a rebuild run at the same time."""

from __future__ import annotations

import threading
import time
from collections import Counter

import httpx

from tests.service.server import Server, assert_error
from tests.service.test_articles import unique_article, upsert

SAMSUNG = "삼성전자의 3분기 영업이익은 얼마야?"


def rebuild(server: Server, admin: dict) -> dict:
    response = server.client.post("/v1/index/rebuild", headers=admin)
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["kind"] == "rebuild" and job["status"] in ("queued", "running", "succeeded")
    assert response.headers["location"] == f"/v1/index/jobs/{job['id']}"
    return job


def test_rebuild_job_runs_and_swaps_in_a_new_version(server: Server, admin: dict) -> None:
    before = server.client.get("/v1/index").json()
    job = server.wait_job(rebuild(server, admin)["id"], admin)
    assert job["status"] == "succeeded", job
    assert job["error"] is None
    assert job["started_at"] and job["finished_at"]
    assert job["progress"]["stage"] == "done"
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    assert job["result"]["records"] >= 19 and job["result"]["embedded"] == 0
    after = server.client.get("/v1/index").json()
    assert after["version"] == job["result"]["version"] != before["version"]
    assert after["counts"] == before["counts"]
    assert server.client.get("/readyz").json()["version"] == after["version"]


def test_rebuild_keeps_api_articles_and_deletions(server: Server, admin: dict) -> None:
    added = unique_article()
    upsert(server, admin, added)
    # A source article, deleted through the API, must stay deleted after a rebuild that
    # reads it from the source again; restoring it is an upsert.
    victim = server.client.get("/v1/articles/kr-museum-5m-visitors").json()
    assert server.client.delete(f"/v1/articles/{victim['id']}", headers=admin).status_code == 200
    try:
        job = server.wait_job(rebuild(server, admin)["id"], admin)
        assert job["status"] == "succeeded", job
        assert server.client.get(f"/v1/articles/{added['id']}").json()["text"] == added["text"]
        assert_error(server.client.get(f"/v1/articles/{victim['id']}"), 404)
        status = server.client.get("/v1/index").json()
        assert status["api_articles"]["deleted"] >= 1
    finally:
        restored = upsert(server, admin, victim)
        assert restored["created"] == 1 and restored["embedded"] == 0
    assert server.client.get(f"/v1/articles/{victim['id']}").json() == victim


def test_unknown_job(server: Server, admin: dict) -> None:
    assert_error(server.client.get("/v1/index/jobs/nope", headers=admin), 404, "not_found")


def test_queries_never_fail_during_rebuild_upserts_and_deletes(server: Server, admin: dict) -> None:
    """Queries run in a loop on three threads while a rebuild, upserts and deletes swap
    the index several times; every query must succeed, with a full answer."""
    stop = threading.Event()
    outcomes: Counter[str] = Counter()
    versions: set[str] = set()
    failures: list[str] = []
    lock = threading.Lock()

    def query_loop() -> None:
        with server.new_client() as client:
            while not stop.is_set():
                ask_once(client)

    def ask_once(client: httpx.Client) -> None:
        response = None
        try:
            response = client.post("/v1/ask", json={"question": SAMSUNG})
            body = response.json()
            answered = body.get("answered") and "12조 1,000억" in body.get("answer", "")
            ok = response.status_code == 200 and bool(answered)
        except Exception as exc:  # any failure is recorded, not raised in the thread
            ok, body = False, {"exception": repr(exc)}
        with lock:
            outcomes["ok" if ok else "failed"] += 1
            if response is not None and "x-index-version" in response.headers:
                versions.add(response.headers["x-index-version"])
            if not ok:
                failures.append(str(body)[:300])

    threads = [threading.Thread(target=query_loop) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        first = rebuild(server, admin)
        added = [unique_article() for _ in range(3)]
        writers = [
            threading.Thread(target=upsert, args=(server, admin, article), kwargs={"own": True})
            for article in added
        ]
        for w in writers:
            w.start()
        second = rebuild(server, admin)  # queued behind (or coalesced with) the first
        for w in writers:
            w.join()
        deleted = server.client.delete(f"/v1/articles/{added[0]['id']}", headers=admin)
        assert deleted.status_code == 200, deleted.text
        jobs = [server.wait_job(j["id"], admin) for j in (first, second)]
        # The loop must also have seen the final index.
        final = server.client.get("/v1/index").json()["version"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with lock:
                if final in versions:
                    break
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert failures == []
    assert outcomes["ok"] > 0
    assert all(j["status"] == "succeeded" for j in jobs), jobs
    assert final in versions
    assert_error(server.client.get(f"/v1/articles/{added[0]['id']}"), 404)
    for article in added[1:]:
        assert server.client.get(f"/v1/articles/{article['id']}").status_code == 200
