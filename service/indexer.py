"""The index job queue of a server, over :class:`service.engine.IndexEngine`.

* Start-up policy: serve the index on disk; build it from the sources when there is
  none, or when it was built for another format or embedder; apply API articles the
  served index lacks.
* Rebuilds and those start-up builds run as jobs (status in ``<index_dir>/jobs``) on one
  background worker thread, so queries go on meanwhile. Article writes run in the
  request's thread. The engine serializes all of them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from index.builder import BuildReport
from index.errors import ArticleQAError, ConflictError, IndexLoadError, ManifestMismatchError
from index.models import Article
from service.components import Components
from service.engine import IndexEngine
from service.errors import ReadOnlyReplicaError
from service.jobs import Job, JobKind, JobStore
from service.metrics import Metrics
from service.replica import IndexFollower
from service.serving import IndexHolder
from service.settings import Settings

log = logging.getLogger("article_qa.index")
MAX_REPORTED_PROBLEMS = 20


class IndexManager:
    def __init__(
        self, settings: Settings, components: Components, holder: IndexHolder, metrics: Metrics
    ) -> None:
        self.settings = settings
        self.components = components
        self.holder = holder
        self.metrics = metrics
        self.engine = IndexEngine(settings, components, holder, on_write=metrics.observe_build)
        self.index_dir = self.engine.index_dir
        self.store = self.engine.store
        self.jobs = JobStore(self.index_dir / "jobs")
        self._submit_lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="article-qa-index")
        # The reader role follows CURRENT instead of writing (service/replica.py).
        self.follower: IndexFollower | None = None
        if settings.role == "reader":
            self.follower = IndexFollower(
                self.index_dir,
                holder,
                lambda folder: self.engine.serve(components.open_version(folder)),
                interval=settings.follow_interval_seconds,
            )

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Serve the index on disk; build it when there is none, or when it was built
        for another format or embedder, but sources are configured; bring it up to date
        with the API articles when it is behind. A reader only follows CURRENT."""
        if self.follower is not None:
            self.follower.start()
            return
        for job in self.jobs.recover():
            log.warning("job %s (%s) was interrupted by a restart", job.id, job.kind)
        overlay = self.store.load()
        if self.engine.has_index():
            try:
                served, fell_back = self.engine.open_or_fall_back()
            except ManifestMismatchError as exc:
                if not self.settings.sources:
                    self.holder.mark_unavailable(exc.message)
                    log.error("cannot serve %s: %s", self.index_dir, exc.message)
                    return
                # The embedding cache makes this rebuild cheap; the old version stays on
                # disk until the new one is published.
                log.warning("%s; rebuilding from the configured sources", exc.message)
                self.holder.mark_unavailable("the index is being rebuilt: " + exc.message)
                self._submit("startup-build", self.engine.rebuild)
                return
            except ArticleQAError as exc:
                self.holder.mark_unavailable(exc.message)
                log.error("cannot serve %s: %s", self.index_dir, exc.message)
                return
            if fell_back and self.settings.sources:
                # The damaged version may hold articles of a build the older one lacks.
                self._submit("startup-build", self.engine.rebuild)
            elif fell_back or overlay.pending(served.index.articles):
                self._submit("sync", self.engine.sync)
        elif self.settings.sources:
            self.holder.mark_unavailable("the index is being built from the configured sources")
            self._submit("startup-build", self.engine.rebuild)
        else:
            self.holder.mark_unavailable(
                f"no index at {self.index_dir} and no sources configured "
                "(build one with `article-qa build`, or add articles)"
            )

    def shutdown(self) -> None:
        """Cancel queued work, stop a running build at its next article or batch, and
        wait for the worker to finish."""
        if self.follower is not None:
            self.follower.stop()
        self.engine.cancel()
        self._executor.shutdown(wait=True, cancel_futures=True)
        for job in self.jobs.active():
            self.jobs.fail(job, code="cancelled", message="the server shut down first")

    # -- queries about state -----------------------------------------------------------

    def status(self) -> dict[str, Any]:
        served = self.holder.current
        manifest = served.index.manifest if served else {}
        return {
            "ready": served is not None,
            "version": served.version if served else None,
            "format_version": manifest.get("format_version"),
            "built_at": manifest.get("created_at"),
            "model": manifest.get("embedder"),
            "counts": served.counts() if served else None,
            "api_articles": self.store.load().counts(),
            "building": bool(self.jobs.active()),
            "role": self.settings.role,
            "ranking": served.answerer.config.ranking_summary() if served else None,
        }

    def readiness(self) -> dict[str, Any]:
        """What ``/readyz`` adds: the role, and for a reader what it follows and the last
        version it refused."""
        return self.follower.status() if self.follower else {"role": self.settings.role}

    def require_writer(self) -> None:
        if self.follower is not None:
            raise ReadOnlyReplicaError()

    # -- article writes (request threads): the engine's ----------------------------------

    def upsert(self, articles: Sequence[Article]) -> dict[str, Any]:
        self.require_writer()
        return self.engine.upsert(articles)

    def delete(self, article_id: str) -> dict[str, Any]:
        self.require_writer()
        return self.engine.delete(article_id)

    def holder_error(self) -> IndexLoadError:
        return self.holder.unavailable_error()

    # -- jobs --------------------------------------------------------------------------

    def request_rebuild(self) -> Job:
        """Queue a full rebuild. A rebuild already waiting to start is returned instead
        of queueing a second one (it will read the sources when it starts)."""
        self.require_writer()
        if not self.settings.sources:
            raise ConflictError(
                "no sources are configured (ARTICLE_QA_SOURCES), so a rebuild would drop "
                "every article not added through the API"
            )
        with self._submit_lock:
            for job in self.jobs.active():
                if job.kind == "rebuild" and job.status == "queued":
                    return job
            return self._submit("rebuild", self.engine.rebuild)

    def _submit(self, kind: JobKind, work: Callable[..., BuildReport]) -> Job:
        job = self.jobs.create(kind)
        self._executor.submit(self._run_job, job, work)
        return job

    def _run_job(self, job: Job, work: Callable[..., BuildReport]) -> None:
        started = time.perf_counter()

        def on_start() -> None:
            # The job runs once it holds the writer: its duration excludes the queueing.
            nonlocal started
            started = time.perf_counter()
            self.jobs.start(job)

        def progress(stage: str, done: int, total: int) -> None:
            self.jobs.progress(job, stage, done, total)

        try:
            report = work(progress=progress, on_start=on_start)
        except BaseException as exc:  # a job must end as failed, whatever happened
            self.jobs.fail_with(job, exc)
            self.metrics.observe_build(job.kind, "failed", time.perf_counter() - started)
            log.error("job %s (%s) failed: %s", job.id, job.kind, exc)
            if not isinstance(exc, Exception):
                raise
        else:
            self.jobs.succeed(job, _report_summary(report))
            self.metrics.observe_build(job.kind, "succeeded", time.perf_counter() - started)
            log.info("job %s (%s) succeeded: version %s", job.id, job.kind, report.version)


def _report_summary(report: BuildReport) -> dict[str, Any]:
    data = report.to_dict()
    data["problems"] = data["problems"][:MAX_REPORTED_PROBLEMS]
    return data
