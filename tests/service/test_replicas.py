"""One writer and two read replicas (``--role reader``) on one index directory, as real
servers on loopback, under a bounded query load: writes go to the writer only, both
readers follow its new versions without a failed query, and a corrupt version is refused
by the readers while they keep serving the one before."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from index.store import CURRENT, VERSIONS
from tests.helpers import note
from tests.service.server import ADMIN_TOKEN, SAMPLE_DIR, Server, assert_error
from tests.service.test_articles import unique_article, upsert

# The stated bound: both readers serve the writer's new version within this many seconds
# of the upsert's answer (they poll CURRENT every 0.2 s; loading and probing a version of
# the sample corpus takes well under a second on an idle machine). It bounds the wait;
# the lag measured is printed in the session's notes.
FOLLOW_WITHIN_SECONDS = 60.0
QUESTION = {"question": "엔비디아가 한국에 공급하는 GPU는 몇 장이야?"}
MAX_LOAD_REQUESTS = 5000
MAX_LOAD_SECONDS = 600.0


class QueryLoad:
    """Two client threads asking the readers in turn until stopped (bounded by count and
    time); every response that is not a 200 answer is recorded as a failure."""

    def __init__(self, servers: list[Server]) -> None:
        self.servers = servers
        self.ok = {s.url: 0 for s in servers}
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(2)]

    def __enter__(self) -> QueryLoad:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _run(self, offset: int) -> None:
        deadline = time.monotonic() + MAX_LOAD_SECONDS
        clients = [s.new_client() for s in self.servers]
        try:
            for n in range(MAX_LOAD_REQUESTS):
                if self._stop.is_set() or time.monotonic() > deadline:
                    return
                i = (n + offset) % len(clients)
                try:
                    response = clients[i].post("/v1/ask", json=QUESTION)
                    good = response.status_code == 200 and response.json()["answered"]
                    detail = f"{response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    good, detail = False, repr(exc)
                with self._lock:
                    if good:
                        self.ok[self.servers[i].url] += 1
                    else:
                        self.failures.append(f"{self.servers[i].url}: {detail}")
        finally:
            for client in clients:
                client.close()


def wait_until(check: Callable[[], bool], seconds: float, what: str) -> float:
    """Seconds until ``check()`` held; fails after ``seconds``."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {seconds:.0f} s")


def serves(server: Server, version: str) -> bool:
    return server.client.get("/v1/index").json()["version"] == version


def corrupt_copy(index_dir: Path, version: str, name: str) -> None:
    """A new version folder whose passage vectors no longer match the manifest, published
    through CURRENT as a broken writer (or a bad copy to shared storage) would."""
    folder = index_dir / VERSIONS / name
    shutil.copytree(index_dir / VERSIONS / version, folder)
    with (folder / "sentence_vectors.npy").open("r+b") as fh:
        fh.seek(-4, 2)
        fh.write(b"\x00\x00\x80\x7f")
    tmp = index_dir / ".CURRENT.replica-test"
    tmp.write_text(name + "\n")
    tmp.replace(index_dir / CURRENT)


def test_one_writer_two_readers_follow_upserts_and_refuse_a_corrupt_version(
    spawn: Callable[..., Server], admin: dict, tmp_path: Path
) -> None:
    index_dir = tmp_path / "shared-index"
    reader_settings = {
        "role": "reader",
        "follow_interval_seconds": "0.2",
        "admin_token": ADMIN_TOKEN,
        "log_json": "true",
    }
    early = spawn("reader-1", index_dir=index_dir, **reader_settings)
    writer = spawn(
        "writer", index_dir=index_dir, sources=[str(SAMPLE_DIR)], admin_token=ADMIN_TOKEN
    )
    late = spawn("reader-2", index_dir=index_dir, **reader_settings)

    # A reader started before any index exists waits for one, and writes nothing.
    early.start()
    error = assert_error(early.client.get("/readyz"), 503, "index_unavailable")
    assert "writer" in error["message"]
    assert not index_dir.exists()

    writer.start()
    writer.wait_ready()
    late.start()
    late.wait_ready()
    early.wait_ready()
    readers = [early, late]
    first = writer.client.get("/v1/index").json()["version"]
    for reader in readers:
        assert serves(reader, first)
        ready = reader.client.get("/readyz").json()
        assert ready["details"]["role"] == "reader" and ready["details"]["refused"] is None

    # Writes, rebuilds and jobs belong to the writer, with or without the admin token.
    for headers in (admin, {}):
        for method, path, body in (
            ("POST", "/v1/articles", {"articles": [unique_article()]}),
            ("DELETE", "/v1/articles/kr-samsung-q3-2025", None),
            ("POST", "/v1/index/rebuild", None),
            ("GET", "/v1/index/jobs/any", None),
        ):
            response = late.client.request(method, path, json=body, headers=headers)
            error = assert_error(response, 409, "read_only_replica")
            assert error["details"]["writer_role"] == "writer"

    with QueryLoad(readers) as load:
        article = unique_article()
        result = upsert(writer, admin, article)
        version = result["index"]["version"]
        lags = [
            wait_until(lambda r=r: serves(r, version), FOLLOW_WITHIN_SECONDS, f"{r.url} follows")
            for r in readers
        ]
        for reader in readers:
            stored = reader.client.get(f"/v1/articles/{article['id']}")
            assert stored.status_code == 200 and stored.json()["text"] == article["text"]
            answer = reader.client.post(
                "/v1/ask", json={"question": "울릉도 오징어 어획량은 작년과 비교해 어때?"}
            ).json()
            assert any(q["citation"]["article_id"] == article["id"] for q in answer["quotes"])

        corrupt_copy(index_dir, version, "29990101T000000-broken")

        def refused(reader: Server) -> bool:
            details = reader.client.get("/readyz").json()["details"]
            return (details["refused"] or {}).get("version") == "29990101T000000-broken"

        for reader in readers:
            wait_until(lambda r=reader: refused(r), FOLLOW_WITHIN_SECONDS, "refusal")
            ready = reader.client.get("/readyz")
            assert ready.status_code == 200 and ready.json()["version"] == version
            assert "checksums" in ready.json()["details"]["refused"]["reason"]
            assert serves(reader, version)
        time.sleep(0.5)  # queries go on against the readers after the refusal
    for reader in readers:
        line = reader.wait_for_log(
            lambda entry: "refusing index version 29990101T000000-broken" in entry["message"]
        )
        assert line["level"] == "ERROR"

    assert load.failures == []
    assert all(count > 0 for count in load.ok.values()), load.ok
    note(
        f"replicas: both readers served the writer's upsert after {max(lags):.2f} s "
        f"(bound {FOLLOW_WITHIN_SECONDS:.0f} s); {sum(load.ok.values())} queries, 0 failed"
    )


def test_serve_rejects_an_unknown_role(run_cli: Callable[..., Any]) -> None:
    result = run_cli("serve", "--role", "follower")
    assert result.returncode == 2
    assert "role" in result.stderr and "Traceback" not in result.stderr
