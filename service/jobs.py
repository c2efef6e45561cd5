"""Index jobs (rebuilds and the builds the server starts itself), with their status.

A job is ``queued`` until it holds the index writer lock, then ``running``, then
``succeeded`` or ``failed``. Each state change is written to
``<index_dir>/jobs/<id>.json``, so a job whose process was killed is reported as failed
(interrupted) after a restart instead of disappearing or staying "running" forever.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from index.errors import ArticleQAError, NotFoundError

JobKind = Literal["rebuild", "startup-build", "sync"]
JobStatus = Literal["queued", "running", "succeeded", "failed"]
KEEP_JOBS = 50


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    id: str
    kind: JobKind
    status: JobStatus = "queued"
    created_at: str = field(default_factory=_now)
    started_at: str | None = None
    finished_at: str | None = None
    progress: dict[str, Any] = field(
        default_factory=lambda: {"stage": "queued", "done": 0, "total": 0}
    )
    error: dict[str, Any] | None = None
    result: dict[str, Any] | None = None

    @property
    def active(self) -> bool:
        return self.status in ("queued", "running")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class JobStore:
    """Jobs in memory, each state change also persisted. Thread-safe."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def recover(self) -> list[Job]:
        """Load persisted jobs; the ones left queued or running by a previous process
        are marked failed. Returns those."""
        interrupted: list[Job] = []
        if not self.folder.is_dir():
            return interrupted
        for path in sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
            try:
                job = Job(**json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                continue
            self._jobs[job.id] = job
            if job.active:
                interrupted.append(job)
                self.fail(
                    job,
                    code="interrupted",
                    message="the server stopped before the job finished; the index it "
                    "was serving was left in place",
                )
        return interrupted

    def create(self, kind: JobKind) -> Job:
        job = Job(id=uuid.uuid4().hex, kind=kind)
        with self._lock:
            self._jobs[job.id] = job
        self._persist(job)
        self._prune()
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"unknown job id {job_id!r}", details={"job_id": job_id})
        return job

    def active(self) -> list[Job]:
        with self._lock:
            return [j for j in self._jobs.values() if j.active]

    def start(self, job: Job) -> None:
        with self._lock:
            job.status = "running"
            job.started_at = _now()
            job.progress = {"stage": "starting", "done": 0, "total": 0}
        self._persist(job)

    def progress(self, job: Job, stage: str, done: int, total: int) -> None:
        with self._lock:
            changed = job.progress.get("stage") != stage
            job.progress = {"stage": stage, "done": done, "total": total}
        if changed:  # persisting every tick would cost more than the build step
            self._persist(job)

    def succeed(self, job: Job, result: dict[str, Any]) -> None:
        with self._lock:
            job.status = "succeeded"
            job.finished_at = _now()
            job.result = result
            job.progress = {**job.progress, "stage": "done"}
        self._persist(job)

    def fail(self, job: Job, *, code: str, message: str) -> None:
        with self._lock:
            job.status = "failed"
            job.finished_at = _now()
            job.error = {"code": code, "message": message}
        self._persist(job)

    def fail_with(self, job: Job, exc: BaseException) -> None:
        if isinstance(exc, ArticleQAError):
            self.fail(job, code=exc.code, message=exc.message)
        else:
            self.fail(job, code="build_failed", message=f"{type(exc).__name__}: {exc}")

    def _persist(self, job: Job) -> None:
        with self._lock:
            data = json.dumps(job.to_dict(), ensure_ascii=False)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{job.id}.json"
        tmp = self.folder / f".{job.id}.{threading.get_ident()}.tmp"
        tmp.write_text(data, encoding="utf-8")
        os.replace(tmp, path)

    def _prune(self) -> None:
        with self._lock:
            done = [j for j in self._jobs.values() if not j.active]
            stale = done[: max(0, len(self._jobs) - KEEP_JOBS)]
            for job in stale:
                del self._jobs[job.id]
        for job in stale:
            (self.folder / f"{job.id}.json").unlink(missing_ok=True)
