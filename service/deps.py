"""Typed dependencies for route handlers: the app context, admin auth, the API key that
guards the question endpoints, rate limiting."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.components import Components
from service.errors import AdminDisabledError, AuthError, ForbiddenError
from service.indexer import IndexManager
from service.metrics import Metrics
from service.ratelimit import RateLimiter
from service.serving import IndexHolder
from service.settings import Settings


@dataclass(frozen=True)
class AppContext:
    """Everything the lifespan loads, handed to handlers through the request state."""

    settings: Settings
    components: Components
    holder: IndexHolder
    indexer: IndexManager
    metrics: Metrics
    limiter: RateLimiter


# Dependencies that do no I/O are ``async def``: FastAPI runs a sync one in its thread
# pool, a hand-off per dependency and request.
async def get_context(request: Request) -> AppContext:
    return request.state.ctx


Ctx = Annotated[AppContext, Depends(get_context)]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="AdminToken",
    description="The admin token (`ARTICLE_QA_ADMIN_TOKEN`) as `Authorization: Bearer ...`.",
)


def require_admin(
    ctx: Ctx, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> None:
    """401 without a bearer token, 403 with a wrong one; 403 for everyone when no admin
    token is configured (admin endpoints are then disabled, not open)."""
    expected = ctx.settings.admin_token_value
    if expected is None:
        raise AdminDisabledError(
            "admin endpoints are disabled: no admin token is configured (ARTICLE_QA_ADMIN_TOKEN)"
        )
    if credentials is None:
        raise AuthError("this endpoint needs the admin token as 'Authorization: Bearer ...'")
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise ForbiddenError("the admin token is not valid")


_api_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="The API key (`ARTICLE_QA_API_KEY`) as `Authorization: Bearer ...`; "
    "needed only when one is configured.",
)


async def require_api_key(
    ctx: Ctx, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_api_bearer)]
) -> None:
    """Open when no API key is configured; else 401 without a bearer token, 403 with a
    wrong one."""
    check_api_key(ctx.settings, credentials.credentials if credentials else None)


def check_api_key(settings: Settings, token: str | None) -> None:
    """The API key check itself, shared by the question routes and ``/mcp``."""
    expected = settings.api_key_value
    if expected is None:
        return
    if token is None:
        raise AuthError("this endpoint needs the API key as 'Authorization: Bearer ...'")
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise ForbiddenError("the API key is not valid")


def require_writer(ctx: Ctx) -> None:
    """409 ``read_only_replica`` on a server of the reader role, before any auth: writes,
    rebuilds and their jobs belong to the writer."""
    ctx.indexer.require_writer()


async def rate_limit(request: Request, ctx: Ctx) -> None:
    client = request.client.host if request.client else "unknown"
    ctx.limiter.check(client)


Admin = Depends(require_admin)
Writer = Depends(require_writer)
RateLimited = Depends(rate_limit)
ApiKey = Depends(require_api_key)
# What every question endpoint depends on: the API key first, then the rate limit.
AskGuards = [ApiKey, RateLimited]
