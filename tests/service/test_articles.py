"""POST /v1/articles (upsert), GET and DELETE /v1/articles/{id}, and the admin rules."""

from __future__ import annotations

import uuid

import pytest

from tests.service.server import Server, assert_error


def unique_article(article_id: str | None = None, *, source: str = "API 테스트") -> dict:
    """An article whose text no earlier run has embedded (so it must be embedded now)."""
    tag = uuid.uuid4().hex[:8]
    return {
        "id": article_id or f"api-{tag}",
        "title": f"울릉도 오징어 풍어 {tag}",
        "text": f"울릉도 앞바다에서 올가을 오징어가 크게 잡혔다. 조업 코드는 {tag}이다.\n\n"
        f"어민들은 올해 어획량이 작년의 두 배라고 말했다.",
        "source": source,
        "published": "2025-11-02",
        "url": f"https://news.example.com/{tag}",
        "reporter": "홍길동",
    }


def upsert(server: Server, admin: dict, *articles: dict, own: bool = False) -> dict:
    """Upsert through the server's client, or a client of its own (``own``, for threads)."""
    body = {"articles": list(articles)}
    if own:
        with server.new_client() as client:
            response = client.post("/v1/articles", json=body, headers=admin)
    else:
        response = server.client.post("/v1/articles", json=body, headers=admin)
    assert response.status_code == 200, response.text
    return response.json()


def test_get_article_returns_metadata_and_canonical_text(server: Server) -> None:
    article = server.client.get("/v1/articles/kr-samsung-q3-2025").json()
    assert article["id"] == "kr-samsung-q3-2025"
    assert article["source"] == "한빛경제" and article["published"] == "2025-10-14"
    assert article["text"].startswith("삼성전자가")
    assert set(article) >= {"id", "title", "text", "url", "published", "source", "lang", "metadata"}


def test_upsert_takes_effect_embeds_only_new_text_and_can_be_cited(
    server: Server, admin: dict
) -> None:
    before = server.client.get("/v1/index").json()
    article = unique_article()
    result = upsert(server, admin, article)
    assert result["ids"] == [article["id"]]
    assert (result["created"], result["updated"], result["unchanged"]) == (1, 0, 0)
    # Only the new article's passage and sentences were embedded; the corpus came from cache.
    assert 0 < result["embedded"] <= 4
    assert result["cached"] >= before["counts"]["passages"]
    assert result["index"]["counts"]["articles"] == before["counts"]["articles"] + 1
    assert result["index"]["version"] != before["version"]

    stored = server.client.get(f"/v1/articles/{article['id']}").json()
    assert stored["text"] == article["text"]
    assert stored["metadata"] == {"reporter": "홍길동"}
    answer = server.client.post(
        "/v1/ask", json={"question": "울릉도 오징어 어획량은 작년과 비교해 어때?"}
    ).json()
    cited = [q for q in answer["quotes"] if q["citation"]["article_id"] == article["id"]]
    assert cited, answer
    c = cited[0]["citation"]
    assert stored["text"][c["char_start"] : c["char_end"]] == cited[0]["text"]


def test_upsert_replaces_by_id_and_unchanged_is_free(server: Server, admin: dict) -> None:
    article = unique_article()
    upsert(server, admin, article)
    same = upsert(server, admin, article)
    assert (same["created"], same["updated"], same["unchanged"]) == (0, 0, 1)
    assert same["embedded"] == 0
    changed = {**article, "text": article["text"] + "\n\n해경은 안전 조업을 당부했다."}
    result = upsert(server, admin, changed)
    assert (result["created"], result["updated"]) == (0, 1)
    assert server.client.get(f"/v1/articles/{article['id']}").json()["text"].endswith("당부했다.")


def test_upsert_from_html_and_without_id(server: Server, admin: dict) -> None:
    tag = uuid.uuid4().hex[:8]
    html = (
        f"<html><head><title>독도 관측 {tag}</title></head><body><article><h1>독도 관측 {tag}</h1>"
        "<p>기상청은 독도 해상에 새 관측 장비를 설치했다고 밝혔다. 장비는 파고와 풍속을 잰다.</p>"
        "</article></body></html>"
    )
    result = upsert(server, admin, {"html": html, "url": f"https://news.example.com/h/{tag}"})
    [article_id] = result["ids"]
    assert article_id.startswith("u-")
    article = server.client.get(f"/v1/articles/{article_id}").json()
    assert "관측 장비" in article["text"] and "<p>" not in article["text"]


