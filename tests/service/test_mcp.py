"""The MCP server over both transports, driven by the SDK's own client: Streamable HTTP
at ``/mcp`` of a real server (API key and rate limit on), and stdio through
``article-qa mcp`` spawned as a subprocess."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.service.conftest import MAIN_SETTINGS
from tests.service.server import Server, assert_error

API_KEY = "mcp-test-key-0123456789"
RATE_LIMIT = 8
NVIDIA_QUESTION = "엔비디아가 한국에 공급하는 GPU는 몇 장이야?"
TOOLS = {"ask", "search_passages", "get_article"}


@pytest.fixture(scope="module")
def mcp_server(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    settings = {
        "sources": MAIN_SETTINGS["sources"],
        "api_key": API_KEY,
        "rate_limit_per_minute": RATE_LIMIT,
        "max_top_k": 10,
    }
    srv = Server(tmp_path_factory.mktemp("mcp-server"), server_env, settings)
    with srv.serving():
        yield srv


@asynccontextmanager
async def http_client(server: Server, key: str | None = API_KEY) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    async with httpx2.AsyncClient(headers=headers, timeout=120.0) as http:
        transport = streamable_http_client(f"{server.url}/mcp", http_client=http)
        async with Client(transport) as client:
            yield client


@asynccontextmanager
async def stdio_client(index_dir: Path, env: dict[str, str]) -> AsyncIterator[Client]:
    executable = Path(__file__).resolve().parents[2] / ".venv/bin/article-qa"
    params = StdioServerParameters(
        command=str(executable if executable.is_file() else "article-qa"),
        args=["mcp", "--index-dir", str(index_dir)],
        env=env,
    )
    async with Client(params, read_timeout_seconds=300) as client:
        yield client


def run(session: Callable[[], AbstractAsyncContextManager[Client]], body: Callable) -> Any:
    """Open a client session, run ``body`` in it, return its result (bounded in time)."""

    async def main() -> Any:
        with anyio.fail_after(300):
            async with session() as client:
                return await body(client)

    return anyio.run(main)


async def exercise(client: Client) -> dict[str, Any]:
    """List the tools and call each one, as an assistant would."""
    listed = await client.list_tools()
    answer = await client.call_tool("ask", {"question": NVIDIA_QUESTION})
    quote = answer.structured_content["quotes"][0]
    citation = quote["citation"]
    cited = {"start": citation["char_start"], "end": citation["char_end"]}
    span = await client.call_tool("get_article", {"id": citation["article_id"], **cited})
    search = await client.call_tool("search_passages", {"query": "블랙웰 GPU", "top_k": 3})
    return {"tools": listed.tools, "answer": answer, "span": span, "search": search}


def check_exercise(result: dict[str, Any]) -> None:
    tools = {tool.name: tool for tool in result["tools"]}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.annotations is not None and tool.annotations.read_only_hint is True
        assert tool.description
    assert set(tools["ask"].input_schema["properties"]) == {
        "question",
        "source",
        "published_from",
        "published_to",
    }

    answer = result["answer"]
    assert not answer.is_error
    data = answer.structured_content
    assert data["answered"] is True
    assert "26만 장" in data["answer"]
    # The text content carries the same quotes with their citations.
    text = answer.content[0].text
    citation = data["quotes"][0]["citation"]
    assert data["quotes"][0]["text"] in text
    assert citation["url"] in text and "[1]" in text

    span = result["span"]
    assert not span.is_error
    assert span.structured_content["text"] == data["quotes"][0]["text"]
    assert span.structured_content["id"] == citation["article_id"]

    search = result["search"]
    assert not search.is_error
    passages = search.structured_content["passages"]
    assert 1 <= len(passages) <= 3
    assert passages[0]["article_id"] == "kr-nvidia-gpu-2025"
    assert passages[0]["published"] == "2025-10-31"


async def bad_calls(client: Client) -> list[Any]:
    return [
        await client.call_tool("ask", {"question": ""}),
        await client.call_tool("ask", {"question": "GPU?", "published_from": "yesterday"}),
        await client.call_tool("ask", {"question": "x" * 2000}),
        await client.call_tool("search_passages", {"query": "GPU", "top_k": 0}),
        await client.call_tool("get_article", {"id": "no-such-article"}),
        await client.call_tool("get_article", {"id": "kr-nvidia-gpu-2025", "start": 5, "end": 2}),
        await client.call_tool("ask", {"wrong": "argument"}),
    ]


def check_bad_calls(results: list[Any]) -> None:
    expected = [
        "question",
        "published_from",
        "longer than",
        "top_k",
        "unknown article id",
        "start <= end",
        "question",
    ]
    for result, words in zip(results, expected, strict=True):
        assert result.is_error, result
        text = result.content[0].text
        assert words in text, text
        assert "Traceback" not in text


# -- Streamable HTTP ----------------------------------------------------------------------


def test_http_client_gets_cited_answers(mcp_server: Server) -> None:
    check_exercise(run(lambda: http_client(mcp_server), exercise))


def test_http_bad_arguments_are_tool_errors(mcp_server: Server) -> None:
    check_bad_calls(run(lambda: http_client(mcp_server), bad_calls))
    # The server is still answering after them.
    assert mcp_server.client.get("/readyz").status_code == 200


@pytest.mark.parametrize(("key", "status"), [(None, 401), ("wrong-key", 403)])
def test_http_refuses_missing_or_wrong_key(
    mcp_server: Server, key: str | None, status: int
) -> None:
    with pytest.raises(Exception) as caught:  # noqa: B017 - the SDK's error type is its own
        run(lambda: http_client(mcp_server, key), lambda c: c.list_tools())
    assert "Traceback" not in str(caught.value)
    headers = {"Accept": "application/json, text/event-stream"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    assert_error(mcp_server.client.post("/mcp", json=body, headers=headers), status)


def test_http_checks_the_host_header(mcp_server: Server) -> None:
    """DNS rebinding: a page on another domain that resolves to 127.0.0.1 is refused."""
    headers = {
        "Authorization": f"Bearer {API_KEY}",
        "Accept": "application/json, text/event-stream",
        "Host": "attacker.example",
    }
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    response = mcp_server.client.post("/mcp", json=body, headers=headers)
    assert_error(response, 421, "misdirected_request")


def test_http_shares_the_rate_limit_of_ask(mcp_server: Server) -> None:
    """Questions through /mcp use the client's /v1/ask allowance, and the other way
    round: once a tool call is refused, /v1/ask answers 429 too. (Last in this module:
    it spends the allowance.)"""

    async def until_refused(client: Client) -> list[Any]:
        results = []
        for _ in range(3 * RATE_LIMIT):  # bounded: the bucket holds RATE_LIMIT
            result = await client.call_tool("search_passages", {"query": "GPU", "top_k": 1})
            results.append(result)
            if result.is_error:
                break
        return results

    results = run(lambda: http_client(mcp_server), until_refused)
    assert results[-1].is_error and "rate_limited" in results[-1].content[0].text
    assert len(results) <= RATE_LIMIT + 1
    response = mcp_server.client.post(
        "/v1/ask",
        json={"question": NVIDIA_QUESTION},
        headers={"Authorization": f"Bearer {API_KEY}"},
    )
    assert_error(response, 429, "rate_limited")


# -- stdio ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stdio_env(cli_env: dict[str, str]) -> dict[str, str]:
    return dict(cli_env)


def test_stdio_client_gets_cited_answers(sample_index_dir: Path, stdio_env: dict) -> None:
    check_exercise(run(lambda: stdio_client(sample_index_dir, stdio_env), exercise))


def test_stdio_bad_arguments_are_tool_errors(sample_index_dir: Path, stdio_env: dict) -> None:
    check_bad_calls(run(lambda: stdio_client(sample_index_dir, stdio_env), bad_calls))


def test_stdio_without_an_index_fails_with_a_message(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    done = run_cli("mcp", "--index-dir", tmp_path / "missing")
    assert done.returncode in (1, 2)
    assert done.stderr.startswith("error:") and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_mcp_is_not_in_the_openapi_schema(mcp_server: Server) -> None:
    paths = httpx.get(f"{mcp_server.url}/openapi.json", timeout=60).json()["paths"]
    assert "/mcp" not in paths
