"""The HTTP app, built by :func:`create_app`.

The model, Kiwi and the index are loaded in the lifespan and reach handlers through the
request state (:class:`service.deps.AppContext`); nothing heavy lives in a module global.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import metadata

import anyio
from fastapi import FastAPI
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from service.components import Components
from service.deps import AppContext
from service.errors import install_error_handlers
from service.feed_sync import FeedSync
from service.indexer import IndexManager
from service.mcp_server import mcp_http_endpoint
from service.metrics import Metrics
from service.middleware import BodyGuardMiddleware, JsonCORSMiddleware, RequestContextMiddleware
from service.ratelimit import RateLimiter
from service.request_log import configure_logging
from service.routes import ROUTERS
from service.serving import IndexHolder
from service.settings import Settings, get_settings

DESCRIPTION = """Answers questions about news articles with sentences quoted verbatim
from them, each with a citation (`article_id`, `char_start`, `char_end`) that
`GET /v1/articles/{id}` lets anyone check. Admin endpoints need
`Authorization: Bearer <ARTICLE_QA_ADMIN_TOKEN>`. Every error has the body
`{"error": {"code", "message", "details"}}`."""


def _version() -> str:
    try:
        return metadata.version("article-qa")
    except metadata.PackageNotFoundError:
        return "0"


def create_app(settings: Settings | None = None, components: Components | None = None) -> FastAPI:
    """The app. ``components`` are loaded from ``settings`` at start unless given (tests
    give them, to share one Kiwi between apps); given ones stay open after shutdown."""
    settings = settings or get_settings()
    configure_logging(settings)
    metrics = Metrics()
    given = components
    # The MCP transport's session manager runs once per instance, and an app can start
    # more than once (tests do), so each start makes its own; /mcp forwards to it.
    mcp_endpoint = _Forward()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, AppContext]]:
        owned = given is None
        components = given or await anyio.to_thread.run_sync(Components.load, settings)
        await anyio.to_thread.run_sync(components.warm_up)
        if settings.ray_address:
            # On the event loop's (main) thread, before any build; an unreachable cluster
            # stops the start with its message.
            from index.ray_embed import connect

            connect(settings.ray_address)
        holder = IndexHolder()
        indexer = IndexManager(settings, components, holder, metrics)
        metrics.watch_index(lambda: holder.current)
        sync = FeedSync(settings, components, indexer)
        try:
            await anyio.to_thread.run_sync(indexer.start)
            sync.start()
            mcp_server, mcp_endpoint.target = mcp_http_endpoint(settings)
            # The MCP transport's task group lives as long as the app.
            async with mcp_server.session_manager.run():
                yield {
                    "ctx": AppContext(
                        settings=settings,
                        components=components,
                        holder=holder,
                        indexer=indexer,
                        metrics=metrics,
                        limiter=RateLimiter(settings.rate_limit_per_minute),
                    )
                }
        finally:
            mcp_endpoint.target = None
            await anyio.to_thread.run_sync(sync.stop)
            await anyio.to_thread.run_sync(indexer.shutdown)
            metrics.unwatch_index()
            if owned:
                components.cache.close()
            if settings.ray_address:
                from index.ray_embed import disconnect

                disconnect()

    app = FastAPI(
        title="article-qa",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_route("/mcp", mcp_endpoint, include_in_schema=False)
    # Outermost last: request ids and logs wrap CORS, which wraps the body guard.
    app.add_middleware(BodyGuardMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            JsonCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "X-Index-Version", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(RequestContextMiddleware, metrics=metrics)
    return app


class _Forward:
    """An ASGI app that passes requests to ``target`` (a class, so that Starlette routes
    it as an ASGI app for every method, not as a GET request handler)."""

    def __init__(self) -> None:
        self.target: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.target is None:  # between a stop and the next start
            body = {"error": {"code": "unavailable", "message": "starting", "details": {}}}
            await JSONResponse(body, status_code=503)(scope, receive, send)
            return
        await self.target(scope, receive, send)
