"""POST /v1/ask: the answer object, citations that check out, filters, top_k."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.service.server import Server

SAMSUNG = "삼성전자의 3분기 영업이익은 얼마야?"


def ask(server: Server, **body: object) -> dict:
    response = server.client.post("/v1/ask", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_answer_is_the_cli_answer_object(server: Server) -> None:
    answer = ask(server, question=SAMSUNG)
    assert answer["answered"] is True
    assert "12조 1,000억" in answer["answer"]
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "service",
            "ask",
            SAMSUNG,
            "--json",
            "--index-dir",
            str(server.index_dir),
        ],
        env=server.env,
        cwd=server.workdir,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=600,
    )
    expected = json.loads(cli.stdout)
    assert set(answer) == set(expected)
    for key in ("question", "answered", "answer", "quotes", "reason", "confidence"):
        assert answer[key] == expected[key], key
    assert [p["article_id"] for p in answer["passages"]] == [
        p["article_id"] for p in expected["passages"]
    ]
    assert set(answer["timings"]) == set(expected["timings"])


def test_every_citation_points_into_the_article_text(server: Server) -> None:
    answer = ask(server, question=SAMSUNG)
    assert answer["quotes"]
    for quote in answer["quotes"]:
        c = quote["citation"]
        article = server.client.get(f"/v1/articles/{c['article_id']}").json()
        assert article["text"][c["char_start"] : c["char_end"]] == quote["text"]
        assert quote["text"] in answer["answer"]
    for passage in answer["passages"]:
        article = server.client.get(f"/v1/articles/{passage['article_id']}").json()
        assert article["text"][passage["char_start"] : passage["char_end"]] == passage["text"]


def test_top_k_bounds_the_passages(server: Server) -> None:
    assert len(ask(server, question=SAMSUNG, top_k=1)["passages"]) == 1
    assert len(ask(server, question=SAMSUNG, top_k=3)["passages"]) == 3


def test_filter_by_source_narrows_retrieval(server: Server) -> None:
    answer = ask(server, question=SAMSUNG, top_k=10, filters={"source": "한빛경제"})
    assert answer["passages"]
    for passage in answer["passages"]:
        article = server.client.get(f"/v1/articles/{passage['article_id']}").json()
        assert article["source"] == "한빛경제"


@pytest.mark.parametrize(
    ("filters", "keep"),
    [
        (
            {"published_from": "2025-10-14", "published_to": "2025-10-14"},
            lambda d: d == "2025-10-14",
        ),
        ({"published_to": "2025-10-13"}, lambda d: d <= "2025-10-13"),
    ],
)
def test_filter_by_publication_date(server: Server, filters: dict, keep) -> None:
    answer = ask(server, question=SAMSUNG, top_k=10, filters=filters)
    for passage in answer["passages"]:
        article = server.client.get(f"/v1/articles/{passage['article_id']}").json()
        assert article["published"] and keep(article["published"][:10])


def test_filter_that_matches_nothing_abstains(server: Server) -> None:
    answer = ask(server, question=SAMSUNG, filters={"published_to": "1990-01-01"})
    assert answer["answered"] is False
    assert answer["passages"] == [] and answer["quotes"] == []
    assert answer["reason"]


def test_request_id_is_echoed_and_index_version_given(server: Server) -> None:
    response = server.client.post(
        "/v1/ask", json={"question": SAMSUNG}, headers={"X-Request-ID": "abc-123"}
    )
    assert response.headers["x-request-id"] == "abc-123"
    version = server.client.get("/v1/index").json()["version"]
    assert response.headers["x-index-version"] == version
    generated = server.client.post("/v1/ask", json={"question": SAMSUNG})
    assert len(generated.headers["x-request-id"]) == 32
