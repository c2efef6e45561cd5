"""/healthz, /readyz, /metrics, /v1/index, the OpenAPI schema, CORS and request logs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from index.store import FORMAT_VERSION
from qa.ranking import default_model
from tests.service.conftest import WIDGET_ORIGIN
from tests.service.server import Server, assert_error


def test_healthz_and_readyz(server: Server) -> None:
    assert server.client.get("/healthz").json() == {"status": "ok"}
    ready = server.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["version"] == server.client.get("/v1/index").json()["version"]


def test_index_status_reports_what_is_served(server: Server) -> None:
    status = server.client.get("/v1/index").json()
    assert status["ready"] is True
    assert status["format_version"] == FORMAT_VERSION
    assert status["model"]["backend"] == "onnx"
    assert status["built_at"]
    assert status["counts"]["articles"] >= 19
    assert status["counts"]["passages"] >= status["counts"]["articles"]
    assert set(status["api_articles"]) == {"upserted", "deleted"}
    assert (server.index_dir / "versions" / status["version"]).is_dir()
    # The fitted model reads late interaction (ARTICLE_QA_LATE_INTERACTION defaults on).
    assert status["ranking"]["name"] == "fitted"
    assert status["ranking"]["late_passages"] == 10
    assert 0 < status["ranking"]["threshold"] < 1


def test_without_late_interaction_the_fast_model_answers(
    spawn: Callable[..., Server], sample_index_dir: Path
) -> None:
    # A reader of the session's sample index: it serves the index and writes nothing.
    srv = spawn("fast-ranking", index_dir=sample_index_dir, role="reader", late_interaction="false")
    with srv.serving():
        ranking = srv.client.get("/v1/index").json()["ranking"]
        assert ranking == {
            "name": "fitted-fast",
            "late_passages": 0,
            "threshold": default_model("onnx", late_interaction=False).threshold,
        }
        question = {"question": "이번 선거에서 누가 당선됐어?"}
        answer = srv.client.post("/v1/ask", json=question).json()
        assert answer["answered"] is True
        assert "윤정호" in answer["quotes"][0]["text"]


def test_metrics(server: Server) -> None:
    server.client.post("/v1/ask", json={"question": "삼성전자의 3분기 영업이익은?"})
    server.client.post("/v1/ask", json={"question": "x", "filters": {"published_to": "1990-01-01"}})
    response = server.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert (
        samples['article_qa_http_requests_total{method="POST",route="/v1/ask",status="200"}'] >= 2
    )
    assert (
        'article_qa_http_request_duration_seconds_count{method="POST",route="/v1/ask"}' in samples
    )
    assert samples['article_qa_answers_total{outcome="answered"}'] >= 1
    assert samples['article_qa_answers_total{outcome="abstained"}'] >= 1
    status = server.client.get("/v1/index").json()
    assert samples["article_qa_index_articles"] == status["counts"]["articles"]
    assert samples["article_qa_index_passages"] == status["counts"]["passages"]
    assert samples["article_qa_index_ready"] == 1
    assert samples['article_qa_index_builds_total{kind="startup-build",outcome="succeeded"}'] == 1
    assert 'article_qa_index_build_duration_seconds_count{kind="startup-build"}' in samples


def _samples(text: str) -> dict[str, float]:
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def test_openapi_documents_every_endpoint_with_examples(server: Server) -> None:
    schema = server.client.get("/openapi.json").json()
    paths = schema["paths"]
    assert {
        "/v1/ask",
        "/v1/articles",
        "/v1/articles/{article_id}",
        "/v1/index",
        "/v1/index/rebuild",
        "/v1/index/jobs/{job_id}",
        "/healthz",
        "/readyz",
        "/metrics",
    } <= set(paths)
    components = schema["components"]["schemas"]
    for model in ("AskRequest", "UpsertRequest", "AnswerOut", "ErrorOut", "JobOut"):
        assert components[model].get("examples"), model
    assert "AdminToken" in schema["components"]["securitySchemes"]
    ask_errors = paths["/v1/ask"]["post"]["responses"]
    assert {"413", "422", "429"} <= set(ask_errors)
    assert ask_errors["422"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorOut")


def test_cors_for_configured_origin_only(server: Server) -> None:
    preflight = server.client.options(
        "/v1/ask",
        headers={
            "Origin": WIDGET_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    simple = server.client.post(
        "/v1/ask", json={"question": "삼성전자 영업이익"}, headers={"Origin": WIDGET_ORIGIN}
    )
    assert simple.headers["access-control-allow-origin"] == WIDGET_ORIGIN
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
    other = server.client.post(
        "/v1/ask",
        json={"question": "삼성전자 영업이익"},
        headers={"Origin": "https://evil.example"},
    )
    assert "access-control-allow-origin" not in other.headers
    denied = server.client.options(
        "/v1/ask",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert_error(denied, 400, "cors_rejected")
    assert "access-control-allow-origin" not in denied.headers


def test_request_logs_are_json_lines_with_id_and_timing(server: Server) -> None:
    response = server.client.post(
        "/v1/ask", json={"question": "삼성전자 영업이익"}, headers={"X-Request-ID": "log-check-1"}
    )
    assert response.status_code == 200
    entry = server.wait_for_log(lambda line: line.get("request_id") == "log-check-1")
    assert entry["route"] == "/v1/ask" and entry["status"] == 200 and entry["method"] == "POST"
    assert isinstance(entry["duration_ms"], float)
    assert entry["answered"] is True
    assert {"time", "level", "logger", "message"} <= set(entry)
