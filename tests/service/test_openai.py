"""The OpenAI-compatible endpoints, driven by the official ``openai`` client against the
real server: completions with and without streaming, abstentions, unknown parameters,
an unknown model; and the raw Server-Sent Events."""

from __future__ import annotations

import json

import openai
import pytest
from openai import OpenAI

from tests.service.server import Server, assert_error

NVIDIA = "엔비디아가 한국에 공급하는 GPU는 몇 장이야?"
SAMSUNG = "삼성전자의 3분기 영업이익은 얼마야?"
MARS = "What is the weather on Mars today?"


@pytest.fixture(scope="module")
def client(server: Server) -> OpenAI:
    return OpenAI(base_url=f"{server.url}/v1", api_key="x", max_retries=0, timeout=120)


def test_models(client: OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["article-qa"]
    assert client.models.retrieve("article-qa").owned_by == "article-qa"


def test_completion_quotes_with_markers_and_sources(client: OpenAI, server: Server) -> None:
    completion = client.chat.completions.create(
        model="article-qa",
        messages=[
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": NVIDIA},
        ],
        temperature=0.2,
        max_tokens=50,
        top_p=0.9,
        user="someone",
    )
    assert completion.object == "chat.completion" and completion.model == "article-qa"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content
    assert content is not None
    extra = completion.model_extra or {}
    answer = extra["article_qa"]
    assert answer["answered"] is True
    assert content.startswith(answer["answer"])
    assert "26만 장" in content and "[1]" in content
    sources = content.split("\n\n출처:\n", 1)[1]
    assert "엔비디아" in sources and "(2025-10-31)" in sources and "https://" in sources
    citations = extra["citations"]
    assert [c["index"] for c in citations] == list(range(1, len(answer["quotes"]) + 1))
    first = citations[0]
    article = server.client.get(f"/v1/articles/{first['article_id']}").json()
    assert article["text"][first["char_start"] : first["char_end"]] == first["text"]
    assert completion.usage is not None and completion.usage.total_tokens > 0


def test_completion_follow_up_uses_the_conversation(client: OpenAI) -> None:
    first = client.chat.completions.create(
        model="article-qa", messages=[{"role": "user", "content": SAMSUNG}]
    )
    content = first.choices[0].message.content or ""
    follow = client.chat.completions.create(
        model="article-qa",
        messages=[
            {"role": "user", "content": SAMSUNG},
            {"role": "assistant", "content": content},  # sources list and all, as sent
            {"role": "user", "content": [{"type": "text", "text": "그럼 LG전자는?"}]},
        ],
    )
    answer = (follow.model_extra or {})["article_qa"]
    assert answer["mode"] == "shift"
    assert answer["resolved_question"] != "그럼 LG전자는?"


@pytest.mark.parametrize(
    ("question", "expected"),
    [(MARS, "I could not find this in the articles."), ("화성의 오늘 날씨는 어때?", "기사에서")],
)
def test_abstention_says_so_plainly(client: OpenAI, question: str, expected: str) -> None:
    completion = client.chat.completions.create(
        model="article-qa", messages=[{"role": "user", "content": question}]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert (choice.message.content or "").startswith(expected)
    extra = completion.model_extra or {}
    assert extra["article_qa"]["answered"] is False and extra["citations"] == []


def test_streaming(client: OpenAI) -> None:
    stream = client.chat.completions.create(
        model="article-qa",
        messages=[{"role": "user", "content": NVIDIA}],
        stream=True,
        stream_options={"include_usage": True},
        temperature=0,
    )
    chunks = list(stream)
    assert all(c.object == "chat.completion.chunk" and c.model == "article-qa" for c in chunks)
    with_choices = [c for c in chunks if c.choices]
    assert with_choices[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in with_choices)
    finishes = [c.choices[0].finish_reason for c in with_choices]
    assert finishes[-1] == "stop" and set(finishes[:-1]) == {None}
    last = with_choices[-1].model_extra or {}
    answer = last["article_qa"]
    assert text.startswith(answer["answer"])
    assert "\n\n출처:\n[1]" in text
    assert [c["text"] for c in last["citations"]] == [q["text"] for q in answer["quotes"]]
    assert chunks[-1].usage is not None and not chunks[-1].choices  # include_usage


def test_streaming_abstention(client: OpenAI) -> None:
    stream = client.chat.completions.create(
        model="article-qa", messages=[{"role": "user", "content": MARS}], stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "I could not find this in the articles."
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_raw_event_stream(server: Server) -> None:
    messages = [{"role": "user", "content": NVIDIA}]
    body = {"model": "article-qa", "stream": True, "messages": messages}
    with server.client.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.headers["x-index-version"]
        lines = [line for line in response.iter_lines() if line]
    assert all(line.startswith("data: ") for line in lines)
    assert lines[-1] == "data: [DONE]"
    events = [json.loads(line[6:]) for line in lines[:-1]]
    assert len({e["id"] for e in events}) == 1
    assert events[-1]["choices"][0]["finish_reason"] == "stop"
    assert events[-1]["citations"]


def test_unknown_model_is_404(client: OpenAI, server: Server) -> None:
    with pytest.raises(openai.NotFoundError) as info:
        client.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": NVIDIA}]
        )
    assert "article-qa" in info.value.message
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": NVIDIA}]}
    error = assert_error(server.client.post("/v1/chat/completions", json=body), 404)
    assert error["code"] == "model_not_found"
    assert error["details"]["available"] == ["article-qa"]
    assert_error(server.client.get("/v1/models/gpt-4o"), 404, "model_not_found")


@pytest.mark.parametrize(
    ("messages", "status"),
    [
        ([], 422),
        ([{"role": "assistant", "content": "x"}], 422),
        ([{"role": "wizard", "content": "x"}], 422),
        ([{"role": "user", "content": "가" * 301}], 413),
    ],
)
def test_invalid_messages(client: OpenAI, messages: list, status: int) -> None:
    with pytest.raises(openai.APIStatusError) as info:
        client.chat.completions.create(model="article-qa", messages=messages)
    assert info.value.status_code == status
