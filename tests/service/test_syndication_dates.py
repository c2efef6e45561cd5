"""Over HTTP: the group of an article, "also reported by" in citations, ``as_of`` on
/v1/ask and /v1/chat, and the ``time_window`` of the answer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.service.server import REPO_ROOT, Server, assert_error

FIXTURES = REPO_ROOT / "data" / "fixtures"


@pytest.fixture(scope="module")
def fixture_server(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    sources = [str(FIXTURES / "syndicated.jsonl"), str(FIXTURES / "dated.jsonl")]
    srv = Server(tmp_path_factory.mktemp("fixture-server"), server_env, {"sources": sources})
    with srv.serving():
        yield srv


def ask(server: Server, **body: object) -> dict:
    response = server.client.post("/v1/ask", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_get_article_shows_its_group(fixture_server: Server) -> None:
    article = fixture_server.client.get("/v1/articles/ko-ev-plant-sample").json()
    group = article["group"]
    assert group["earliest"] == "ko-ev-plant-wire"
    assert [a["id"] for a in group["articles"]] == [
        "ko-ev-plant-wire",
        "ko-ev-plant-hanbit",
        "ko-ev-plant-sample",
    ]
    assert group["articles"][1] == {
        "id": "ko-ev-plant-hanbit",
        "title": "한빛모터스 울산 전기차 공장 준공",
        "url": "https://hanbit.example.com/economy/ev-plant",
        "source": "한빛경제",
        "published": "2025-11-03T10:20:00",  # as the reader canonicalizes it
    }
    alone = fixture_server.client.get("/v1/articles/ko-ev-plant-own").json()
    assert alone["group"] is None


def test_answer_quotes_the_wire_copy_once_and_lists_the_others(fixture_server: Server) -> None:
    answer = ask(fixture_server, question="How many trains is Coastal Rail buying?")
    first = answer["quotes"][0]["citation"]
    assert first["article_id"] == "en-rail-wire"
    assert [c["article_id"] for c in first["also_reported_by"]] == [
        "en-rail-times",
        "en-rail-daily",
    ]
    texts = [q["text"] for q in answer["quotes"]]
    assert len(texts) == len(set(texts))


def test_as_of_resolves_dates_and_the_window_is_returned(fixture_server: Server) -> None:
    question = "어제 발표된 서울 아파트값 상승률은?"
    answer = ask(fixture_server, question=question, as_of="2025-11-05")
    assert answer["quotes"][0]["citation"]["article_id"] == "apt-2025-11-04"
    assert answer["time_window"] == {
        "start": "2025-11-04",
        "end": "2025-11-04",
        "phrase": "어제",
        "explicit": True,
        "granularity": "day",
        "applied": "filter",
    }
    earlier = ask(fixture_server, question=question, as_of="2025-10-31")
    assert earlier["quotes"][0]["citation"]["article_id"] == "apt-2025-10-30"
    assert ask(fixture_server, question="서울 아파트값 상승률은?")["time_window"] is None


def test_chat_takes_as_of(fixture_server: Server) -> None:
    response = fixture_server.client.post(
        "/v1/chat",
        json={
            "messages": [{"role": "user", "content": "지난주 서울 아파트값은 얼마나 올랐어?"}],
            "as_of": "2025-11-05",
        },
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["quotes"][0]["citation"]["article_id"] == "apt-2025-10-30"
    assert answer["time_window"]["phrase"] == "지난주"


@pytest.mark.parametrize("value", ["2025-13-01", "yesterday", 20251105, ""])
def test_bad_as_of_is_a_422_naming_the_field(fixture_server: Server, value: object) -> None:
    response = fixture_server.client.post("/v1/ask", json={"question": "질문", "as_of": value})
    error = assert_error(response, 422, "invalid_request")
    assert "as_of" in str(error["details"])


def test_the_schema_documents_as_of_and_the_window(fixture_server: Server) -> None:
    schema = fixture_server.client.get("/openapi.json").json()["components"]["schemas"]
    assert "as_of" in schema["AskRequest"]["properties"]
    assert "as_of" in schema["ChatRequest"]["properties"]
    assert "time_window" in schema["AnswerOut"]["properties"]
    assert "also_reported_by" in schema["Citation"]["properties"]
    assert "group" in schema["ArticleOut"]["properties"]


def test_quarter_results_reported_after_the_quarter_are_in_its_window(server: Server) -> None:
    # The sample's Samsung Q3 article was published on 14 October, after the quarter.
    question = "올해 3분기 삼성전자 영업이익은 얼마야?"
    answer = ask(server, question=question, as_of="2025-11-01")
    assert answer["answered"], answer["reason"]
    assert answer["quotes"][0]["citation"]["article_id"] == "kr-samsung-q3-2025"
    assert answer["time_window"]["applied"] == "filter"
    # A year later, "올해 3분기" is a quarter no sample article was published in.
    later = ask(server, question=question, as_of="2026-11-01")
    assert not later["answered"]
    assert "올해 3분기" in later["reason"]


def test_an_article_read_can_be_written_back(fixture_server: Server) -> None:
    # The read-only group is not stored as metadata when a read article is upserted.
    from service.routes.articles import parse_articles
    from service.schemas import ArticleIn

    article = fixture_server.client.get("/v1/articles/ko-map-busan").json()
    assert article["group"] is not None
    (parsed,) = parse_articles([ArticleIn.model_validate(article)])
    assert "group" not in parsed.metadata
    assert parsed.to_dict() == {k: v for k, v in article.items() if k != "group"}
