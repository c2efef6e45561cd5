"""The reader role: serve a shared index directory that another process writes.

A reader never writes to the index directory. It polls ``CURRENT`` (a plain file read
every ``follow_interval_seconds``: portable to NFS and other shared file systems where
inotify does not see another machine's writes). When ``CURRENT`` names a new version, it
loads it with its checksums, answers a probe query on it and only then swaps it in, so
no request fails: requests in flight finish on the version they started with.

A version that fails to load or verify is refused: the reader keeps serving what it
served, logs the refusal and reports it in ``/readyz`` (``details.refused``). It tries
that version again only after ``RETRY_REFUSED_POLLS`` polls, since a corrupt version stays
corrupt; a newer version is tried at once.

The writer keeps the previous version on disk beside the new one (``KEEP_VERSIONS``); a
reader that still serves an older one keeps working because every file of a loaded
version is read into memory or memory-mapped, and an unlinked file stays readable through
its mapping.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from index.errors import ArticleQAError
from index.store import CURRENT, VERSIONS
from service.serving import IndexHolder

log = logging.getLogger("article_qa.replica")
RETRY_REFUSED_POLLS = 30


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class IndexFollower:
    """Follows ``CURRENT`` of ``index_dir``; ``serve(folder)`` loads, verifies, probes and
    swaps in a version (raising :class:`ArticleQAError` when it cannot)."""

    def __init__(
        self,
        index_dir: Path,
        holder: IndexHolder,
        serve: Callable[[Path], object],
        *,
        interval: float,
    ) -> None:
        self.index_dir = index_dir
        self.holder = holder
        self._serve = serve
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._refused: dict[str, Any] | None = None
        self._refused_polls = 0
        self._checked_at: str | None = None

    def start(self) -> None:
        """Serve what ``CURRENT`` names now (so a reader is ready as soon as it starts
        when an index exists), then keep following it in a background thread."""
        self.poll()
        self._thread = threading.Thread(target=self._run, name="article-qa-follow", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=60)

    def status(self) -> dict[str, Any]:
        return {
            "role": "reader",
            "following": str(self.index_dir / CURRENT),
            "poll_seconds": self.interval,
            "checked_at": self._checked_at,
            "refused": dict(self._refused) if self._refused else None,
        }

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.poll()
            except Exception:  # a poll must never end the thread that follows the index
                log.exception("following %s failed; trying again", self.index_dir / CURRENT)

    def _pointer(self) -> str | None:
        try:
            return (self.index_dir / CURRENT).read_text().strip() or None
        except FileNotFoundError:
            return None

    def poll(self) -> None:
        """One check of ``CURRENT``; swaps in a new verified version."""
        self._checked_at = _now()
        version = self._pointer()
        served = self.holder.current
        if version is None:
            if served is None:
                self.holder.mark_unavailable(
                    f"no index at {self.index_dir} yet (a reader waits for the writer to "
                    "publish one)"
                )
            return
        if served is not None and served.version == version:
            self._refused = None  # CURRENT went back to what is served
            return
        if self._refused and self._refused["version"] == version:
            self._refused_polls += 1
            if self._refused_polls < RETRY_REFUSED_POLLS:
                return
        try:
            self._serve(self.index_dir / VERSIONS / version)
        except ArticleQAError as exc:
            if self._pointer() != version:
                return  # replaced (and maybe pruned) while loading: the next poll takes it
            self._refuse(version, exc.message, served)
            return
        self._refused = None
        self._refused_polls = 0

    def _refuse(self, version: str, reason: str, served: Any) -> None:
        keeps = served.version if served is not None else None
        if not (self._refused and self._refused["version"] == version):
            log.error(
                "refusing index version %s: %s; still serving %s",
                version,
                reason,
                keeps or "nothing",
            )
        self._refused = {"version": version, "reason": reason, "at": _now(), "serving": keeps}
        self._refused_polls = 0
        if served is None:
            self.holder.mark_unavailable(f"index version {version} was refused: {reason}")
