"""URL sources: recognising and parsing feeds, sitemaps and pages, and fetching them
from a local site (tests/feed_site.py) within limits, with conditional re-fetches."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.feeds import classify, parse_source, read_urls
from index.fetching import Fetcher, FetchFailed, FetchOptions, Response, is_url
from index.readers import read_sources, stable_id
from tests.feed_site import FEED_TITLE, SITE_NAME, STORIES, FeedSite, page_html

OPTIONS = FetchOptions(timeout=1.0, max_bytes=65_536)


@pytest.fixture(scope="module")
def site() -> Iterator[FeedSite]:
    with FeedSite().serving() as running:
        yield running


def response(body: str, content_type: str, url: str = "http://127.0.0.1/x") -> Response:
    return Response(url, content_type, "utf-8", body.encode("utf-8"))


# -- parsing (documents of the site, not fetched) ------------------------------------------


def test_rss_entries_keep_title_local_date_author_and_feed_title() -> None:
    rss = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<channel><title>Feed</title><item><title>A</title><link>/a.html</link>"
        "<pubDate>Wed, 05 Nov 2025 08:00:00 +0900</pubDate><dc:creator>Kim</dc:creator>"
        "</item><item><title>no link</title></item></channel></rss>"
    )
    parsed = parse_source(response(rss, "application/rss+xml", "http://127.0.0.1/feed"))
    assert parsed["kind"] == "feed"
    # The publisher's own date (08:00 in Seoul is still the 4th in UTC) and an absolute URL.
    assert parsed["links"] == [
        {
            "url": "http://127.0.0.1/a.html",
            "title": "A",
            "published": "2025-11-05T08:00:00",
            "author": "Kim",
            "feed_title": "Feed",
        }
    ]


def test_atom_feed_served_as_generic_xml() -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        '<title>Atom</title><entry><title>B</title><link href="http://127.0.0.1/b"/>'
        "<published>2025-11-06T14:00:00+09:00</published><author><name>Lee</name></author>"
        "</entry></feed>"
    )
    parsed = parse_source(response(atom, "text/xml"))
    assert parsed["kind"] == "feed"
    [link] = parsed["links"]
    assert (link["url"], link["published"], link["author"]) == (
        "http://127.0.0.1/b",
        "2025-11-06T14:00:00",
        "Lee",
    )


def test_news_sitemap_and_sitemap_index(site: FeedSite) -> None:
    body = site._docs["/sitemap.xml"][1].decode()
    parsed = parse_source(response(body, "application/xml"))
    assert parsed["kind"] == "sitemap"
    first = parsed["links"][0]
    assert first["title"] == STORIES[2].title
    assert first["source"] == SITE_NAME
    assert first["published"] == "2025-11-06T14:00:00"
    assert first["lastmod"] == "2025-11-07"
    assert [link["url"].rsplit("/", 1)[1] for link in parsed["links"][1:]] == [
        "missing.html",
        "slow.html",
        "big.html",
        "report.pdf",
    ]
    index = parse_source(response(site._docs["/sitemap-index.xml"][1].decode(), "text/xml"))
    assert index == {"kind": "sitemapindex", "sitemaps": [site.url("/sitemap.xml")]}


def test_page_extraction_keeps_title_author_and_site_name() -> None:
    parsed = parse_source(response(page_html(STORIES[0]), "text/html"))
    page = parsed["page"]
    assert parsed["kind"] == "page"
    assert page["text"].startswith("해안시는 4일 항만대교를 개통했다고")
    assert page["author"] == STORIES[0].author
    assert page["sitename"] == SITE_NAME


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        ("%PDF-1.4", "application/pdf", "unsupported content type (application/pdf)"),
        ("{}", "application/json", "unsupported content type (application/json)"),
        ("<note>hi</note>", "application/xml", "unrecognised XML"),
        ("<urlset><url><loc>", "application/xml", "unreadable sitemap"),
        ("<html><body></body></html>", "text/html", "no article text found"),
    ],
)
def test_what_is_not_an_article_source_is_a_reason(
    body: str, content_type: str, reason: str
) -> None:
    with pytest.raises(FetchFailed) as caught:
        parse_source(response(body, content_type))
    assert caught.value.reason.startswith(reason)
    assert classify(response("<rss>", "application/rss+xml")) == "feed"


def test_is_url() -> None:
    assert is_url("https://a.example/feed.xml") and is_url("HTTP://a.example/")
    assert not is_url("data/sample") and not is_url(Path("http:/x"))


# -- fetching from the local site --------------------------------------------------------


def test_feed_sitemap_and_page_urls_give_articles_and_reasons(
    site: FeedSite, tmp_path: Path
) -> None:
    fetcher = Fetcher(OPTIONS, tmp_path / "fetches.sqlite3")
    urls = [
        site.url("/feed.xml"),
        site.url("/sitemap-index.xml"),
        site.url("/news/harbor-bridge.html"),  # also in the feed: read once
        site.url("/nowhere.xml"),
    ]
    result = read_urls(urls, fetcher)
    by_url = {a.url: a for a in result.articles}
    assert sorted(by_url) == sorted(site.url(f"/news/{s.slug}.html") for s in STORIES)
    harbor = by_url[site.url("/news/harbor-bridge.html")]
    assert harbor.id == stable_id(url=harbor.url)
    assert harbor.title == STORIES[0].title
    assert harbor.published == "2025-11-04T09:30:00"
    assert harbor.source == SITE_NAME  # the site's name, not the feed's title
    assert harbor.metadata["author"] == "김민지 기자"
    assert harbor.metadata["via"] == site.url("/feed.xml")
    ferry = by_url[site.url("/news/ferry-route.html")]
    assert (ferry.published, ferry.source) == ("2025-11-06T14:00:00", SITE_NAME)
    assert ferry.metadata["author"] == STORIES[2].author

    reasons = {p.path.rsplit("/", 1)[1]: p.reason for p in result.problems}
    assert reasons == {
        "nowhere.xml": "HTTP 404",
        "missing.html": "HTTP 404",
        "slow.html": "timed out (after 1 s)",
        "big.html": "too large (300000 bytes; the limit is 65536)",
        "report.pdf": "unsupported content type (application/pdf)",
    }
    assert result.fetched["failed"] == 5
    assert FEED_TITLE not in {a.source for a in result.articles}


def test_refetch_is_conditional_and_sees_changes(site: FeedSite, tmp_path: Path) -> None:
    fetcher = Fetcher(OPTIONS, tmp_path / "fetches.sqlite3")
    urls = [site.url("/feed.xml")]
    first = read_urls(urls, fetcher)
    assert first.fetched == {"requests": 3, "downloaded": 3}
    before = len(site.requests)

    again = read_urls(urls, fetcher)
    assert again.fetched == {"requests": 3, "not_modified": 3}
    assert [a.to_dict() for a in again.articles] == [a.to_dict() for a in first.articles]
    answered = site.requests[before:]
    assert {(status, conditional) for _, status, conditional in answered} == {(304, True)}

    site.set_page(STORIES[1], STORIES[1].body + " 주말에는 오후 6시에 문을 닫는다.")
    try:
        changed = read_urls(urls, fetcher)
    finally:
        site.set_page(STORIES[1])
    assert changed.fetched == {"requests": 3, "not_modified": 2, "downloaded": 1}
    library = next(a for a in changed.articles if a.title == STORIES[1].title)
    assert library.text.endswith("주말에는 오후 6시에 문을 닫는다.")


def test_gzipped_sitemap_is_read_and_a_gzip_bomb_is_refused(site: FeedSite) -> None:
    urls = [site.url("/sitemap-news.xml.gz"), site.url("/bomb.xml.gz")]
    result = read_urls(urls, Fetcher(OPTIONS))
    assert [a.title for a in result.articles] == [STORIES[0].title]
    [problem] = result.problems
    assert problem.path.endswith("/bomb.xml.gz")
    assert problem.reason == f"too large (over {OPTIONS.max_bytes} bytes uncompressed)"


def test_redirects_are_followed_a_bounded_number_of_times(site: FeedSite) -> None:
    result = read_urls([site.url("/moved.html"), site.url("/loop")], Fetcher(OPTIONS))
    [article] = result.articles
    assert article.url == site.url("/moved.html")  # the address the source gave
    assert article.title == STORIES[0].title
    [problem] = result.problems
    assert problem.reason == f"too many redirects (more than {OPTIONS.max_redirects})"
    assert f"/loop{OPTIONS.max_redirects + 1}" not in site.statuses()


def test_requests_to_one_host_are_bounded(tmp_path: Path) -> None:
    """Six pages of one sitemap, eight workers, two at a time for the host: each answer
    takes a moment, so without the bound the site would see up to six at once."""
    options = FetchOptions(timeout=2.0, max_bytes=65_536, per_host=2)
    with FeedSite(delay=0.2).serving() as slow_site:
        result = read_urls([slow_site.url("/sitemap-all.xml")], Fetcher(options))
        assert len(result.articles) == 3 and len(result.problems) == 3
        assert 1 <= slow_site.max_in_flight <= 2


def test_read_sources_mixes_files_and_urls(site: FeedSite, tmp_path: Path) -> None:
    local = tmp_path / "one.txt"
    local.write_text("제목\n\n본문 문장이다.", encoding="utf-8")
    result = read_sources([local, site.url("/feed.xml")], fetcher=Fetcher(OPTIONS))
    assert len(result.articles) == 3
    assert result.records == 3
    assert result.fetched["requests"] == 3
