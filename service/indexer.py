"""Every change to the served index goes through :class:`IndexManager`.

* One writer at a time: article writes, rebuilds and the builds the server starts
  itself all hold ``_writer``; queries never take it.
* A write builds a complete new version (only new or changed text is embedded, thanks to
  the embedding cache; unchanged articles keep their sentence spans), which the core
  verifies (manifest, checksums, a probe query) before publishing it; only then is the
  served reference swapped. A failed build leaves the previous version serving.
* Rebuilds run on one background worker thread, so queries go on meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from index.builder import BuildReport, EmbedMissing
from index.errors import ArticleQAError, ConflictError, IndexLoadError, ManifestMismatchError
from index.models import Article
from index.readers import Problem, read_sources
from index.store import CURRENT, LoadedIndex
from service.article_store import ArticleStore, Overlay
from service.components import Components
from service.errors import BuildCancelledError, InvalidRequestError, ReadOnlyReplicaError
from service.jobs import Job, JobKind, JobStore
from service.metrics import Metrics
from service.replica import IndexFollower
from service.serving import IndexHolder, ServedIndex
from service.settings import Settings
from service.splitting import Analyzed, ReusingSplitter, sentences_by_text

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
        self.index_dir = Path(settings.index_dir)
        self.store = ArticleStore.for_index(self.index_dir)
        self.jobs = JobStore(self.index_dir / "jobs")
        self._writer = threading.Lock()
        self._submit_lock = threading.Lock()
        self._cancel = threading.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="article-qa-index")
        # The reader role follows CURRENT instead of writing (service/replica.py).
        self.follower: IndexFollower | None = None
        if settings.role == "reader":
            self.follower = IndexFollower(
                self.index_dir,
                holder,
                lambda folder: self._serve(components.open_version(folder)),
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
        if (self.index_dir / CURRENT).is_file():
            try:
                served = self._serve(self.components.open_index(self.index_dir))
            except ManifestMismatchError as exc:
                if not self.settings.sources:
                    self.holder.mark_unavailable(exc.message)
                    log.error("cannot serve %s: %s", self.index_dir, exc.message)
                    return
                # The embedding cache makes this rebuild cheap; the old version stays on
                # disk until the new one is published.
                log.warning("%s; rebuilding from the configured sources", exc.message)
                self.holder.mark_unavailable("the index is being rebuilt: " + exc.message)
                self._submit("startup-build", self._rebuild)
                return
            except ArticleQAError as exc:
                self.holder.mark_unavailable(exc.message)
                log.error("cannot serve %s: %s", self.index_dir, exc.message)
                return
            if overlay.pending(served.index.articles):
                self._submit("sync", self._sync)
        elif self.settings.sources:
            self.holder.mark_unavailable("the index is being built from the configured sources")
            self._submit("startup-build", self._rebuild)
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
        self._cancel.set()
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
        }

    def readiness(self) -> dict[str, Any]:
        """What ``/readyz`` adds: the role, and for a reader what it follows and the last
        version it refused."""
        return self.follower.status() if self.follower else {"role": self.settings.role}

    def require_writer(self) -> None:
        if self.follower is not None:
            raise ReadOnlyReplicaError()

    # -- rebuilds ----------------------------------------------------------------------

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
            return self._submit("rebuild", self._rebuild)

    def _submit(self, kind: JobKind, work: Callable[[Job], dict[str, Any]]) -> Job:
        job = self.jobs.create(kind)
        self._executor.submit(self._run_job, job, work)
        return job

    def _run_job(self, job: Job, work: Callable[[Job], dict[str, Any]]) -> None:
        started = time.perf_counter()
        try:
            with self._write_lock(timeout=None):
                started = time.perf_counter()  # the build's duration, not the queueing
                self.jobs.start(job)
                result = work(job)
        except BaseException as exc:  # a job must end as failed, whatever happened
            self.jobs.fail_with(job, exc)
            self.metrics.observe_build(job.kind, "failed", time.perf_counter() - started)
            log.error("job %s (%s) failed: %s", job.id, job.kind, exc)
            if not isinstance(exc, Exception):
                raise
        else:
            self.jobs.succeed(job, result)
            self.metrics.observe_build(job.kind, "succeeded", time.perf_counter() - started)
            log.info("job %s (%s) succeeded: version %s", job.id, job.kind, result["version"])

    def _rebuild(self, job: Job) -> dict[str, Any]:
        # Full rebuilds embed on Ray when ARTICLE_QA_RAY_ADDRESS is set (connected before
        # the sources are read); article writes embed their few texts in process.
        embed_missing = self.components.distributed_embed()
        self.jobs.progress(job, "reading sources", 0, 0)
        result = read_sources(self.settings.sources)
        articles = self.store.load().apply(result.articles)
        report, _ = self._build(
            articles,
            job=job,
            problems=result.problems,
            records=result.records,
            embed_missing=embed_missing,
        )
        return _report_summary(report)

    def _sync(self, job: Job) -> dict[str, Any]:
        base = self._base_for_write()
        overlay = self.store.load()
        base_articles = base.index.articles if base else []
        known = sentences_by_text(base.index) if base else {}
        report, _ = self._build(overlay.apply(base_articles), job=job, known=known)
        return _report_summary(report)

    # -- article writes (called from request threads) --------------------------------

    def upsert(self, articles: Sequence[Article]) -> dict[str, Any]:
        self.require_writer()
        with self._write_lock(timeout=self.settings.write_wait_seconds):
            base = self._base_for_write()
            current = {a.id: a for a in base.index.articles} if base else {}
            created = [a for a in articles if a.id not in current]
            updated = [a for a in articles if a.id in current and current[a.id] != a]
            changed = created + updated
            previous = self.store.load()
            known = sentences_by_text(base.index) if base else {}
            self._check_sentences(changed, known)
            overlay = previous.with_upserts(articles)
            base_articles = base.index.articles if base else []
            if base is not None and not changed and not overlay.pending(base_articles):
                self.store.save(overlay)  # they become API articles, kept by rebuilds
                served, report = base, None
            else:
                # The whole overlay, not only this change: a no-op when the served index
                # is up to date, a repair when it came from `article-qa build`.
                after = overlay.apply(base_articles)
                report, served = self._write("upsert", after, overlay, previous, known)
        return {
            "ids": [a.id for a in articles],
            "created": len(created),
            "updated": len(updated),
            "unchanged": len(articles) - len(changed),
            "embedded": report.embedded if report else 0,
            "cached": report.cached if report else 0,
            "index": served.summary(),
        }

    def delete(self, article_id: str) -> dict[str, Any]:
        self.require_writer()
        with self._write_lock(timeout=self.settings.write_wait_seconds):
            base = self._base_for_write()
            if base is None:
                raise self.holder_error()
            base.index.article(article_id)  # NotFoundError for an unknown id
            previous = self.store.load()
            overlay = previous.with_deletions([article_id])
            after = overlay.apply(base.index.articles)
            if not after:
                raise ConflictError(
                    "cannot delete the last article: an index needs at least one",
                    details={"article_id": article_id},
                )
            known = sentences_by_text(base.index)
            _, served = self._write("delete", after, overlay, previous, known)
        return {"deleted": article_id, "index": served.summary()}

    def holder_error(self) -> IndexLoadError:
        return IndexLoadError(
            f"no index is being served: {self.holder.unavailable_reason}",
            details={"reason": self.holder.unavailable_reason},
        )

    def _write(
        self,
        kind: str,
        articles: list[Article],
        overlay: Overlay,
        previous: Overlay,
        known: dict[str, Analyzed],
    ) -> tuple[BuildReport, ServedIndex]:
        """Record the change first (so that a crash between the two is repaired by the
        sync at the next start), build, and undo the record if the build fails."""
        started = time.perf_counter()
        self.store.save(overlay)
        try:
            result = self._build(articles, known=known)
        except BaseException:
            self.store.save(previous)
            self.metrics.observe_build(kind, "failed", time.perf_counter() - started)
            raise
        self.metrics.observe_build(kind, "succeeded", time.perf_counter() - started)
        return result

    def _check_sentences(self, articles: Sequence[Article], known: dict[str, Analyzed]) -> None:
        bad = []
        for article in articles:
            sentences = known.get(article.text) or self.components.splitter.analyze(article.text)
            if not sentences:
                bad.append({"id": article.id, "message": "no sentences after cleaning"})
            known[article.text] = sentences
        if bad:
            raise InvalidRequestError(
                f"article {bad[0]['id']!r} has no sentences after cleaning",
                details={"errors": bad},
            )

    # -- building and swapping ---------------------------------------------------------

    def _build(
        self,
        articles: list[Article],
        *,
        job: Job | None = None,
        known: dict[str, Analyzed] | None = None,
        problems: Sequence[Problem] = (),
        records: int | None = None,
        embed_missing: EmbedMissing | None = None,
    ) -> tuple[BuildReport, ServedIndex]:
        split_done = 0

        def on_article() -> None:
            nonlocal split_done
            self._check_cancel()
            split_done += 1
            if job:
                self.jobs.progress(job, "splitting", split_done, len(articles))

        def progress(stage: str, done: int, total: int) -> None:
            self._check_cancel()
            if job:
                stage = "writing and verifying" if done >= total else stage
                self.jobs.progress(job, stage, done, total)

        # The index comes back as the build's probe loaded and verified it.
        report, index = self.components.build(
            articles,
            self.index_dir,
            problems=problems,
            records=records,
            progress=progress,
            splitter=ReusingSplitter(self.components.splitter, known, on_article),
            embed_missing=embed_missing,
        )
        return report, self._swap(index)

    def _serve(self, index: LoadedIndex) -> ServedIndex:
        """Serve an index loaded from disk, after a probe query."""
        answerer = self.components.answerer(index)
        if len(index):
            answerer.ask(index.sentence_text(0))
        return self._swap(index, answerer)

    def _swap(self, index: LoadedIndex, answerer=None) -> ServedIndex:
        served = ServedIndex(index, answerer or self.components.answerer(index))
        self.holder.swap(served)
        log.info("serving index version %s (%d articles)", index.version, len(index.articles))
        return served

    def _base_for_write(self) -> ServedIndex | None:
        """The index a write starts from: the served one, unless another process (the
        CLI) has published a newer version since, which is then loaded and served."""
        served = self.holder.current
        pointer = self.index_dir / CURRENT
        if not pointer.is_file():
            return served  # None: the first write creates the index
        on_disk = pointer.read_text().strip()
        if served is not None and served.version == on_disk:
            return served
        return self._serve(self.components.open_index(self.index_dir))

    @contextmanager
    def _write_lock(self, *, timeout: float | None) -> Iterator[None]:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._writer.acquire(timeout=0.25):
            self._check_cancel()
            if deadline is not None and time.monotonic() > deadline:
                raise ConflictError(
                    "another index write or rebuild is in progress; retry later",
                    details={"waited_seconds": timeout},
                )
        try:
            self._check_cancel()
            yield
        finally:
            self._writer.release()

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise BuildCancelledError("the server is shutting down")


def _report_summary(report: BuildReport) -> dict[str, Any]:
    data = report.to_dict()
    data["problems"] = data["problems"][:MAX_REPORTED_PROBLEMS]
    return data
