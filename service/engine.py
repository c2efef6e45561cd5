"""The index engine: open, build, probe, upsert, delete, rebuild and sync one index
directory, and swap what is served. No HTTP and no job queue here (those are
:mod:`service.indexer`), so the CLI or a script can drive it with a :class:`Components`.

* One writer at a time: every write holds :meth:`IndexEngine.writing`; queries never
  take it.
* A write builds a complete new version (only new or changed text is embedded, thanks to
  the embedding cache; unchanged articles keep their sentence spans), which is verified
  (manifest, checksums, the probe query of :meth:`Components.probe`) before it is
  published; only then is the served reference swapped. A failed build leaves the
  previous version serving.
* Every build reuses the build options saved in the manifest of the index it replaces.
* API writes are recorded in the article store before the build and undone if it fails.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from index.builder import BuildOptions, BuildReport, EmbedMissing, ProgressFn
from index.errors import (
    ArticleQAError,
    BuildCancelledError,
    ConflictError,
    IndexLoadError,
    InvalidRequestError,
    ManifestMismatchError,
)
from index.models import Article
from index.readers import Problem, read_sources
from index.store import CURRENT, MANIFEST, LoadedIndex, current_version_dir
from service.article_store import ArticleStore, Overlay
from service.components import Components
from service.serving import IndexHolder, ServedIndex
from service.settings import Settings
from service.splitting import Analyzed, ReusingSplitter, sentences_by_text

log = logging.getLogger("article_qa.index")

# (kind, outcome, seconds) of each article write, for metrics.
BuildObserver = Callable[[str, str, float], None]


class IndexEngine:
    def __init__(
        self,
        settings: Settings,
        components: Components,
        holder: IndexHolder | None = None,
        *,
        on_write: BuildObserver | None = None,
    ) -> None:
        self.settings = settings
        self.components = components
        self.holder = holder or IndexHolder()
        self.index_dir = Path(settings.index_dir)
        self.store = ArticleStore.for_index(self.index_dir)
        self._on_write = on_write or (lambda kind, outcome, seconds: None)
        self._writer = threading.Lock()
        self._cancel = threading.Event()
        self._damaged: str | None = None  # a current version found damaged at open

    # -- opening -----------------------------------------------------------------------

    def open(self) -> ServedIndex:
        """Load the current version from disk, probe it and serve it."""
        index = self.components.open_index(self.index_dir)
        return self._swap(index, self.components.probe(index))

    def serve(self, index: LoadedIndex) -> ServedIndex:
        """Probe a loaded version and serve it (a reader following CURRENT)."""
        return self._swap(index, self.components.probe(index))

    def open_or_fall_back(self) -> tuple[ServedIndex, bool]:
        """:meth:`open`; when the current version is damaged (a checksum or a file does
        not load), serve the newest older version that loads and answers instead, and
        say so (the caller then rebuilds or syncs). An index of another format or
        embedder is not damage: that error is raised as it is."""
        try:
            return self.open(), False
        except ManifestMismatchError:
            raise
        except IndexLoadError as exc:
            current = current_version_dir(self.index_dir)
            older = sorted(
                (p for p in current.parent.iterdir() if p.is_dir() and p != current),
                key=lambda p: p.stat().st_mtime,
                reverse=True,
            )
            for folder in older:
                try:
                    index = self.components.open_version(folder)
                    served = self._swap(index, self.components.probe(index))
                except ArticleQAError:
                    continue
                log.error(
                    "current index version %s is damaged (%s); serving %s until a new one is built",
                    current.name,
                    exc.message,
                    folder.name,
                )
                self._damaged = current.name
                return served, True
            raise

    def has_index(self) -> bool:
        return (self.index_dir / CURRENT).is_file()

    def cancel(self) -> None:
        """Stop a running build at its next article or batch; later writes fail."""
        self._cancel.set()

    # -- whole-index builds (callers: the job queue, scripts) --------------------------

    def rebuild(
        self, *, progress: ProgressFn | None = None, on_start: Callable[[], None] | None = None
    ) -> BuildReport:
        """Build from the configured sources with the API articles applied. Full
        rebuilds embed on Ray when ARTICLE_QA_RAY_ADDRESS is set (connected before the
        sources are read); article writes embed their few texts in process."""
        with self.writing(timeout=None):
            if on_start:
                on_start()
            embed_missing = self.components.distributed_embed()
            if progress:
                progress("reading sources", 0, 0)
            result = read_sources(self.settings.sources, fetcher=self.components.fetcher())
            articles = self.store.load().apply(result.articles)
            report, _ = self.build(
                articles,
                progress=progress,
                problems=result.problems,
                records=result.records,
                embed_missing=embed_missing,
            )
            report.fetched = result.fetched
            return report

    def sync(
        self, *, progress: ProgressFn | None = None, on_start: Callable[[], None] | None = None
    ) -> BuildReport:
        """Apply API articles that the served index lacks (after `article-qa build`)."""
        with self.writing(timeout=None):
            if on_start:
                on_start()
            base = self._base_for_write()
            overlay = self.store.load()
            base_articles = base.index.articles if base else []
            known = sentences_by_text(base.index) if base else {}
            report, _ = self.build(overlay.apply(base_articles), progress=progress, known=known)
            return report

    # -- article writes ----------------------------------------------------------------

    def upsert(self, articles: Sequence[Article]) -> dict[str, Any]:
        with self.writing(timeout=self.settings.write_wait_seconds):
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
        with self.writing(timeout=self.settings.write_wait_seconds):
            base = self._base_for_write()
            if base is None:
                raise self.holder.unavailable_error()
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
            result = self.build(articles, known=known)
        except BaseException:
            self.store.save(previous)
            self._on_write(kind, "failed", time.perf_counter() - started)
            raise
        self._on_write(kind, "succeeded", time.perf_counter() - started)
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

    # -- building and swapping (callers hold the writer) -------------------------------

    def build(
        self,
        articles: list[Article],
        *,
        progress: ProgressFn | None = None,
        known: dict[str, Analyzed] | None = None,
        problems: Sequence[Problem] = (),
        records: int | None = None,
        embed_missing: EmbedMissing | None = None,
    ) -> tuple[BuildReport, ServedIndex]:
        """Build, verify and publish a version of ``articles``, then serve it.
        ``embed_missing`` embeds the texts missing from the cache elsewhere (Ray)."""
        split_done = 0

        def on_article() -> None:
            nonlocal split_done
            self._check_cancel()
            split_done += 1
            if progress:
                progress("splitting", split_done, len(articles))

        def on_progress(stage: str, done: int, total: int) -> None:
            self._check_cancel()
            if progress:
                progress("writing and verifying" if done >= total else stage, done, total)

        # The index comes back as the build's probe loaded and verified it.
        report, index, answerer = self.components.build_verified(
            articles,
            self.index_dir,
            problems=problems,
            records=records,
            progress=on_progress,
            options=self.build_options(),
            splitter=ReusingSplitter(self.components.splitter, known, on_article),
            embed_missing=embed_missing,
        )
        return report, self._swap(index, answerer)

    def build_options(self) -> BuildOptions | None:
        """The options of the index being replaced (``article-qa build --max-chars 600``
        stays 600 through every upsert, delete and rebuild); defaults for a first build.
        Read from disk when nothing is served, e.g. an index of an older format."""
        served = self.holder.current
        if served is not None:
            return BuildOptions.from_manifest(served.index.manifest)
        try:
            manifest = json.loads((current_version_dir(self.index_dir) / MANIFEST).read_text())
        except (ArticleQAError, OSError, ValueError):
            return None
        return BuildOptions.from_manifest(manifest) if isinstance(manifest, dict) else None

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
        if served is not None and on_disk in (served.version, self._damaged):
            return served
        return self.open()

    @contextmanager
    def writing(self, *, timeout: float | None) -> Iterator[None]:
        """Hold the one writer; 409 after ``timeout`` seconds (``None``: wait)."""
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
