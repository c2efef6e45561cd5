"""HTTP routes, one module per area."""

from __future__ import annotations

from service.routes import articles, ask, chat, health, indexing, openai, sources, web

ROUTERS = [
    ask.router,
    chat.router,
    openai.router,
    articles.router,
    indexing.router,
    sources.router,
    health.router,
    web.router,
]

__all__ = ["ROUTERS"]
