"""The bad-request table of tests/service/test_errors.py, replayed in process against the
app with the fake embedder (same limits as the real server's), plus a few limits."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.server import assert_error
from tests.service.test_errors import BAD_REQUESTS, JSON


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "code"),
    [case[1:] for case in BAD_REQUESTS],
    ids=[case[0] for case in BAD_REQUESTS],
)
def test_bad_request_gets_one_error_shape_in_process(
    client: TestClient,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict,
    status: int,
    code: str,
) -> None:
    response = client.request(method, path, content=body, headers=headers)
    assert_error(response, status, code)
    assert response.headers["x-request-id"]


def test_limits_in_process(client: TestClient) -> None:
    error = assert_error(client.post("/v1/ask", json={"question": "가" * 301}), 413)
    assert error["details"] == {"field": "question", "limit": 300, "actual": 301}
    assert client.post("/v1/ask", json={"question": "가" * 300}).status_code == 200
    error = assert_error(client.post("/v1/ask", json={"question": "a", "top_k": 99}), 422)
    assert error["details"]["limit"] == 10
    body = b'{"question": "' + b"a" * 200_001 + b'"}'
    assert_error(client.post("/v1/ask", content=body, headers=JSON), 413, "limit_exceeded")
