"""A server with no admin token, no index and no sources, and a rate limit on /v1/ask:
admin endpoints are disabled (not open), queries get 503 until an index exists, and a
client over the limit gets 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.service.server import ADMIN_TOKEN, Server, assert_error


@pytest.fixture(scope="module")
def bare(server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("bare-server"), server_env, {"rate_limit_per_minute": 3})
    with srv.serving(ready=False):
        yield srv


ADMIN_CALLS = [
    ("POST", "/v1/articles", {"articles": [{"id": "x", "text": "가나다."}]}),
    ("DELETE", "/v1/articles/x", None),
    ("POST", "/v1/index/rebuild", None),
    ("GET", "/v1/index/jobs/x", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
def test_admin_endpoints_are_disabled_without_a_configured_token(
    bare: Server, method: str, path: str, body: dict | None
) -> None:
    for headers in ({}, {"Authorization": f"Bearer {ADMIN_TOKEN}"}, {"Authorization": "Basic x"}):
        response = bare.client.request(method, path, json=body, headers=headers)
        assert_error(response, 403, "admin_disabled")


def test_no_index_means_not_ready(bare: Server) -> None:
    assert bare.client.get("/healthz").status_code == 200
    error = assert_error(bare.client.get("/readyz"), 503, "index_unavailable")
    assert "no sources" in error["message"]
    assert_error(bare.client.get("/v1/articles/anything"), 503, "index_unavailable")
    status = bare.client.get("/v1/index").json()
    assert status["ready"] is False and status["version"] is None and status["counts"] is None
    metrics = bare.client.get("/metrics").text
    assert "article_qa_index_ready 0.0" in metrics


def test_rate_limit_on_ask(bare: Server) -> None:
    statuses = []
    for _ in range(3):
        response = bare.client.post("/v1/ask", json={"question": "오늘 날씨는?"})
        statuses.append(response.status_code)
        assert_error(response, 503, "index_unavailable")  # allowed, but there is no index
    limited = bare.client.post("/v1/ask", json={"question": "오늘 날씨는?"})
    error = assert_error(limited, 429, "rate_limited")
    retry_after = int(limited.headers["retry-after"])
    assert 1 <= retry_after <= 60
    assert error["details"]["retry_after"] == retry_after
    # Other endpoints are not limited.
    assert bare.client.get("/healthz").status_code == 200


def test_invalid_settings_fail_fast(spawn: Callable[..., Server]) -> None:
    srv = spawn("bad-settings", admin_token="short", max_top_k="0")
    with pytest.raises(AssertionError, match="server exited"):
        srv.start()
    assert "admin_token" in srv.log() and "max_top_k" in srv.log()
    assert "Traceback" not in srv.log()
