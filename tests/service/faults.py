"""Faults under load: a steady, bounded loopback query load against a real server while
writes run and faults are injected. Used by tests/service/test_faults.py (short phases)
and by ``python -m bench.reliability`` (longer phases; writes docs/reliability.md).

Each scenario returns a :class:`Outcome`: the queries sent during it (throughput and
p50/p99 of the successful ones), the failed queries inside and outside the fault's
expected window (a SIGKILL and the restart after it), and named checks that must hold.

The faults are real: SIGKILL of the server process; bytes of a file of the newest index
version overwritten; a full disk (the index directory on a small tmpfs, mounted in a
private mount namespace with ``unshare -m``); the embedding cache overwritten with
garbage. Every loop is bounded by count and time; everything binds to 127.0.0.1.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from tests.service.server import ADMIN_TOKEN, REPO_ROOT, SAMPLE_DIR, Server, base_env

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
QUESTIONS = [
    json.loads(line)["question"]
    for line in (REPO_ROOT / "data/questions/ontopic.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]
MAX_LOAD_SECONDS = 900  # a hard bound on any load, whatever a caller asks


@dataclass
class Sample:
    at: float
    ms: float
    ok: bool
    status: str


@dataclass
class Outcome:
    name: str
    fault: str
    seconds: float
    samples: list[Sample]
    window: tuple[float, float] | None = None  # where failures are expected
    checks: dict[str, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def failed_outside(self) -> list[Sample]:
        def inside(s: Sample) -> bool:
            return self.window is not None and self.window[0] <= s.at <= self.window[1]

        return [s for s in self.samples if not s.ok and not inside(s)]

    def row(self) -> dict[str, Any]:
        ok = [s.ms for s in self.samples if s.ok]
        failed = [s for s in self.samples if not s.ok]
        # Successful queries per second while the load ran (not counting a server start).
        span = (
            max(s.at + s.ms / 1000 for s in self.samples) - min(s.at for s in self.samples)
            if self.samples
            else 0.0
        )
        return {
            "scenario": self.name,
            "fault": self.fault,
            "seconds": round(self.seconds, 1),
            "queries": len(self.samples),
            "failed": len(failed),
            "failed_outside_window": len(self.failed_outside),
            "window_s": round(self.window[1] - self.window[0], 1) if self.window else None,
            "qps": round(len(ok) / span, 2) if span > 0 else 0.0,
            "p50_ms": round(float(np.percentile(ok, 50)), 1) if ok else None,
            "p99_ms": round(float(np.percentile(ok, 99)), 1) if ok else None,
            "checks": dict(self.checks),
            "passed": self.passed,
            "notes": list(self.notes),
        }

    @property
    def passed(self) -> bool:
        return not self.failed_outside and all(self.checks.values())


class Load:
    """``rate`` questions per second from ``workers`` threads, each with its own client,
    until stopped (or ``MAX_LOAD_SECONDS``). A transport error or any status but 200 is
    a failed query."""

    def __init__(self, url: str, *, rate: float, workers: int = 2) -> None:
        self.url = url
        self.interval = workers / rate
        self.workers = workers
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def _run(self, offset: int) -> None:
        deadline = time.monotonic() + MAX_LOAD_SECONDS
        n = offset
        with httpx.Client(base_url=self.url, timeout=30.0) as client:
            while not self._stop.is_set() and time.monotonic() < deadline:
                started = time.monotonic()
                question = QUESTIONS[n % len(QUESTIONS)]
                n += self.workers
                try:
                    response = client.post("/v1/ask", json={"question": question})
                    ok, status = response.status_code == 200, str(response.status_code)
                except httpx.HTTPError as exc:
                    ok, status = False, type(exc).__name__
                ms = (time.monotonic() - started) * 1000
                with self._lock:
                    self.samples.append(Sample(started, ms, ok, status))
                self._stop.wait(max(0.0, self.interval - (time.monotonic() - started)))

    def start(self) -> Load:
        for i in range(self.workers):
            thread = threading.Thread(target=self._run, args=(i,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> list[Sample]:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)
        return list(self.samples)


@contextmanager
def under_load(server: Server, rate: float) -> Iterator[Load]:
    load = Load(server.url, rate=rate).start()
    try:
        yield load
    finally:
        load.stop()


def article(article_id: str, sentences: int = 3) -> dict[str, Any]:
    body = " ".join(
        f"{article_id} 기사의 {i}번째 문장은 장애 시험을 위해 쓰였다." for i in range(sentences)
    )
    return {"id": article_id, "title": f"장애 시험 {article_id}", "text": body, "source": "faults"}


def upsert(server: Server, *items: dict[str, Any]) -> httpx.Response:
    return server.client.post("/v1/articles", json={"articles": list(items)}, headers=ADMIN)


def present(server: Server, article_id: str) -> bool:
    return server.client.get(f"/v1/articles/{article_id}").status_code == 200


def current_version_dir(server: Server) -> Path:
    return server.index_dir / "versions" / (server.index_dir / "CURRENT").read_text().strip()


def damage(path: Path) -> None:
    """Overwrite bytes in the middle of ``path`` in place (its size is unchanged)."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 64] = b"\xde\xad\xbe\xef" * 16
    path.write_bytes(bytes(data))


