"""Bad input never gets a 500 or a stack trace: every error has the one JSON shape."""

from __future__ import annotations

import pytest

from tests.service.server import Server, assert_error

JSON = {"Content-Type": "application/json"}

# (name, method, path, raw body, headers, status, code)
BAD_REQUESTS = [
    ("invalid JSON", "POST", "/v1/ask", b'{"question": ', JSON, 400, "invalid_json"),
    ("trailing garbage", "POST", "/v1/ask", b'{"question": "a"} x', JSON, 400, "invalid_json"),
    ("not UTF-8", "POST", "/v1/ask", b'{"question": "\xff\xfe\xfa"}', JSON, 400, "invalid_json"),
    (
        "latin-1 text",
        "POST",
        "/v1/ask",
        '{"question": "café"}'.encode("latin-1"),
        JSON,
        400,
        "invalid_json",
    ),
    (
        "not JSON content type",
        "POST",
        "/v1/ask",
        b'{"question": "a"}',
        {"Content-Type": "text/plain"},
        415,
        "unsupported_media_type",
    ),
    ("no content type", "POST", "/v1/ask", b'{"question": "a"}', {}, 415, "unsupported_media_type"),
    ("empty body", "POST", "/v1/ask", b"", JSON, 422, "invalid_request"),
    ("array body", "POST", "/v1/ask", b"[1, 2]", JSON, 422, "invalid_request"),
    (
        "question of wrong type",
        "POST",
        "/v1/ask",
        b'{"question": 42}',
        JSON,
        422,
        "invalid_request",
    ),
    ("question null", "POST", "/v1/ask", b'{"question": null}', JSON, 422, "invalid_request"),
    (
        "top_k as string",
        "POST",
        "/v1/ask",
        b'{"question": "a", "top_k": "3"}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "top_k as float",
        "POST",
        "/v1/ask",
        b'{"question": "a", "top_k": 2.5}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "top_k zero",
        "POST",
        "/v1/ask",
        b'{"question": "a", "top_k": 0}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "top_k over the limit",
        "POST",
        "/v1/ask",
        b'{"question": "a", "top_k": 11}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "unknown field",
        "POST",
        "/v1/ask",
        b'{"question": "a", "topk": 3}',
        JSON,
        422,
        "invalid_request",
    ),
    ("empty question", "POST", "/v1/ask", b'{"question": ""}', JSON, 422, "invalid_request"),
    (
        "whitespace question",
        "POST",
        "/v1/ask",
        b'{"question": " \\n\\t\\u3000 "}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "NUL in question",
        "POST",
        "/v1/ask",
        b'{"question": "a\\u0000b"}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "escape in question",
        "POST",
        "/v1/ask",
        b'{"question": "\\u001b[31mred"}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "lone surrogate",
        "POST",
        "/v1/ask",
        b'{"question": "a\\ud800b"}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "bad filter date",
        "POST",
        "/v1/ask",
        b'{"question": "a", "filters": {"published_from": "2025-13-40"}}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "filter date as number",
        "POST",
        "/v1/ask",
        b'{"question": "a", "filters": {"published_to": 20251001}}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "reversed date range",
        "POST",
        "/v1/ask",
        b'{"question": "a", "filters": {"published_from":'
        b' "2025-10-02", "published_to": "2025-10-01"}}',
        JSON,
        422,
        "invalid_request",
    ),
    (
        "unknown filter",
        "POST",
        "/v1/ask",
        b'{"question": "a", "filters": {"author": "x"}}',
        JSON,
        422,
        "invalid_request",
    ),
    ("unknown article", "GET", "/v1/articles/no-such-article", None, {}, 404, "not_found"),
    ("unknown article with slashes", "GET", "/v1/articles/a/b%2Fc", None, {}, 404, "not_found"),
    (
        "article id with control characters",
        "GET",
        "/v1/articles/%00%1b",
        None,
        {},
        404,
        "not_found",
    ),
    ("unknown route", "GET", "/v2/ask", None, {}, 404, "not_found"),
    ("wrong method", "GET", "/v1/ask", None, {}, 405, "method_not_allowed"),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "code"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_request_gets_one_error_shape(
    server: Server,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict,
    status: int,
    code: str,
) -> None:
    response = server.client.request(method, path, content=body, headers=headers)
    assert_error(response, status, code)
    assert response.headers["x-request-id"]


def test_validation_error_names_the_field(server: Server) -> None:
    error = assert_error(server.client.post("/v1/ask", json={"question": 5}), 422)
    assert error["details"]["errors"][0]["field"] == "question"


def test_question_over_the_limit(server: Server) -> None:
    error = assert_error(
        server.client.post("/v1/ask", json={"question": "가" * 301}), 413, "limit_exceeded"
    )
    assert error["details"] == {"field": "question", "limit": 300, "actual": 301}
    assert server.client.post("/v1/ask", json={"question": "가" * 300}).status_code == 200


def test_top_k_error_names_the_limit(server: Server) -> None:
    error = assert_error(server.client.post("/v1/ask", json={"question": "a", "top_k": 99}), 422)
    assert error["details"] == {"field": "top_k", "limit": 10, "actual": 99}


def test_body_over_the_limit(server: Server) -> None:
    body = b'{"question": "' + b"a" * 200_001 + b'"}'
    error = assert_error(server.client.post("/v1/ask", content=body, headers=JSON), 413)
    assert error["details"]["field"] == "body" and error["details"]["limit"] == 200_000


def test_streamed_body_over_the_limit(server: Server) -> None:
    """Without a Content-Length the guard counts the bytes as they arrive."""

    def chunks():
        yield b'{"question": "'
        for _ in range(30):
            yield b"a" * 10_000
        yield b'"}'

    response = server.client.post("/v1/ask", content=chunks(), headers=JSON)
    error = assert_error(response, 413, "limit_exceeded")
    assert error["details"]["field"] == "body"


def test_server_survives_bad_input(server: Server) -> None:
    assert server.client.get("/readyz").status_code == 200
    assert "Traceback" not in server.log()
