"""The chat page, the widget and the article view.

The HTML of the article view is checked over HTTP; the page and the widget run in real
headless Chromium (Debian's ``chromium``, driven by Playwright; ``playwright install``
is never needed). Without /usr/bin/chromium the browser tests are skipped, unless the
environment variable CI is set: then they fail.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from service.routes.web import render_article
from tests.service.server import SAMPLE_DIR, Server, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NVIDIA = "엔비디아가 한국에 공급하는 GPU는 몇 장이야?"
# Set SCREENSHOT_DIR (e.g. docs/img) to save chat.png and article.png from the test.
SCREENSHOTS = Path(os.environ["SCREENSHOT_DIR"]) if os.environ.get("SCREENSHOT_DIR") else None
TIMEOUT_MS = 60_000


def nvidia_quote(server: Server) -> dict[str, Any]:
    answer = server.client.post("/v1/ask", json={"question": NVIDIA}).json()
    assert answer["answered"] is True
    return answer["quotes"][0]


# --- without a browser ------------------------------------------------------------


def test_article_view_highlights_the_quoted_span(server: Server) -> None:
    quote = nvidia_quote(server)
    c = quote["citation"]
    response = server.client.get(
        f"/articles/{c['article_id']}", params={"start": c["char_start"], "end": c["char_end"]}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert f'tabindex="-1" aria-label="인용한 문장">{quote["text"]}</mark>' in page
    assert page.count("<mark") == 1
    assert '<script src="/static/article.js" defer></script>' in page


def test_quotes_carry_the_answer_span(server: Server) -> None:
    quote = nvidia_quote(server)
    span = quote["answer_span"]
    assert quote["text"][span["start"] : span["end"]] == "26만 장"
    schema = server.client.get("/openapi.json").json()["components"]["schemas"]
    assert "answer_span" in schema["Quote"]["properties"]


def test_article_view_ignores_a_span_out_of_range(server: Server) -> None:
    c = nvidia_quote(server)["citation"]
    page = server.client.get(f"/articles/{c['article_id']}?start=5&end=999999").text
    assert "<mark" not in page
    assert server.client.get(f"/articles/{c['article_id']}?start=x").status_code == 422
    assert server.client.get("/articles/no-such-article").status_code == 404


def test_article_text_is_escaped() -> None:
    article = {
        "id": 'x"><b>',
        "title": "<script>alert(1)</script> 제목",
        "text": "첫 문장에는 <b>태그</b>가 있다. 두 번째 문장은 & 기호를 쓴다.",
        "url": "javascript:alert(1)",
        "lang": "ko",
    }
    page = render_article(article, 0, 17)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert ">첫 문장에는 &lt;b&gt;태그&lt;/b&gt;가</mark>" in page and "&amp; 기호" in page
    assert "javascript:" not in page and 'data-article-id="x&quot;&gt;&lt;b&gt;"' in page


def test_static_files(server: Server) -> None:
    page = server.client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    assert 'src="/widget.js"' in page.text
    widget = server.client.get("/widget.js")
    assert widget.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in widget.text
    assert server.client.get("/static/widget.css").status_code == 200
    assert server.client.get("/static/..%2Fapp.py").status_code == 404
    assert server.client.get("/static/nothing.css").status_code == 404


# --- in Chromium --------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {CHROMIUM} is missing: apt-get install -y chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium); CI is not set")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI is set but playwright is missing: pip install -e '.[dev]'")
        pytest.skip("playwright is not installed (pip install -e '.[dev]'); CI is not set")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(locale="ko-KR", viewport={"width": 1100, "height": 760})
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


def test_chat_page_answers_and_the_citation_opens_the_highlighted_quote(
    context: Any, server: Server
) -> None:
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{server.url}/")
    assert page.locator("h2").text_content() == "기사 Q&A"  # ko-KR: Korean UI
    field = page.get_by_label("질문", exact=True)
    field.fill(NVIDIA)
    field.press("Enter")
    first = page.locator(".aqa-quote").first
    first.wait_for()
    quote = nvidia_quote(server)
    assert first.text_content() == quote["text"]
    # The answer inside the quote is bold text (<strong>), not only a colour.
    span = quote["answer_span"]
    assert span is not None
    strong = first.locator("p > strong.aqa-answer")
    assert strong.count() == 1
    assert strong.text_content() == quote["text"][span["start"] : span["end"]] == "26만 장"
    assert int(strong.evaluate("e => getComputedStyle(e).fontWeight")) >= 600
    assert page.locator(".aqa-log").get_attribute("aria-live") == "polite"
    assert page.evaluate("document.activeElement.id") == field.get_attribute("id")
    cite = page.locator(".aqa-cite").first
    assert "2025-10-31" in (cite.text_content() or "")
    if SCREENSHOTS:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "chat.png"))

    with context.expect_page() as opened:
        page.locator(".aqa-cite-link").first.click()
    article = opened.value
    article.wait_for_load_state()
    c = quote["citation"]
    assert f"start={c['char_start']}&end={c['char_end']}" in article.url
    mark = article.locator("mark#quote")
    assert mark.text_content() == quote["text"]
    assert article.evaluate("document.activeElement.id") == "quote"
    assert mark.is_visible()
    if SCREENSHOTS:
        article.screenshot(path=str(SCREENSHOTS / "article.png"))

    # A follow-up in the same conversation is answered too.
    field.fill("그중 정부 몫은 몇 장이야?")
    field.press("Enter")
    page.locator(".aqa-bot").nth(1).wait_for()
    assert page.locator(".aqa-user").count() == 2
    assert not errors


def test_language_toggle(context: Any, server: Server) -> None:
    page = context.new_page()
    page.goto(f"{server.url}/")
    page.get_by_role("button", name="English").click()
    assert page.locator("h2").text_content() == "Article Q&A"
    assert page.get_by_label("Question", exact=True).is_visible()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def other_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A plain http.server on another loopback port: the site that embeds the widget."""
    root = tmp_path_factory.mktemp("embedding-site")
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def widget_server(
    server_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    other_origin: tuple[str, Path],
) -> Iterator[Server]:
    """A server that allows the embedding site's origin (built from data/sample; the
    session's embedding cache makes that quick)."""
    origin, _ = other_origin
    srv = Server(
        tmp_path_factory.mktemp("widget-server"),
        server_env,
        {"sources": [str(SAMPLE_DIR)], "cors_origins": [origin]},
    )
    with srv.serving():
        yield srv


