"""The HTTP service and the command line: ``create_app(settings)`` builds the app;
``get_settings()`` reads the one settings object (env prefix ``ARTICLE_QA_``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.app import create_app
    from service.settings import Settings, get_settings

__all__ = ["Settings", "create_app", "get_settings"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `article-qa ask` does not import the web stack.
    if name == "create_app":
        from service.app import create_app

        return create_app
    if name in ("Settings", "get_settings"):
        from service import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'service' has no attribute {name!r}")
