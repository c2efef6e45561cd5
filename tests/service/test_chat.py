"""POST /v1/chat: the answer object of the last question plus how the conversation shaped
it; the limits of /v1/ask; the optional API key (on a server without an index, so the
key is checked before anything else)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.service.server import Server, assert_error

NVIDIA = "엔비디아가 한국에 공급하는 GPU는 몇 장이야?"
SAMSUNG = "삼성전자의 3분기 영업이익은 얼마야?"
API_KEY = "chat-api-key-0123456789"
QUESTION_ENDPOINTS = [
    ("/v1/ask", {"question": SAMSUNG}),
    ("/v1/chat", {"messages": [{"role": "user", "content": SAMSUNG}]}),
    (
        "/v1/chat/completions",
        {"model": "article-qa", "messages": [{"role": "user", "content": SAMSUNG}]},
    ),
]


def chat(server: Server, *messages: tuple[str, str], **extra: object) -> dict:
    body = {"messages": [{"role": r, "content": c} for r, c in messages], **extra}
    response = server.client.post("/v1/chat", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["x-index-version"]
    return response.json()


def test_first_turn_is_the_ask_answer_plus_resolution(server: Server) -> None:
    reply = chat(server, ("user", NVIDIA))
    asked = server.client.post("/v1/ask", json={"question": NVIDIA}).json()
    assert reply["answered"] is True
    assert "26만 장" in reply["answer"]
    assert reply["resolved_question"] == NVIDIA
    assert reply["mode"] == "standalone" and reply["context_articles"] == []
    for key in ("question", "answered", "answer", "quotes", "confidence"):
        assert reply[key] == asked[key], key
    for quote in reply["quotes"]:
        c = quote["citation"]
        text = server.client.get(f"/v1/articles/{c['article_id']}").json()["text"]
        assert text[c["char_start"] : c["char_end"]] == quote["text"]


def test_follow_up_is_resolved_from_the_conversation(server: Server) -> None:
    first = chat(server, ("user", SAMSUNG))
    assert first["answered"] is True
    reply = chat(
        server,
        ("system", "ignored"),
        ("user", SAMSUNG),
        ("assistant", first["answer"]),
        ("user", "그럼 LG전자는?"),
        top_k=3,
    )
    assert reply["mode"] == "shift"
    # The new name, with the words of the earlier question's topic carried over.
    assert "LG전자" in reply["resolved_question"] and "영업이익" in reply["resolved_question"]
    assert len(reply["passages"]) <= 3


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"messages": []}, 422, "invalid_request"),
        ({"messages": [{"role": "assistant", "content": "x [1]"}]}, 422, "invalid_request"),
        ({"messages": [{"role": "user", "content": "   "}]}, 422, "invalid_request"),
        ({"messages": [{"role": "robot", "content": "x"}]}, 422, "invalid_request"),
        ({"messages": [{"role": "user", "content": "a\x00b"}]}, 422, "invalid_request"),
        ({"messages": [{"role": "user", "content": "가" * 301}]}, 413, "limit_exceeded"),
        ({"messages": [{"role": "user", "content": SAMSUNG}], "top_k": 11}, 422, None),
        ({"messages": [{"role": "user", "content": SAMSUNG}], "extra": 1}, 422, None),
        ({"messages": [{"role": "user", "content": "q"}] * 101}, 413, "limit_exceeded"),
    ],
)
def test_invalid_conversations(server: Server, body: dict, status: int, code: str | None) -> None:
    assert_error(server.client.post("/v1/chat", json=body), status, code)


def test_over_long_earlier_question_names_its_message(server: Server) -> None:
    body = {
        "messages": [
            {"role": "user", "content": "가" * 400},
            {"role": "assistant", "content": "x"},
            {"role": "user", "content": SAMSUNG},
        ]
    }
    error = assert_error(server.client.post("/v1/chat", json=body), 413, "limit_exceeded")
    assert error["details"]["field"] == "messages[0].content"


def test_chat_is_listed_in_openapi(server: Server) -> None:
    paths = server.client.get("/openapi.json").json()["paths"]
    assert {"/v1/chat", "/v1/chat/completions", "/v1/models"} <= set(paths)


@pytest.fixture(scope="module")
def keyed(server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(
        tmp_path_factory.mktemp("keyed-server"),
        server_env,
        {"api_key": API_KEY, "rate_limit_per_minute": 6},
    )
    with srv.serving(ready=False):
        yield srv


@pytest.mark.parametrize(("path", "body"), QUESTION_ENDPOINTS)
def test_api_key_guards_the_question_endpoints(keyed: Server, path: str, body: dict) -> None:
    missing = keyed.client.post(path, json=body)
    assert_error(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = keyed.client.post(path, json=body, headers={"Authorization": "Bearer nope"})
    assert_error(wrong, 403, "forbidden")
    # The right key gets through to the question, which needs an index this server lacks.
    good = keyed.client.post(path, json=body, headers={"Authorization": f"Bearer {API_KEY}"})
    assert_error(good, 503, "index_unavailable")


def test_api_key_leaves_other_endpoints_open(keyed: Server) -> None:
    assert keyed.client.get("/healthz").status_code == 200
    assert keyed.client.get("/v1/models").status_code == 200
    assert keyed.client.get("/").status_code == 200


def test_rate_limit_covers_chat(keyed: Server) -> None:
    headers = {"Authorization": f"Bearer {API_KEY}"}
    body = {"messages": [{"role": "user", "content": SAMSUNG}]}
    statuses = [keyed.client.post("/v1/chat", json=body, headers=headers).status_code]
    for _ in range(8):
        statuses.append(keyed.client.post("/v1/chat", json=body, headers=headers).status_code)
    assert 429 in statuses
    assert set(statuses) <= {503, 429}
