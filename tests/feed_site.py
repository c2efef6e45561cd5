"""A tiny news site on 127.0.0.1 for the URL-source tests: article pages, an RSS feed,
an Atom feed, a news sitemap and a sitemap index, and the failures a crawler meets (a
404, a slow page, an oversized page, a PDF). It answers conditional requests (ETag,
If-None-Match -> 304) and records every request, so tests can see what was fetched.

``http.server`` in one thread; every handler is bounded (the slow page sleeps
``SLOW_SECONDS`` once), and the server binds to loopback only.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 3.0
BIG_BYTES = 300_000


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    published: str  # as the feed or sitemap writes it
    author: str
    body: str


STORIES = [
    Story(
        "harbor-bridge",
        "해안시, 항만대교 개통…출퇴근 시간 20분 단축",
        "Tue, 04 Nov 2025 09:30:00 +0900",
        "김민지 기자",
        "해안시는 4일 항만대교를 개통했다고 밝혔다. 다리는 길이 3.2킬로미터로 왕복 6차로다. "
        "시는 개통으로 신항과 도심을 오가는 출퇴근 시간이 평균 20분 줄어들 것으로 내다봤다. "
        "공사에는 5년 동안 모두 4,800억 원이 들었다.",
    ),
    Story(
        "library-hours",
        "해안시립도서관, 다음 달부터 밤 11시까지 연장 운영",
        "Wed, 05 Nov 2025 08:00:00 +0900",
        "박서준 기자",
        "해안시립도서관이 다음 달 1일부터 열람실을 밤 11시까지 연장 운영한다. "
        "도서관은 시험 기간 이용자가 크게 늘어 운영 시간을 두 시간 늘리기로 했다고 설명했다. "
        "연장 운영에 필요한 인력 12명은 새로 채용한다.",
    ),
    Story(
        "ferry-route",
        "해안시–등대섬 여객선 항로 신설, 하루 네 차례 운항",
        "2025-11-06T14:00:00+09:00",
        "이하늘 기자",
        "해안시와 등대섬을 잇는 여객선 항로가 새로 생긴다. 여객선은 다음 달 10일부터 하루 네 "
        "차례 운항하며 편도 요금은 8,000원이다. 배는 정원 180명 규모로 한 시간 만에 섬에 닿는다.",
    ),
]
SITE_NAME = "해안일보"
FEED_TITLE = "해안일보 지역 뉴스"


def page_html(story: Story, body: str | None = None) -> str:
    return f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{story.title} - {SITE_NAME}</title>
<meta property="og:site_name" content="{SITE_NAME}">
<meta name="author" content="{story.author}">
</head><body><nav><a href="/">홈</a> <a href="/local">지역</a></nav>
<article><h1>{story.title}</h1>
<p>{body or story.body}</p>
</article><footer>© {SITE_NAME}</footer></body></html>"""


def rss(base: str, stories: list[Story]) -> str:
    items = "".join(
        f"<item><title>{s.title}</title><link>{base}/news/{s.slug}.html</link>"
        f"<pubDate>{s.published}</pubDate><dc:creator>{s.author}</dc:creator></item>"
        for s in stories
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
        f"<title>{FEED_TITLE}</title><link>{base}/</link>{items}</channel></rss>"
    )


def news_sitemap(base: str, story: Story, others: list[str]) -> str:
    extra = "".join(f"<url><loc>{base}{path}</loc></url>" for path in others)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"<url><loc>{base}/news/{story.slug}.html</loc><lastmod>2025-11-07</lastmod>"
        f"<news:news><news:publication><news:name>{SITE_NAME}</news:name></news:publication>"
        f"<news:publication_date>{story.published}</news:publication_date>"
        f"<news:title>{story.title}</news:title></news:news></url>{extra}</urlset>"
    )


