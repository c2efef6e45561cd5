"""Inputs that used to get a 500, an answer, or the wrong error code (issue 9), through
the real app in process (fake embedder)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.server import assert_error

JSON = {"Content-Type": "application/json"}


def test_a_lone_surrogate_in_an_article_id_is_a_422_not_a_500(
    writable_client: TestClient, admin_headers: dict[str, str]
) -> None:
    before = writable_client.get("/v1/index").json()["version"]
    body = b'{"articles": [{"id": "sur-\\ud800", "title": "t", "text": "a sentence."}]}'
    response = writable_client.post("/v1/articles", content=body, headers={**JSON, **admin_headers})
    error = assert_error(response, 422, "invalid_request")
    # The echoed id is shown escaped, not dropped.
    assert error["details"]["errors"][0]["id"] == "sur-\\ud800"
    assert writable_client.get("/v1/index").json()["version"] == before  # nothing written


def test_a_lone_surrogate_as_the_model_is_a_404_not_a_500(client: TestClient) -> None:
    body = b'{"model": "\\ud800", "messages": [{"role": "user", "content": "hi"}]}'
    response = client.post("/v1/chat/completions", content=body, headers=JSON)
    error = assert_error(response, 404, "model_not_found")
    assert error["details"]["model"] == "\\ud800"


@pytest.mark.parametrize(
    "question",
    ["\u200b", "\u200b\u200c\u200d\ufeff", " \u2060 \u3164 ", "\u00a0\u200b\n"],
    ids=["zwsp", "joiners-bom", "word-joiner-filler", "nbsp-zwsp"],
)
def test_a_question_of_invisible_characters_is_empty(client: TestClient, question: str) -> None:
    error = assert_error(client.post("/v1/ask", json={"question": question}), 422)
    assert error["details"]["field"] == "question"
    chat = {"messages": [{"role": "user", "content": question}]}
    assert_error(client.post("/v1/chat", json=chat), 422, "invalid_request")
    completion = {"model": "article-qa", **chat}
    assert_error(client.post("/v1/chat/completions", json=completion), 422, "invalid_request")


def test_the_schema_states_the_minimum_lengths(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["AskRequest"]["properties"]["question"]["minLength"] == 1
    assert schemas["ChatRequest"]["properties"]["messages"]["minItems"] == 1
    assert schemas["UpsertRequest"]["properties"]["articles"]["minItems"] == 1
    assert schemas["ChatCompletionRequest"]["properties"]["messages"]["minItems"] == 1


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/ask", {"question": ""}),
        ("/v1/chat", {"messages": []}),
        ("/v1/chat/completions", {"model": "article-qa", "messages": []}),
    ],
)
def test_empty_values_are_refused_by_the_schema(client: TestClient, path: str, body) -> None:
    assert_error(client.post(path, json=body), 422, "invalid_request")


def test_empty_article_list_is_refused(
    writable_client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = writable_client.post("/v1/articles", json={"articles": []}, headers=admin_headers)
    assert_error(response, 422, "invalid_request")


@pytest.mark.parametrize("depth", [10_000, 90_000])
def test_deeply_nested_json_is_invalid_json(client: TestClient, depth: int) -> None:
    body = b"[" * depth + b"]" * depth
    assert_error(client.post("/v1/ask", content=body, headers=JSON), 400, "invalid_json")
    nested = b'{"question": ' + b"[" * depth + b"]" * depth + b"}"
    assert_error(client.post("/v1/ask", content=nested, headers=JSON), 400, "invalid_json")
