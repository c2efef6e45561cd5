"""Articles from URLs: article pages, RSS/Atom feeds and sitemaps.

A URL source is fetched (:mod:`index.fetching`) and recognised by its content type and,
for generic XML, its root element:

* an HTML page is one article (trafilatura extracts its text, title, date and author);
* a feed (parsed by feedparser: RSS 0.9x/1.0/2.0, Atom) lists articles: each entry's
  page is fetched, and the entry's title, date and author take precedence over what the
  page says about itself;
* a sitemap (``<urlset>``, with the Google News extension's title, publication name and
  date when present) lists pages; a sitemap index (``<sitemapindex>``) lists sitemaps,
  followed one level deep.

Each article keeps its URL (its id derives from it), title, published date, author
(metadata) and source name. Every URL that fails is a :class:`Problem` with its reason.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from index.errors import RecordError
from index.fetching import Fetcher, FetchFailed, FetchSession, Response
from index.models import Article
from index.readers import Problem, ReadResult, article_from_record, extract_html, normalize_date

HTML_TYPES = {"text/html", "application/xhtml+xml"}
FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/x-rss+xml",
}
XML_TYPES = {"application/xml", "text/xml", ""}
_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(urlset|sitemapindex|rss|feed|RDF|html)\b", re.I)
_ROOT_KIND = {
    b"urlset": "sitemap",
    b"sitemapindex": "sitemap",
    b"rss": "feed",
    b"feed": "feed",
    b"rdf": "feed",
    b"html": "page",
}
SITEMAP_DEPTH = 2  # a sitemap index, and the sitemaps it lists


def classify(response: Response) -> str:
    """``page``, ``feed`` or ``sitemap``; FetchFailed for anything else."""
    media = response.content_type
    if media in HTML_TYPES:
        return "page"
    if media in FEED_TYPES:
        return "feed"
    if media in XML_TYPES or media.endswith("+xml"):
        m = _ROOT.search(response.body[:4096])
        if m:
            return _ROOT_KIND[m.group(1).lower()]
        raise FetchFailed(f"unrecognised XML (not a feed or a sitemap; {media or 'no type'})")
    raise FetchFailed(f"unsupported content type ({media or 'none given'})")


def _text(response: Response) -> str:
    for encoding in filter(None, (response.charset, "utf-8", "cp949")):
        try:
            return response.body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return response.body.decode("utf-8", errors="replace")


def _page(response: Response) -> dict[str, Any]:
    text, meta = extract_html(_text(response))
    if not text.strip():
        raise FetchFailed("no article text found on the page")
    return {"text": text, **meta}


def _date(raw: str | None) -> str | None:
    """A feed's date as the publisher wrote it (its local date and time, not UTC)."""
    if not raw:
        return None
    raw = raw.strip()
    try:
        stamp = parsedate_to_datetime(raw)  # RFC 822, as RSS writes dates
    except (TypeError, ValueError, IndexError):
        try:
            stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))  # Atom, W3C
        except ValueError:
            return normalize_date(raw)
        if len(raw) == 10:  # a day without a time stays a day
            return stamp.date().isoformat()
    return stamp.strftime("%Y-%m-%dT%H:%M:%S")


def _feed(response: Response) -> dict[str, Any]:
    import feedparser

    parsed = feedparser.parse(response.body)
    if parsed.bozo and not parsed.entries:
        raise FetchFailed(f"unreadable feed ({parsed.get('bozo_exception')})")
    source = (parsed.feed.get("title") or "").strip() or None
    links = []
    for entry in parsed.entries:
        if not entry.get("link"):
            continue
        links.append(
            {
                "url": urljoin(response.url, entry["link"]),
                "title": (entry.get("title") or "").strip() or None,
                "published": _date(entry.get("published") or entry.get("updated")),
                "author": (entry.get("author") or "").strip() or None,
                "feed_title": source,
            }
        )
    return {"kind": "feed", "links": links}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, *path: str) -> str | None:
    """Text of the first descendant along ``path`` (local names, namespaces ignored)."""
    current: ET.Element | None = element
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if _local(c.tag) == name), None)
    text = current.text if current is not None else None
    return text.strip() if text and text.strip() else None


