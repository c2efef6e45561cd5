"""URL sources in a running server: a feed in ARTICLE_QA_SOURCES is indexed at start,
``POST /v1/sources/fetch`` adds a sitemap's articles now (reporting the URLs that
failed), and the scheduled sync picks up a changed page, all through the upsert path."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from index.readers import stable_id
from tests.feed_site import SITE_NAME, STORIES, FeedSite
from tests.service.server import ADMIN_TOKEN, Server, assert_error

SYNC_MINUTES = 0.05  # every 3 s


@pytest.fixture(scope="module")
def site() -> Iterator[FeedSite]:
    with FeedSite().serving() as running:
        yield running


@pytest.fixture(scope="module")
def feed_server(
    site: FeedSite, server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    settings = {
        "sources": [site.url("/feed.xml")],
        "admin_token": ADMIN_TOKEN,
        "feed_sync_minutes": str(SYNC_MINUTES),
        "fetch_timeout_seconds": "1",
        "fetch_max_bytes": "65536",
        "max_batch_articles": 3,
    }
    srv = Server(tmp_path_factory.mktemp("feed-server"), server_env, settings)
    with srv.serving():
        yield srv


def article_id(site: FeedSite, index: int) -> str:
    return stable_id(url=site.url(f"/news/{STORIES[index].slug}.html"))


def test_feed_source_is_indexed_at_start(feed_server: Server, site: FeedSite) -> None:
    status = feed_server.client.get("/v1/index").json()
    assert status["counts"]["articles"] == 2
    article = feed_server.client.get(f"/v1/articles/{article_id(site, 0)}").json()
    assert article["published"] == "2025-11-04T09:30:00"
    assert article["source"] == SITE_NAME
    assert article["metadata"]["author"] == STORIES[0].author


def test_fetch_endpoint_adds_a_sitemap_and_reports_failures(
    feed_server: Server, site: FeedSite, admin: dict[str, str]
) -> None:
    response = feed_server.client.post(
        "/v1/sources/fetch", json={"urls": [site.url("/sitemap.xml")]}, headers=admin
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["articles"] == 1 and body["skipped"] == 4
    assert body["upsert"]["created"] == 1
    reasons = sorted(p.split(": ", 1)[1] for p in body["problems"])
    assert reasons[0] == "HTTP 404" and reasons[1].startswith("timed out")
    ferry = feed_server.client.get(f"/v1/articles/{article_id(site, 2)}").json()
    assert ferry["published"] == "2025-11-06T14:00:00"
    assert ferry["source"] == SITE_NAME
    answer = feed_server.client.post(
        "/v1/ask", json={"question": "등대섬 여객선 편도 요금은 얼마야?"}
    ).json()
    assert answer["answered"], answer
    assert answer["quotes"][0]["citation"]["article_id"] == article_id(site, 2)


def test_fetch_endpoint_checks_its_input(feed_server: Server, admin: dict[str, str]) -> None:
    client = feed_server.client
    assert_error(client.post("/v1/sources/fetch", json={"urls": ["http://127.0.0.1:1/"]}), 401)
    wrong = {"Authorization": "Bearer wrong-token-0123456789"}
    assert_error(client.post("/v1/sources/fetch", json={"urls": []}, headers=wrong), 403)
    bad = client.post("/v1/sources/fetch", json={"urls": ["file:///etc/passwd"]}, headers=admin)
    assert assert_error(bad, 422, "invalid_request")["details"]["field"] == "urls[0]"
    empty = client.post("/v1/sources/fetch", json={"urls": []}, headers=admin)
    assert_error(empty, 422, "invalid_request")
    many = client.post("/v1/sources/fetch", json={"urls": ["http://127.0.0.1/"] * 4}, headers=admin)
    assert_error(many, 413, "limit_exceeded")


def test_scheduled_sync_picks_up_a_changed_page(feed_server: Server, site: FeedSite) -> None:
    added = "주말에는 오후 6시에 문을 닫는다."
    site.set_page(STORIES[1], STORIES[1].body + " " + added)
    try:
        deadline = time.monotonic() + 120  # bounded: a few sync rounds at most
        text = ""
        while time.monotonic() < deadline:
            text = feed_server.client.get(f"/v1/articles/{article_id(site, 1)}").json()["text"]
            if added in text:
                break
            time.sleep(0.5)
        assert added in text
    finally:
        site.set_page(STORIES[1])
    assert "feed sync" in feed_server.log()
