"""HTTP errors: the service's additions to the exception tree, and the one place where
every exception becomes a response.

The tree lives in :mod:`index.errors`; the service adds these leaves::

    ArticleQAError
    ├── InputError (400)
    │   ├── InvalidJSONError           a body that is not UTF-8 JSON
    │   ├── UnsupportedMediaTypeError (415)  a body that is not application/json
    │   ├── InvalidRequestError (422)  well-formed JSON that breaks the request schema
    │   │                              (in index.errors: the engine raises it too)
    │   ├── CORSRejectedError          a preflight from an origin that is not allowed
    │   └── LimitError (413)           over a configured limit (body, question, batch)
    ├── NotFoundError (404)
    │   └── ModelNotFoundError         a chat completion for a model other than article-qa
    ├── ConflictError (409)
    │   └── ReadOnlyReplicaError       a write sent to a server of the reader role
    ├── AuthError (401)
    │   └── ForbiddenError (403)
    │       └── AdminDisabledError     no admin token configured: admin endpoints are off
    ├── BuildError (500)
    │   └── BuildCancelledError (503)  the server is shutting down (in index.errors)
    └── RateLimitedError (429)         too many requests from one client (Retry-After)

Every error response has one shape::

    {"error": {"code": "...", "message": "...", "details": {...}}}
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.errors import (
    ArticleQAError,
    ConflictError,
    IndexLoadError,
    InputError,
    InvalidRequestError,
    NotFoundError,
)
from index.errors import (
    BuildCancelledError as BuildCancelledError,  # re-exported: raised by the engine
)

log = logging.getLogger("article_qa.http")

# Starlette's own HTTP errors (unknown route, wrong method) get a code like ours.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "limit_exceeded",
    415: "unsupported_media_type",
}


class InvalidJSONError(InputError):
    code = "invalid_json"


class UnsupportedMediaTypeError(InputError):
    status = 415
    code = "unsupported_media_type"


class LimitError(InputError):
    status = 413
    code = "limit_exceeded"


class AuthError(ArticleQAError):
    status = 401
    code = "unauthorized"


class ForbiddenError(AuthError):
    status = 403
    code = "forbidden"


class CORSRejectedError(InputError):
    code = "cors_rejected"


class ModelNotFoundError(NotFoundError):
    code = "model_not_found"


class AdminDisabledError(ForbiddenError):
    code = "admin_disabled"


class ReadOnlyReplicaError(ConflictError):
    code = "read_only_replica"

    def __init__(self) -> None:
        super().__init__(
            "this server is a read replica (role reader): send article writes, rebuilds "
            "and job queries to the server of the writer role",
            details={"role": "reader", "writer_role": "writer"},
        )


class RateLimitedError(ArticleQAError):
    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


def encodable(value: Any) -> Any:
    """``value`` with every string made UTF-8 encodable: an error message that echoes a
    lone surrogate from the request (``"id": "sur-\\ud800"``) shows it escaped
    (``sur-\\ud800``) instead of failing to encode, which used to turn a 4xx into a 500."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
        return value
    if isinstance(value, Mapping):
        return {encodable(k): encodable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [encodable(v) for v in value]
    return value


def error_body(code: str, message: str, details: Mapping[str, Any] | None = None) -> dict:
    return encodable({"error": {"code": code, "message": message, "details": dict(details or {})}})


def _request_id(request: Request) -> str | None:
    return getattr(request.state, "request_id", None)


def error_response(exc: ArticleQAError, request_id: str | None = None) -> JSONResponse:
    """The response for one of our exceptions (also used by middleware that answers
    before routing)."""
    headers: dict[str, str] = {}
    if isinstance(exc, RateLimitedError):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, AuthError) and not isinstance(exc, ForbiddenError):
        headers["WWW-Authenticate"] = "Bearer"
    if request_id:
        headers["X-Request-ID"] = request_id
    body = error_body(exc.code, exc.message, exc.details)
    return JSONResponse(body, status_code=exc.status, headers=headers)


def _field(loc: tuple | list) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_exception(exc: RequestValidationError) -> ArticleQAError:
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        reason = next(
            (e.get("ctx", {}).get("error") for e in errors if e.get("type") == "json_invalid"),
            None,
        )
        return InvalidJSONError(
            "request body is not valid JSON" + (f" ({reason})" if reason else ""),
        )
    items = [
        {"field": _field(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type")}
        for e in errors
    ]
    first = items[0] if items else {"field": "body", "message": "invalid request"}
    return InvalidRequestError(f"{first['field']}: {first['message']}", details={"errors": items})


async def _on_project_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ArticleQAError)
    if exc.status >= 500 and type(exc) is not IndexLoadError:  # not ready: not news
        log.warning("%s: %s", exc.code, exc.message)
    return error_response(exc, _request_id(request))


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(validation_exception(exc), _request_id(request))


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    if exc.status_code == 400 and isinstance(exc.__cause__, RecursionError):
        # json.loads gives up on deep nesting ([[[[...]]]] 10k deep) with a RecursionError.
        code, message = "invalid_json", "request body is nested too deeply to parse"
    elif exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError | ValueError):
        code, message = "invalid_json", "request body is not valid UTF-8 JSON"
    headers = dict(exc.headers or {})
    rid = _request_id(request)
    if rid:
        headers["X-Request-ID"] = rid
    return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=headers)


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    rid = _request_id(request)
    log.error("unhandled error (request %s)", rid, exc_info=exc)
    body = error_body("internal_error", "internal server error", {"request_id": rid})
    return JSONResponse(body, status_code=500, headers={"X-Request-ID": rid} if rid else None)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ArticleQAError, _on_project_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