def _sitemap(response: Response) -> dict[str, Any]:
    try:
        root = ET.fromstring(response.body)
    except ET.ParseError as exc:
        raise FetchFailed(f"unreadable sitemap ({exc})") from None
    if _local(root.tag) == "sitemapindex":
        children = [_child(s, "loc") for s in root if _local(s.tag) == "sitemap"]
        return {"kind": "sitemapindex", "sitemaps": [c for c in children if c]}
    links = []
    for url in root:
        loc = _child(url, "loc") if _local(url.tag) == "url" else None
        if not loc:
            continue
        links.append(
            {
                "url": urljoin(response.url, loc),
                "title": _child(url, "news", "title"),
                "published": _date(_child(url, "news", "publication_date")),
                "lastmod": _date(_child(url, "lastmod")),
                "source": _child(url, "news", "publication", "name"),
            }
        )
    return {"kind": "sitemap", "links": links}


def parse_source(response: Response) -> dict[str, Any]:
    """What a URL holds, as JSON-able data (the fetch cache stores it for a 304)."""
    kind = classify(response)
    if kind == "page":
        return {"kind": "page", "page": _page(response)}
    if kind == "feed":
        return _feed(response)
    return _sitemap(response)


def to_article(link: dict[str, Any], page: dict[str, Any]) -> Article:
    """The listing (feed entry, sitemap entry) knows the title, date and source better
    than the page's own metadata, when it gives them."""
    url = link["url"]
    metadata = {k: v for k, v in (("author", link.get("author") or page.get("author")),) if v}
    if link.get("via"):
        metadata["via"] = link["via"]
    record = {
        "url": url,
        "title": link.get("title") or page.get("title") or "",
        "text": page["text"],
        "published": link.get("published") or page.get("published") or link.get("lastmod"),
        # The publication's name: a news sitemap's, the page's own (og:site_name), the
        # feed's title (often "Site - Section"), the host; one name per site keeps the
        # source filter useful.
        "source": link.get("source")
        or page.get("sitename")
        or link.get("feed_title")
        or urlsplit(url).hostname,
        "metadata": metadata,
    }
    return article_from_record(record, path=url)


class _UrlReader:
    def __init__(self, session: FetchSession) -> None:
        self.session = session
        self.result = ReadResult()
        self.links: list[dict[str, Any]] = []

    def problem(self, url: str, reason: str) -> None:
        self.result.problems.append(Problem(url, None, reason))

    def source(self, url: str, depth: int = 0, via: str | None = None) -> None:
        try:
            payload = self.session.fetch_parsed(url, parse_source)
        except FetchFailed as exc:
            self.result.records += 1
            self.problem(url, exc.reason)
            return
        kind = payload["kind"]
        if kind == "page":
            self.links.append({"url": url, "via": via, "page": payload["page"]})
        elif kind == "sitemapindex":
            if depth + 1 >= SITEMAP_DEPTH:
                self.problem(url, "sitemap index nested too deep (not followed)")
                return
            for child in payload["sitemaps"]:
                self.source(child, depth + 1, via=url)
        else:
            links = payload["links"]
            cap = self.session.options.max_links
            if len(links) > cap:
                self.problem(url, f"only the first {cap} of {len(links)} links are read (limit)")
            self.links.extend({**link, "via": url} for link in links[:cap])

    def page(self, link: dict[str, Any]) -> Article | Problem:
        try:
            page = link.get("page")
            if page is None:
                payload = self.session.fetch_parsed(link["url"], parse_source)
                if payload["kind"] != "page":
                    return Problem(link["url"], None, f"not an article page (a {payload['kind']})")
                page = payload["page"]
            return to_article(link, page)
        except FetchFailed as exc:
            return Problem(link["url"], None, exc.reason)
        except RecordError as exc:
            return Problem(link["url"], None, exc.reason)


def read_urls(urls: Sequence[str], fetcher: Fetcher | None = None) -> ReadResult:
    """Every article the URLs give, and a problem for every URL that fails."""
    fetcher = fetcher or Fetcher()
    with fetcher.session() as session:
        reader = _UrlReader(session)
        for url in urls:
            reader.source(url)
        # A page listed twice (given directly and in a feed) is read once, with what
        # every listing says about it.
        merged: dict[str, dict[str, Any]] = {}
        for link in reader.links:
            known = {k: v for k, v in link.items() if v is not None}
            merged[link["url"]] = {**merged.get(link["url"], {}), **known}
        links = list(merged.values())
        with ThreadPoolExecutor(max_workers=session.options.workers) as pool:
            outcomes = list(pool.map(reader.page, links))
        result = reader.result
        result.records += len(outcomes)
        for outcome in outcomes:
            if isinstance(outcome, Article):
                result.articles.append(outcome)
            else:
                result.problems.append(outcome)
        result.fetched = dict(session.stats)
    return result
