"""ASGI middleware: request ids, request logs and metrics; the request body guard."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from index.errors import ArticleQAError
from service.errors import (
    CORSRejectedError,
    InvalidJSONError,
    UnsupportedMediaTypeError,
    error_response,
)
from service.limits import over_limit
from service.metrics import Metrics

log = logging.getLogger("article_qa.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_NO_BODY = {"GET", "HEAD", "OPTIONS"}


def _request_id(scope: Scope) -> str | None:
    return scope.get("state", {}).get("request_id")


class RequestContextMiddleware:
    """Gives each request an id (``X-Request-ID``: the caller's if it is sane, else a new
    one), and records its status and duration in the log and the metrics."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                if "x-request-id" not in headers:
                    headers["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "<unmatched>"
            self.metrics.observe_request(scope["method"], route, status, seconds)
            client = scope.get("client")
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                status,
                extra={
                    "fields": {
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "route": route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 2),
                        "client": client[0] if client else None,
                        **scope.get("state", {}).get("log_fields", {}),
                    }
                },
            )


class BodyGuardMiddleware:
    """Reads a request body up to ``max_bytes`` (413 beyond, before the app parses
    anything), rejects bodies that are not JSON (415) or not UTF-8 (400), then hands the
    body on."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _NO_BODY:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send, self._too_large(int(declared)))
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._reject(scope, receive, send, self._too_large(size))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if body and not (content_type == "application/json" or content_type.endswith("+json")):
            error = UnsupportedMediaTypeError(
                "request bodies must be JSON (Content-Type: application/json)",
                details={"content_type": content_type or None},
            )
            await self._reject(scope, receive, send, error)
            return
        if body:
            try:
                body.decode("utf-8")
            except UnicodeDecodeError as exc:
                error = InvalidJSONError(
                    "request body is not valid UTF-8", details={"byte_offset": exc.start}
                )
                await self._reject(scope, receive, send, error)
                return
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _too_large(self, size: int) -> ArticleQAError:
        return over_limit(
            "body", self.max_bytes, size, f"request body is larger than {self.max_bytes} bytes"
        )

    async def _reject(
        self, scope: Scope, receive: Receive, send: Send, error: ArticleQAError
    ) -> None:
        await error_response(error, _request_id(scope))(scope, receive, send)


class JsonCORSMiddleware(CORSMiddleware):
    """Starlette's CORS middleware, with its rejected preflights in the one error shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        reason = bytes(response.body).decode("utf-8", "replace")
        error = error_response(CORSRejectedError(reason))
        for key in ("vary", "access-control-allow-methods", "access-control-max-age"):
            if key in response.headers:
                error.headers[key] = response.headers[key]
        return error
