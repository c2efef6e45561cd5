"""Fetching URLs politely, conditionally and within limits (httpx).

* Limits: a timeout for connecting and for each read, an overall deadline per response,
  a size limit (the declared ``Content-Length`` and the bytes actually read), at most
  ``max_redirects`` redirects, http(s) only.
* Politeness: at most ``per_host`` requests in flight to one host, ``workers`` in all.
* Conditional re-fetches: every successful response's ``ETag`` / ``Last-Modified`` is
  stored with what was parsed from it in a small SQLite file (the fetch cache, beside
  the embedding cache). The next fetch sends ``If-None-Match`` / ``If-Modified-Since``;
  a 304 returns the stored result, so an unchanged page is neither downloaded nor
  parsed again (and its text, unchanged, is found in the embedding cache).

A failure is a :class:`FetchFailed` whose ``reason`` the caller reports; nothing here
aborts a whole read because of one URL.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

USER_AGENT = "article-qa (news question answering; fetches feeds, sitemaps and articles)"
ACCEPT = (
    "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
    "application/xml;q=0.9, text/xml;q=0.9"
)


class FetchFailed(Exception):
    """One URL could not be used; ``reason`` says why (it becomes a skipped record)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = 10.0  # seconds to connect, and between two reads
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    per_host: int = 2
    workers: int = 8
    # Entries taken from one feed or sitemap: a sitemap may list a whole archive.
    max_links: int = 500


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    content_type: str  # media type, lower case, without parameters
    charset: str | None
    body: bytes


GZIP_MAGIC = b"\x1f\x8b"
GZIP_TYPES = {"application/gzip", "application/x-gzip", "application/octet-stream"}


def gunzip(data: bytes, max_bytes: int) -> bytes:
    """Decompress, refusing more than ``max_bytes`` of output (a small file may inflate
    to gigabytes)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise FetchFailed(f"unreadable gzip ({exc})") from None
    if len(out) > max_bytes or inflater.unconsumed_tail:
        raise FetchFailed(f"too large (over {max_bytes} bytes uncompressed)")
    return out


def is_url(source: str | Path) -> bool:
    return isinstance(source, str) and source.lower().startswith(("http://", "https://"))


class FetchCache:
    """url -> (ETag, Last-Modified, parsed result as JSON). ``path=None``: in memory."""

    def __init__(self, path: str | Path | None) -> None:
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS fetches (url TEXT PRIMARY KEY, etag TEXT, "
            "last_modified TEXT, payload TEXT NOT NULL, fetched_at REAL NOT NULL)"
        )

    def get(self, url: str) -> tuple[str | None, str | None, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT etag, last_modified, payload FROM fetches WHERE url = ?", (url,)
            ).fetchone()
        return (row[0], row[1], json.loads(row[2])) if row else None

    def put(self, url: str, etag: str | None, last_modified: str | None, payload: Any) -> None:
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO fetches VALUES (?, ?, ?, ?, ?)",
                (url, etag, last_modified, json.dumps(payload, ensure_ascii=False), time.time()),
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()


class FetchSession:
    """One read of some URLs: an HTTP client, the per-host limits and the counts."""

    def __init__(self, options: FetchOptions, client: httpx.Client, cache: FetchCache) -> None:
        self.options = options
        self.client = client
        self.cache = cache
        self.stats: Counter[str] = Counter()
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def _host_slot(self, url: str) -> threading.BoundedSemaphore:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            if host not in self._hosts:
                self._hosts[host] = threading.BoundedSemaphore(self.options.per_host)
            return self._hosts[host]

    def fetch_parsed(self, url: str, parse: Callable[[Response], Any]) -> Any:
        """``parse(response)`` for a fresh response, or the stored result of the last
        parse when the server answers 304 Not Modified. Raises :class:`FetchFailed`."""
        cached = self.cache.get(url)
        headers = {}
        if cached and cached[0]:
            headers["If-None-Match"] = cached[0]
        if cached and cached[1]:
            headers["If-Modified-Since"] = cached[1]
        with self._host_slot(url):
            self.stats["requests"] += 1
            try:
                response, etag, modified = self._get(url, headers)
            except FetchFailed:
                self.stats["failed"] += 1
                raise
        if response is None:  # 304
            if cached is None:  # a 304 to an unconditional request: nothing to reuse
                self.stats["failed"] += 1
                raise FetchFailed("HTTP 304 without a stored copy")
            self.stats["not_modified"] += 1
            return cached[2]
        try:
            payload = parse(response)
        except FetchFailed:
            self.stats["failed"] += 1
            raise
        self.stats["downloaded"] += 1
        if etag or modified:
            self.cache.put(url, etag, modified, payload)
        return payload

    def _get(
        self, url: str, headers: dict[str, str]
    ) -> tuple[Response | None, str | None, str | None]:
        opts = self.options
        deadline = time.monotonic() + 3 * opts.timeout
        try:
            with self.client.stream("GET", url, headers=headers) as r:
                if r.status_code == 304:
                    return None, None, None
                if r.status_code >= 400:
                    raise FetchFailed(f"HTTP {r.status_code}")
                if r.status_code != 200:
                    raise FetchFailed(f"HTTP {r.status_code} (expected 200)")
                declared = r.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > opts.max_bytes:
                    limit = opts.max_bytes
                    raise FetchFailed(f"too large ({declared} bytes; the limit is {limit})")
                chunks: list[bytes] = []
                size = 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > opts.max_bytes:
                        raise FetchFailed(f"too large (over {opts.max_bytes} bytes)")
                    if time.monotonic() > deadline:
                        raise FetchFailed(f"too slow (over {3 * opts.timeout:g} s)")
                    chunks.append(chunk)
                media, _, params = r.headers.get("content-type", "").partition(";")
                charset = None
                for param in params.split(";"):
                    key, _, value = param.strip().partition("=")
                    if key.lower() == "charset" and value:
                        charset = value.strip("\"'").lower()
                etag = r.headers.get("etag")
                modified = r.headers.get("last-modified")
                body = b"".join(chunks)
                media = media.strip().lower()
                if body[:2] == GZIP_MAGIC:  # a .gz file (sitemaps often are), not an encoding
                    body = gunzip(body, opts.max_bytes)
                    media = "" if media in GZIP_TYPES else media
                response = Response(str(r.url), media, charset, body)
                return response, etag, modified
        except httpx.TooManyRedirects:
            raise FetchFailed(f"too many redirects (more than {opts.max_redirects})") from None
        except httpx.TimeoutException:
            raise FetchFailed(f"timed out (after {opts.timeout:g} s)") from None
        except httpx.HTTPError as exc:
            raise FetchFailed(f"request failed ({type(exc).__name__}: {exc})") from None


class Fetcher:
    """Configuration of fetching; :meth:`session` opens the client and the cache."""

    def __init__(
        self, options: FetchOptions | None = None, cache_path: str | Path | None = None
    ) -> None:
        self.options = options or FetchOptions()
        self.cache_path = cache_path

    @contextmanager
    def session(self) -> Iterator[FetchSession]:
        opts = self.options
        client = httpx.Client(
            timeout=httpx.Timeout(opts.timeout),
            follow_redirects=True,
            max_redirects=opts.max_redirects,
            headers={"User-Agent": USER_AGENT, "Accept": ACCEPT},
            limits=httpx.Limits(max_connections=opts.workers),
        )
        cache = FetchCache(self.cache_path)
        try:
            yield FetchSession(opts, client, cache)
        finally:
            client.close()
            cache.close()
