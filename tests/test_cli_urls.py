"""``article-qa build`` over URLs: a feed and a sitemap of a local site are indexed with
their dates and sources, failures are reported and skipped, and a second build is made
of conditional requests (304) and embeds nothing."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service.components import Components
from tests.feed_site import SITE_NAME, STORIES, FeedSite

RunCli = Callable[..., subprocess.CompletedProcess[str]]
FETCH_ENV = {"ARTICLE_QA_FETCH_TIMEOUT_SECONDS": "1", "ARTICLE_QA_FETCH_MAX_BYTES": "65536"}


@pytest.fixture(scope="module")
def site() -> Iterator[FeedSite]:
    with FeedSite().serving() as running:
        yield running


def test_build_from_a_feed_and_a_sitemap(
    run_cli: RunCli, site: FeedSite, tmp_path: Path, components: Components
) -> None:
    index_dir = tmp_path / "index"
    urls = [site.url("/feed.xml"), site.url("/sitemap.xml")]
    first = run_cli("build", *urls, "--index-dir", index_dir, "--json", env=FETCH_ENV)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["indexed"] == 3
    # feed + sitemap + 3 articles downloaded; 404, slow, oversized and PDF failed.
    assert report["fetched"] == {"requests": 9, "downloaded": 5, "failed": 4}
    reasons = sorted(p.split(": ", 1)[1] for p in report["problems"])
    assert reasons == [
        "HTTP 404",
        "timed out (after 1 s)",
        "too large (300000 bytes; the limit is 65536)",
        "unsupported content type (application/pdf)",
    ]
    assert report["skipped_by_reason"] == {
        "HTTP 404": 1,
        "timed out": 1,
        "too large": 1,
        "unsupported content type": 1,
    }
    for problem in report["problems"]:
        assert f"skipped {problem}" in first.stderr

    index = components.open_index(index_dir)
    articles = {a.title: a for a in index.articles}
    assert set(articles) == {s.title for s in STORIES}
    expected_dates = ["2025-11-04T09:30:00", "2025-11-05T08:00:00", "2025-11-06T14:00:00"]
    for story, published in zip(STORIES, expected_dates, strict=True):
        article = articles[story.title]
        assert article.published == published
        assert article.source == SITE_NAME
        assert article.url == site.url(f"/news/{story.slug}.html")
        assert article.metadata["author"] == story.author

    # Unchanged site: every page answers 304, its stored article is reused, and the
    # build embeds nothing new.
    before = len(site.requests)
    second = run_cli("build", *urls, "--index-dir", index_dir, env=FETCH_ENV)
    assert second.returncode == 0, second.stderr
    assert "indexed 3 articles" in second.stdout
    assert re.search(r"embedded 0 new texts, [1-9]\d* from cache", second.stdout), second.stdout
    assert "fetched 9 URLs: 0 downloaded, 5 not modified, 4 failed" in second.stdout
    conditional = [s for path, s, cond in site.requests[before:] if cond]
    assert conditional == [304] * 5