def test_widget_on_another_origin(
    browser: Any, widget_server: Server, other_origin: tuple[str, Path]
) -> None:
    origin, root = other_origin
    (root / "index.html").write_text(
        "<!doctype html><html><head><title>A news site</title></head><body>"
        "<h1>Some site</h1>"
        f'<script src="{widget_server.url}/widget.js" defer></script>'
        "</body></html>",
        encoding="utf-8",
    )
    ctx = browser.new_context(locale="en-US")
    ctx.set_default_timeout(TIMEOUT_MS)
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{origin}/index.html")
        bubble = page.get_by_role("button", name="Open Article Q&A")
        assert bubble.get_attribute("aria-expanded") == "false"
        bubble.focus()
        page.keyboard.press("Enter")
        field = page.get_by_label("Question", exact=True)
        assert bubble.get_attribute("aria-expanded") == "true"
        assert page.evaluate("document.activeElement.id") == field.get_attribute("id")
        field.fill(NVIDIA)
        page.keyboard.press("Enter")
        first = page.locator(".aqa-quote").first
        first.wait_for()
        assert "26만 장" in (first.text_content() or "")
        assert first.locator("strong").first.text_content() == "26만 장"
        link = page.locator(".aqa-cite-link").first.get_attribute("href") or ""
        assert link.startswith(f"{widget_server.url}/articles/")
        page.keyboard.press("Escape")
        assert bubble.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.className") == "aqa-bubble"
        assert not errors
    finally:
        ctx.close()
