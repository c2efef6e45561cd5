"""One answer model: the OpenAPI schema, HTTP answers, the OpenAI adapter's `article_qa`
and `citations`, and `article-qa ask --json` all have the fields of the dataclasses in
qa/types.py (and qa.chat.ChatReply)."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qa.types import Citation, PassageResult, Quote
from tests.helpers import ANSWER_FIELDS, CHAT_ANSWER_FIELDS, CITATION_FIELDS, REPO_ROOT

QUESTION = "엔비디아가 한국에 공급하는 GPU는 몇 장이야?"


def _names(dc: type) -> set[str]:
    return {f.name for f in fields(dc)}


def _schema_fields(schemas: dict, name: str) -> set[str]:
    schema = schemas[name]
    assert set(schema["required"]) == set(schema["properties"]), name
    return set(schema["properties"])


@pytest.fixture(scope="module")
def schemas(client: TestClient) -> dict:
    return client.get("/openapi.json").json()["components"]["schemas"]


def test_openapi_schema_is_the_dataclasses(schemas: dict) -> None:
    assert _schema_fields(schemas, "AnswerOut") == set(ANSWER_FIELDS)
    assert _schema_fields(schemas, "ChatAnswerOut") == set(CHAT_ANSWER_FIELDS)
    assert _schema_fields(schemas, "Citation") == set(CITATION_FIELDS) == _names(Citation)
    assert _schema_fields(schemas, "Quote") == _names(Quote)
    assert _schema_fields(schemas, "PassageOut") == _names(PassageResult)
    completion = schemas["ChatCompletionOut"]["properties"]
    assert completion["article_qa"]["$ref"].endswith("/ChatAnswerOut")
    assert _schema_fields(schemas, "CompletionCitation") == set(CITATION_FIELDS) | {
        "index",
        "text",
    }


def _check_answer(answer: dict, expected: tuple[str, ...]) -> None:
    assert list(answer) == list(expected)  # same fields, same order
    for quote in answer["quotes"]:
        assert set(quote) == _names(Quote)
        assert set(quote["citation"]) == set(CITATION_FIELDS)
    for passage in answer["passages"]:
        assert set(passage) == _names(PassageResult)


def test_http_and_openai_answers_have_the_model_fields(client: TestClient, schemas) -> None:
    asked = client.post("/v1/ask", json={"question": QUESTION})
    assert asked.status_code == 200, asked.text
    _check_answer(asked.json(), ANSWER_FIELDS)
    assert asked.json()["answered"], "the fixture question should be answered"

    messages = [{"role": "user", "content": QUESTION}]
    chat = client.post("/v1/chat", json={"messages": messages})
    _check_answer(chat.json(), CHAT_ANSWER_FIELDS)

    done = client.post("/v1/chat/completions", json={"model": "article-qa", "messages": messages})
    body = done.json()
    assert set(body) == set(schemas["ChatCompletionOut"]["properties"])
    _check_answer(body["article_qa"], CHAT_ANSWER_FIELDS)
    assert body["article_qa"] == chat.json() | {"timings": body["article_qa"]["timings"]}
    for c in body["citations"]:
        assert set(c) == set(CITATION_FIELDS) | {"index", "text"}

    streamed = client.post(
        "/v1/chat/completions",
        json={"model": "article-qa", "messages": messages, "stream": True},
    )
    events = [
        json.loads(line[len("data: ") :])
        for line in streamed.text.splitlines()
        if line.startswith("data: {")
    ]
    last = next(e for e in events if e["choices"] and e["choices"][0]["finish_reason"])
    _check_answer(last["article_qa"], CHAT_ANSWER_FIELDS)


@pytest.mark.slow
def test_cli_json_has_the_model_fields(run_cli, sample_index_dir: Path) -> None:
    result = run_cli("ask", QUESTION, "--index-dir", sample_index_dir, "--json")
    assert result.returncode == 0, result.stderr
    _check_answer(json.loads(result.stdout), ANSWER_FIELDS)


def test_the_widget_reads_only_fields_of_the_model() -> None:
    """widget.js renders the /v1/chat answer: every property it reads of an answer, a
    quote or a citation must exist in the model (a renamed field would break it quietly)."""
    script = (REPO_ROOT / "service" / "static" / "widget.js").read_text(encoding="utf-8")
    read = {
        "answer": set(re.findall(r"\banswer\.(\w+)", script)),
        "quote": set(re.findall(r"\bquote\.(\w+)", script)),
        "citation": set(re.findall(r"\b(?:citation|c)\.(\w+)", script)),
    }
    assert read["answer"] and read["quote"] and read["citation"], read
    assert read["answer"] <= set(CHAT_ANSWER_FIELDS), read["answer"] - set(CHAT_ANSWER_FIELDS)
    assert read["quote"] <= _names(Quote), read["quote"] - _names(Quote)
    assert read["citation"] <= set(CITATION_FIELDS), read["citation"] - set(CITATION_FIELDS)