class FeedSite:
    """The site. ``url(path)`` is an absolute URL; ``requests`` lists
    ``(path, status, conditional)`` for every request answered."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay  # seconds before each answer, so that requests overlap
        self.in_flight = 0
        self.max_in_flight = 0
        self.requests: list[tuple[str, int, bool]] = []
        self._docs: dict[str, tuple[str, bytes, str]] = {}  # path -> (type, body, etag)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        for story in STORIES:
            self.set_page(story)
        feed = rss(self.base, STORIES[:2])
        self.put("/feed.xml", "application/rss+xml; charset=utf-8", feed)
        failures = ["/news/missing.html", "/slow.html", "/big.html", "/report.pdf"]
        sitemap = news_sitemap(self.base, STORIES[2], failures)
        self.put("/sitemap.xml", "application/xml", sitemap)
        index = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.base}/sitemap.xml</loc></sitemap></sitemapindex>"
        )
        self.put("/sitemap-index.xml", "text/xml", index)
        every = [f"/news/{story.slug}.html" for story in STORIES[1:]] + failures[:1] + failures[2:]
        self.put("/sitemap-all.xml", "application/xml", news_sitemap(self.base, STORIES[0], every))
        # Sitemaps are often served as .gz files; and a small file may inflate to a lot.
        self.put_gzip("/sitemap-news.xml.gz", news_sitemap(self.base, STORIES[0], []).encode())
        self.put_gzip("/bomb.xml.gz", b"<urlset>" + b" " * BIG_BYTES + b"</urlset>")

    def put_gzip(self, path: str, body: bytes) -> None:
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        with self._lock:
            self._docs[path] = ("application/gzip", gzip.compress(body), etag)

    def url(self, path: str) -> str:
        return self.base + path

    def put(self, path: str, content_type: str, body: str) -> None:
        data = body.encode("utf-8")
        etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
        with self._lock:
            self._docs[path] = (content_type, data, etag)

    def set_page(self, story: Story, body: str | None = None) -> None:
        self.put(f"/news/{story.slug}.html", "text/html; charset=utf-8", page_html(story, body))

    def statuses(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for path, status, _ in self.requests:
            out.setdefault(path, []).append(status)
        return out

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # quiet
                return

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                path = self.path.split("?")[0]
                conditional = "If-None-Match" in self.headers
                # In flight while it waits for its answer, not while the answer is written:
                # a client that has read a whole answer may send its next request before
                # this thread gets back from writing, which a wider window counted as a
                # third request at once for a client that keeps to two.
                with site._lock:
                    site.in_flight += 1
                    site.max_in_flight = max(site.max_in_flight, site.in_flight)
                try:
                    time.sleep(site.delay)
                finally:
                    with site._lock:
                        site.in_flight -= 1
                status = self._answer(path)
                site.requests.append((path, status, conditional))

            def _send(self, status: int, content_type: str, body: bytes, **headers: str) -> int:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key.replace("_", "-"), value)
                self.end_headers()
                # The client may give up on purpose (too large, too slow).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)
                return status

            def _answer(self, path: str) -> int:
                if path == "/slow.html":
                    time.sleep(SLOW_SECONDS)
                    return self._send(200, "text/html", b"<html><body><p>late</p></body></html>")
                if path == "/big.html":
                    filler = b"<p>" + b"x" * (BIG_BYTES - 7) + b"</p>"
                    return self._send(200, "text/html", filler)
                if path.startswith("/loop"):  # a redirect that never ends
                    n = int(path[5:] or 0) + 1
                    return self._send(302, "text/html", b"", Location=f"/loop{n}")
                if path == "/moved.html":
                    return self._send(301, "text/html", b"", Location="/news/harbor-bridge.html")
                if path == "/report.pdf":
                    return self._send(200, "application/pdf", b"%PDF-1.4 not an article")
                with site._lock:
                    doc = site._docs.get(path)
                if doc is None:
                    return self._send(404, "text/html", b"<html><body>not found</body></html>")
                content_type, body, etag = doc
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return 304
                modified = formatdate(1762300000, usegmt=True)
                return self._send(200, content_type, body, ETag=etag, Last_Modified=modified)

        return Handler

    @contextmanager
    def serving(self) -> Iterator[FeedSite]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(timeout=10)