def wait_idle(server: Server) -> None:
    """Until no build or rebuild is queued or running (bounded)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and server.client.get("/v1/index").json().get("building"):
        time.sleep(0.2)


def _timed(fn: Callable[[], Outcome]) -> Outcome:
    started = time.monotonic()
    outcome = fn()
    outcome.seconds = time.monotonic() - started
    return outcome


# -- scenarios ------------------------------------------------------------------------


def baseline(server: Server, *, seconds: float, rate: float) -> Outcome:
    def run() -> Outcome:
        with under_load(server, rate) as load:
            time.sleep(seconds)
        return Outcome("baseline", "none", 0, load.stop())

    return _timed(run)


def writes(server: Server, *, seconds: float, rate: float) -> Outcome:
    """Upserts, a delete and a full rebuild while queries run."""

    def run() -> Outcome:
        with under_load(server, rate) as load:
            time.sleep(seconds / 3)
            acked = [upsert(server, article(f"w{i}")).status_code == 200 for i in range(3)]
            deleted = server.client.delete("/v1/articles/w1", headers=ADMIN).status_code == 200
            job = server.client.post("/v1/index/rebuild", headers=ADMIN).json()
            final = server.wait_job(job["id"], ADMIN)
            time.sleep(seconds / 3)
        outcome = Outcome("writes", "upserts, a delete and a rebuild", 0, load.stop())
        outcome.checks = {
            "writes acknowledged": all(acked) and deleted,
            "rebuild succeeded": final["status"] == "succeeded",
            "upserts served after the rebuild": present(server, "w0") and present(server, "w2"),
            "delete kept by the rebuild": not present(server, "w1"),
        }
        return outcome

    return _timed(run)


def kill_mid_upsert(server: Server, *, seconds: float, rate: float) -> Outcome:
    """SIGKILL while an upsert is being built (after it was recorded), then restart."""

    def run() -> Outcome:
        store = server.index_dir / "api-articles.jsonl"
        with under_load(server, rate) as load:
            time.sleep(seconds / 3)
            acked = upsert(server, article("k-acked")).status_code == 200
            result: dict[str, Any] = {}

            def write() -> None:
                try:
                    result["status"] = upsert(server, article("k-killed", 40)).status_code
                except httpx.HTTPError as exc:
                    result["status"] = type(exc).__name__

            writer = threading.Thread(target=write, daemon=True)
            writer.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and (
                not store.exists() or "k-killed" not in store.read_text("utf-8")
            ):
                time.sleep(0.01)
            killed_at = time.monotonic()
            server.kill()
            writer.join(timeout=60)
            server.start()
            server.wait_ready()
            ready_at = time.monotonic()
            wait_idle(server)  # the sync that applies what the killed write recorded
            time.sleep(seconds / 3)
        outcome = Outcome("kill", "SIGKILL mid-upsert, restart", 0, load.stop())
        outcome.window = (killed_at, ready_at)
        outcome.checks = {
            "acknowledged write kept": acked and present(server, "k-acked"),
            "killed write not acknowledged": result.get("status") != 200,
        }
        outcome.notes.append(
            f"the killed write was recorded before the kill, so the sync at restart applied "
            f"it: served={present(server, 'k-killed')}"
        )
        return outcome

    return _timed(run)


def corrupt_newest(server: Server, *, seconds: float, rate: float) -> Outcome:
    """A file of the served version is damaged on disk: writes go on from the loaded
    index; after a restart the version before serves until a good one is built."""

    def run() -> Outcome:
        with under_load(server, rate) as load:
            time.sleep(seconds / 3)
            damaged = current_version_dir(server)
            damage(damaged / "passages.faiss")
            stopped_at = time.monotonic()
            server.restart()
            server.wait_ready()
            ready_at = time.monotonic()
            served_at_start = server.client.get("/v1/index").json()["version"]
            wait_idle(server)
            rebuilt = server.client.get("/v1/index").json()["version"]
            # Damage while serving: writes go on from the loaded index.
            damage(current_version_dir(server) / "passages.faiss")
            written = upsert(server, article("c-after-damage")).status_code == 200
            time.sleep(seconds / 3)
        outcome = Outcome("corrupt", "damaged file in the newest version", 0, load.stop())
        outcome.window = (stopped_at, ready_at)
        outcome.checks = {
            "restart serves the version before": served_at_start != damaged.name,
            "a new good version is built": rebuilt not in (damaged.name, served_at_start),
            "write to a damaged version acknowledged": written,
            "acknowledged writes kept": present(server, "c-after-damage")
            and present(server, "k-acked"),
        }
        return outcome

    return _timed(run)


def corrupt_cache(server: Server, cache_file: Path, *, seconds: float, rate: float) -> Outcome:
    """The embedding cache is overwritten with garbage while the server runs."""

    def run() -> Outcome:
        with under_load(server, rate) as load:
            time.sleep(seconds / 3)
            cache_file.write_bytes(b"\x00not a database\xff" * 4096)
            written = upsert(server, article("e-after-cache")).status_code == 200
            time.sleep(seconds / 3)
        outcome = Outcome("cache", "embedding cache overwritten", 0, load.stop())
        outcome.checks = {
            "write after the damage acknowledged": written,
            "served": present(server, "e-after-cache"),
        }
        return outcome

    return _timed(run)


def _tree_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def full_disk(
    source: Server, workdir: Path, env: dict[str, str], *, seconds: float, rate: float
) -> Outcome:
    """The index directory is a tmpfs (private mount namespace) with room for the served
    version and a little more: the next build runs out of space."""
    staging = workdir / "staging"
    version = current_version_dir(source)
    shutil.copytree(version, staging / "versions" / version.name)
    (staging / "CURRENT").write_text(version.name + "\n")
    size_kb = int(_tree_bytes(staging) * 1.4 / 1024) + 64
    server = Server(workdir, env, {"admin_token": ADMIN_TOKEN, "sources": [str(SAMPLE_DIR)]})
    index = shlex.quote(str(server.index_dir))
    server.index_dir.mkdir(parents=True, exist_ok=True)
    server.command_prefix = [
        "unshare",
        "-m",
        "sh",
        "-c",
        f"mount -t tmpfs -o size={size_kb}k tmpfs {index} && "
        f'cp -a {shlex.quote(str(staging))}/. {index}/ && exec "$@"',
        "sh",
    ]

    def run() -> Outcome:
        with server.serving():
            before = server.client.get("/v1/index").json()["version"]
            with under_load(server, rate) as load:
                time.sleep(seconds / 3)
                response = upsert(server, article("d-full", 30))
                job = server.client.post("/v1/index/rebuild", headers=ADMIN).json()
                final = server.wait_job(job["id"], ADMIN)
                time.sleep(seconds / 3)
            after = server.client.get("/v1/index").json()["version"]
            outcome = Outcome("full disk", "no space left during a build", 0, load.stop())
            outcome.checks = {
                "failed write refused": response.status_code >= 500,
                "failed write not kept": not present(server, "d-full"),
                "rebuild reported failed": final["status"] == "failed",
                "old version still served": before == after,
            }
            outcome.notes.append(
                f"write answered {response.status_code} "
                f"{response.json().get('error', {}).get('message', '')[:120]}"
            )
        return outcome

    return _timed(run)


def available() -> str | None:
    """Why the full-disk scenario cannot run here, or None."""
    if shutil.which("unshare") is None:
        return "unshare is not installed"
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt"],
        capture_output=True,
        check=False,
        timeout=30,
    )
    return None if probe.returncode == 0 else "cannot mount a tmpfs in a mount namespace"


def run_all(workdir: Path, cache_dir: Path, *, seconds: float, rate: float) -> list[Outcome]:
    """Every scenario, in order, on one server (plus one on a tmpfs for the full disk).
    The server gets a private copy of ``cache_dir``'s embedding cache (the cache fault
    damages it)."""
    private_cache = workdir / "cache"
    private_cache.mkdir(parents=True, exist_ok=True)
    for file in cache_dir.glob("embeddings.sqlite3*"):
        shutil.copy2(file, private_cache / file.name)
    env = base_env(private_cache)
    settings = {"admin_token": ADMIN_TOKEN, "sources": [str(SAMPLE_DIR)], "log_json": "true"}
    server = Server(workdir / "main", env, settings)
    outcomes: list[Outcome] = []
    with server.serving():
        outcomes.append(baseline(server, seconds=seconds, rate=rate))
        outcomes.append(writes(server, seconds=seconds, rate=rate))
        outcomes.append(kill_mid_upsert(server, seconds=seconds, rate=rate))
        outcomes.append(corrupt_newest(server, seconds=seconds, rate=rate))
        cache_file = private_cache / "embeddings.sqlite3"
        outcomes.append(corrupt_cache(server, cache_file, seconds=seconds, rate=rate))
        reason = available()
        if reason is None:
            outcomes.append(
                full_disk(server, workdir / "full-disk", env, seconds=seconds, rate=rate)
            )
        else:
            skipped = Outcome("full disk", f"not run: {reason}", 0, [])
            outcomes.append(skipped)
    return outcomes


__all__ = ["Outcome", "available", "run_all"]