def test_delete_takes_effect(server: Server, admin: dict) -> None:
    article = unique_article()
    upsert(server, admin, article)
    response = server.client.delete(f"/v1/articles/{article['id']}", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["deleted"] == article["id"]
    assert_error(server.client.get(f"/v1/articles/{article['id']}"), 404, "not_found")
    answer = server.client.post(
        "/v1/ask", json={"question": "울릉도 오징어 조업 코드는 뭐야?", "top_k": 10}
    ).json()
    assert article["id"] not in {p["article_id"] for p in answer["passages"]}
    again = server.client.delete(f"/v1/articles/{article['id']}", headers=admin)
    assert_error(again, 404, "not_found")


@pytest.mark.parametrize(
    ("articles", "status", "code"),
    [
        ([], 422, "invalid_request"),
        ([{"title": "본문 없음"}], 422, "invalid_request"),
        ([{"id": "x", "text": 5}], 422, "invalid_request"),
        ([{"id": True, "text": "참 거짓."}], 422, "invalid_request"),
        ([{"id": "x", "text": "   "}], 422, "invalid_request"),
        ([{"id": "x" * 201, "text": "너무 긴 아이디."}], 422, "invalid_request"),
        (
            [{"id": "d", "text": "같은 아이디."}, {"id": "d", "text": "같은 아이디."}],
            422,
            "invalid_request",
        ),
        ([{"id": f"n{i}", "text": "문장."} for i in range(6)], 413, "limit_exceeded"),
    ],
    ids=[
        "empty batch",
        "no text",
        "text not a string",
        "id not a string",
        "blank text",
        "id too long",
        "duplicate ids",
        "batch over the limit",
    ],
)
def test_bad_upserts_are_rejected_whole(
    server: Server, admin: dict, articles: list, status: int, code: str
) -> None:
    version = server.client.get("/v1/index").json()["version"]
    response = server.client.post("/v1/articles", json={"articles": articles}, headers=admin)
    error = assert_error(response, status, code)
    if status == 413:
        assert error["details"] == {"field": "articles", "limit": 5, "actual": 6}
    assert server.client.get("/v1/index").json()["version"] == version


def test_bad_record_error_names_the_record(server: Server, admin: dict) -> None:
    good = unique_article()
    response = server.client.post(
        "/v1/articles",
        json={"articles": [good, {"id": "broken", "title": "본문 없음"}]},
        headers=admin,
    )
    error = assert_error(response, 422, "invalid_request")
    assert error["details"]["errors"][0]["index"] == 1
    assert error["details"]["errors"][0]["id"] == "broken"
    assert_error(server.client.get(f"/v1/articles/{good['id']}"), 404)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/articles", {"articles": [{"id": "x", "text": "가."}]}),
        ("DELETE", "/v1/articles/kr-samsung-q3-2025", None),
        ("POST", "/v1/index/rebuild", None),
        ("GET", "/v1/index/jobs/0123", None),
    ],
)
def test_admin_endpoints_need_the_token(
    server: Server, method: str, path: str, body: dict | None
) -> None:
    missing = server.client.request(method, path, json=body)
    assert_error(missing, 401, "unauthorized")
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = server.client.request(
        method, path, json=body, headers={"Authorization": "Bearer not-the-token-at-all"}
    )
    assert_error(wrong, 403, "forbidden")
    basic = server.client.request(method, path, json=body, headers={"Authorization": "Basic eDp5"})
    assert_error(basic, 401, "unauthorized")
    assert server.client.get("/v1/articles/kr-samsung-q3-2025").status_code == 200


@pytest.mark.parametrize(
    "record",
    [b'{"id": "s1", "text": "a\\ud800b."}', b'{"id": "s2", "text": "ok.", "note": "\\udfff"}'],
    ids=["in text", "in metadata"],
)
def test_unpaired_surrogates_are_rejected(server: Server, admin: dict, record: bytes) -> None:
    body = b'{"articles": [' + record + b"]}"
    headers = {**admin, "Content-Type": "application/json"}
    response = server.client.post("/v1/articles", content=body, headers=headers)
    assert_error(response, 422, "invalid_request")
