"""Fetching URL sources into the served index: now (``POST /v1/sources/fetch``) and on a
schedule (``ARTICLE_QA_FEED_SYNC_MINUTES``).

Both write through :meth:`IndexManager.upsert`, the path of ``POST /v1/articles``: only
new or changed articles are embedded and built into a new version, and unchanged ones
(a 304, or the same text) cost a conditional request and nothing else. The articles
become API articles, so a later full rebuild keeps them even after they have dropped
off the feed, as news feeds list only their latest items.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from index.errors import ArticleQAError
from index.feeds import read_urls
from index.fetching import is_url
from service.components import Components
from service.indexer import MAX_REPORTED_PROBLEMS, IndexManager
from service.settings import Settings

log = logging.getLogger("article_qa.sources")


def fetch_into_index(
    urls: Sequence[str], components: Components, indexer: IndexManager
) -> dict[str, Any]:
    """Fetch the URLs (pages, feeds, sitemaps) and upsert what they hold; every URL that
    failed is listed with its reason."""
    result = read_urls(list(urls), components.fetcher())
    upsert = indexer.upsert(result.articles) if result.articles else None
    return {
        "records": result.records,
        "articles": len(result.articles),
        "skipped": len(result.problems),
        "problems": [str(p) for p in result.problems[:MAX_REPORTED_PROBLEMS]],
        "fetched": result.fetched,
        "upsert": upsert,
    }


class FeedSync:
    """Re-fetches the configured URL sources every ``feed_sync_minutes`` on one daemon
    thread; a failed round is logged and the next one runs on time."""

    def __init__(self, settings: Settings, components: Components, indexer: IndexManager) -> None:
        self.urls = [str(s) for s in settings.sources if is_url(str(s))]
        self.interval = settings.feed_sync_minutes * 60
        self.components = components
        self.indexer = indexer
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self.interval > 0 and bool(self.urls)

    def start(self) -> None:
        if not self.enabled:
            return
        self._thread = threading.Thread(target=self._loop, name="article-qa-feed-sync", daemon=True)
        self._thread.start()
        log.info("re-fetching %d URL sources every %g s", len(self.urls), self.interval)

    def stop(self) -> None:
        """Stop scheduling; a round in progress is ended by the indexer's shutdown (its
        write is cancelled), so this does not wait long for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                report = self.run_once()
            except ArticleQAError as exc:  # a write in progress, no index yet, shutdown
                log.warning("feed sync skipped: %s", exc.message)
                continue
            except Exception:  # the thread must outlive one bad round
                log.exception("feed sync failed")
                continue
            upsert = report["upsert"] or {}
            log.info(
                "feed sync: %d articles (%d new, %d updated), %d skipped, requests %s",
                report["articles"],
                upsert.get("created", 0),
                upsert.get("updated", 0),
                report["skipped"],
                report["fetched"],
            )

    def run_once(self) -> dict[str, Any]:
        return fetch_into_index(self.urls, self.components, self.indexer)
