"""A real ``article-qa serve`` process on a free loopback port, for the service tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DIR = REPO_ROOT / "data" / "sample"
ADMIN_TOKEN = "test-admin-token-0123456789"
STARTUP_TIMEOUT = 600.0  # a cold embedding cache makes the first build slow


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(cache_dir: Path) -> dict[str, str]:
    """The environment of a server: none of the caller's ARTICLE_QA_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARTICLE_QA_")}
    env.update(
        ARTICLE_QA_CACHE_DIR=str(cache_dir),
        ARTICLE_QA_NUM_THREADS=os.environ.get("ARTICLE_QA_NUM_THREADS") or "1",
        PYTHONIOENCODING="utf-8",
    )
    return env


class Server:
    """Starts, stops, kills and restarts one server configured by ``settings``
    (ARTICLE_QA_* names without the prefix, values as strings or JSON-able)."""

    def __init__(
        self,
        workdir: Path,
        env: dict[str, str],
        settings: dict[str, Any],
        *,
        index_dir: Path | None = None,
    ) -> None:
        self.workdir = workdir
        self.index_dir = index_dir or workdir / "index"
        self.log_path = workdir / "server.log"
        self.env = dict(env)
        for key, value in settings.items():
            text = value if isinstance(value, str) else json.dumps(value)
            self.env[f"ARTICLE_QA_{key.upper()}"] = text
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.client = self.new_client()
        # Run the server through this (e.g. `unshare -m sh -c ...` for a private tmpfs).
        self.command_prefix: list[str] = []

    def new_client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=120.0)

    def start(self) -> Server:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                *self.command_prefix,
                sys.executable,
                "-m",
                "service",
                "serve",
                "--index-dir",
                str(self.index_dir),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=self.workdir,  # no .env file of the repository is read
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self._wait_for("/healthz", lambda r: r.status_code == 200)
        return self

    def wait_ready(self) -> None:
        self._wait_for("/readyz", lambda r: r.status_code == 200)

    def stop(self) -> None:
        """Graceful stop (SIGTERM), as a process manager would."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self) -> Server:
        self.stop()
        return self.start()

    @contextmanager
    def serving(self, *, ready: bool = True) -> Iterator[Server]:
        """Started (and, with ``ready``, answering) for the ``with`` block; closed after,
        even when the block fails."""
        self.start()
        try:
            if ready:
                self.wait_ready()
            yield self
        finally:
            self.close()

    def close(self) -> None:
        self.stop()
        self.client.close()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, match: Any) -> dict[str, Any]:
        """The first JSON log line for which ``match(line)`` is true (a request is logged
        just after its response is sent, so the line may take a moment to appear)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for text in self.log().splitlines():
                if text.startswith("{"):
                    line = json.loads(text)
                    if match(line):
                        return line
            time.sleep(0.05)
        raise AssertionError(f"no matching log line:\n{self.log()}")

    def wait_job(self, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
        """Poll a job until it has finished; returns its final state."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            job = self.client.get(f"/v1/index/jobs/{job_id}", headers=headers).json()
            if job["status"] in ("succeeded", "failed"):
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} did not finish")

    def _wait_for(self, path: str, ok: Any) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"server exited ({self.process.returncode}):\n{self.log()}")
            try:
                if ok(self.client.get(path)):
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"server at {self.url} not answering {path}:\n{self.log()}")


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict:
    """The one error shape: ``{"error": {"code", "message", "details"}}`` and nothing else,
    with no stack trace; returns the ``error`` object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["details"], dict)
    if code is not None:
        assert error["code"] == code, error
    return error
