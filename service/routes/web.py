"""The browser side: the chat page (``GET /``), the embeddable widget (``GET /widget.js``),
its static files, and the article view (``GET /articles/{id}?start=..&end=..``) that a
citation opens, with the quoted span in ``<mark id="quote">``.

Plain HTML, CSS and JS from ``service/static/``, no build step. Article text is escaped
here, on the server; the scripts only ever set ``textContent``.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse

from index.errors import NotFoundError
from service.deps import Ctx

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
_NO_STORE = {"Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


def _static(name: str) -> FileResponse:
    path = STATIC_DIR / name
    if "/" in name or "\\" in name or name.startswith(".") or not path.is_file():
        raise NotFoundError(f"no static file {name!r}", details={"file": name})
    media_type = _TYPES.get(path.suffix, "application/octet-stream")
    return FileResponse(path, media_type=media_type, headers=_NO_STORE)


@router.get("/")
def chat_page() -> FileResponse:
    return _static("index.html")


@router.get("/widget.js")
def widget() -> FileResponse:
    """Include with ``<script src="https://qa.example/widget.js" defer></script>``: a chat
    bubble talking to the server the script came from (its origin must be listed in
    ``ARTICLE_QA_CORS_ORIGINS``)."""
    return _static("widget.js")


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    return _static(name)


LABELS = {
    "ko": {"source": "출처", "original": "원문 보기", "back": "채팅으로", "quote": "인용한 문장"},
    "en": {"source": "Source", "original": "Original article", "back": "Chat", "quote": "Quote"},
}


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
def article_page(
    article_id: Annotated[str, PathParam()],
    ctx: Ctx,
    start: Annotated[int | None, Query(ge=0)] = None,
    end: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    """The article's canonical text; ``text[start:end]`` (a citation's ``char_start`` and
    ``char_end``) is highlighted and scrolled into view. An out-of-range span is ignored."""
    served = ctx.holder.require()
    article = served.index.article(article_id).to_dict()
    page = render_article(article, start, end)
    return HTMLResponse(page, headers={"X-Index-Version": served.version, **_NO_STORE})


def render_article(article: dict[str, Any], start: int | None, end: int | None) -> str:
    e = html.escape
    text: str = article["text"]
    lang = "ko" if (article.get("lang") or "ko").startswith("ko") else "en"
    labels = LABELS[lang]
    if start is not None and end is not None and 0 <= start < end <= len(text):
        body = (
            f'{e(text[:start])}<mark id="quote" tabindex="-1" aria-label="{labels["quote"]}">'
            f"{e(text[start:end])}</mark>{e(text[end:])}"
        )
    else:
        body = e(text)
    meta = [e(article["source"])] if article.get("source") else []
    if article.get("published"):
        day = e(article["published"][:10])
        meta.append(f'<time datetime="{day}">{day}</time>')
    url = article.get("url") or ""
    if url.startswith(("https://", "http://")):
        meta.append(f'<a href="{e(url)}" rel="noopener noreferrer">{labels["original"]}</a>')
    return f"""<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(article["title"])}</title>
<link rel="stylesheet" href="/static/article.css">
</head>
<body>
<nav><a href="/">{labels["back"]}</a></nav>
<main>
<article data-article-id="{e(article["id"])}">
<h1>{e(article["title"])}</h1>
<p class="meta">{" · ".join(meta)}</p>
<div class="text">{body}</div>
</article>
</main>
<script src="/static/article.js" defer></script>
</body>
</html>
"""
