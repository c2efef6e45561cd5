"""``POST /v1/sources/fetch``: fetch URLs (pages, feeds, sitemaps) into the index now."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from index.fetching import is_url
from service.deps import Admin, Ctx
from service.errors import InvalidRequestError
from service.feed_sync import fetch_into_index
from service.limits import over_limit
from service.routes.responses import errors
from service.schemas import FetchSourcesRequest, FetchSourcesResponse

router = APIRouter(prefix="/v1/sources", tags=["articles"])


@router.post(
    "/fetch",
    response_model=FetchSourcesResponse,
    dependencies=[Admin],
    responses=errors(400, 401, 403, 409, 413, 422, 503),
    summary="Fetch article pages, feeds and sitemaps into the index now (admin)",
)
def fetch_sources(body: FetchSourcesRequest, ctx: Ctx) -> dict[str, Any]:
    """Each URL is fetched (conditionally, when it was fetched before) and read as an
    article page, an RSS/Atom feed (its entries' pages are fetched) or a sitemap; the
    articles are then written like `POST /v1/articles`. A URL that fails (HTTP error,
    timeout, too large, not HTML/a feed/a sitemap) is listed in `problems` and the rest
    is indexed."""
    limit = ctx.settings.max_batch_articles
    if len(body.urls) > limit:
        raise over_limit("urls", limit, len(body.urls), f"more than {limit} URLs in one request")
    bad = [i for i, url in enumerate(body.urls) if not is_url(url)]
    if not body.urls or bad:
        field = f"urls[{bad[0]}]" if bad else "urls"
        message = "urls is empty" if not bad else f"{field} is not an http(s) URL"
        raise InvalidRequestError(message, details={"field": field})
    return fetch_into_index(body.urls, ctx.components, ctx.indexer)
