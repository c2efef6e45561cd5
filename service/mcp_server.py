"""The MCP server: three read-only tools over the served index, for chat assistants.

The same tools serve two transports:

* Streamable HTTP at ``/mcp`` inside the FastAPI app (stateless, JSON responses), behind
  the API key of ``/v1/ask``; ``ask`` and ``search_passages`` draw on the same per-client
  rate limit as the question endpoints.
* stdio (``article-qa mcp --index-dir D``), for desktop assistants that start the server
  themselves; no key and no limit, since only the user who started it can talk to it.

The tools hold no state: each call takes the served index once (like an HTTP request)
and calls the same :class:`qa.answerer.Answerer` as the HTTP routes. Errors of ours
(bad input, no index, unknown article, rate limit) become tool errors (``isError``) with
the message, so the model can read and correct them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from index.errors import ArticleQAError, InputError
from qa.retrieval import Filters
from qa.types import Answer
from service.deps import check_api_key
from service.errors import error_body, error_response
from service.limits import check_question, check_top_k
from service.ratelimit import RateLimiter
from service.schemas import AnswerOut
from service.serving import IndexHolder
from service.settings import Settings

log = logging.getLogger("article_qa.mcp")

INSTRUCTIONS = """Answers questions about news articles with sentences quoted verbatim from
them. Call `ask` with the user's question: the answer is made of quotes, each with a
citation (article id, title, date, URL, character offsets). When `answered` is false, the
articles do not answer the question: say so rather than guessing. `search_passages`
returns the best passages without choosing quotes; `get_article` returns an article, or
the cited span of it with `start`/`end`."""

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True)
# Hosts that may reach /mcp on loopback; the DNS-rebinding check exists for them.
LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost", "[::1]"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


@dataclass(frozen=True)
class ToolEnv:
    """What a tool call needs: the settings (limits), the served index, and the rate
    limit with the caller's address (``None`` on stdio: no limit)."""

    settings: Settings
    holder: IndexHolder
    limiter: RateLimiter | None = None
    client: str = "unknown"

    def check_rate(self) -> None:
        if self.limiter is not None:
            self.limiter.check(self.client)


EnvResolver = Callable[[Context], ToolEnv]

Question = Annotated[
    str, Field(min_length=1, description="The question, in any language (Korean first).")
]
Source = Annotated[
    str | None, Field(description="Only articles of this source (publication name).")
]
DayFrom = Annotated[
    date | None, Field(description="Only articles published on or after this day (YYYY-MM-DD).")
]
DayTo = Annotated[
    date | None, Field(description="Only articles published on or before this day (YYYY-MM-DD).")
]


class PassageHit(BaseModel):
    passage_id: int
    article_id: str
    title: str
    url: str | None
    published: str | None
    source: str | None
    text: str
    score: float
    char_start: int
    char_end: int


class SearchOut(BaseModel):
    query: str
    passages: list[PassageHit]


class ArticleSpanOut(BaseModel):
    id: str
    title: str
    url: str | None
    published: str | None
    source: str | None
    lang: str | None
    length: int = Field(description="Characters in the whole article text.")
    char_start: int
    char_end: int
    text: str = Field(description="The article text from char_start to char_end.")


def _filters(source: str | None, start: date | None, end: date | None) -> Filters | None:
    if start and end and start > end:
        raise InputError("published_from is after published_to")
    filters = Filters(
        source=source or None,
        published_from=start.isoformat() if start else None,
        published_to=end.isoformat() if end else None,
    )
    return filters or None


def _tool_error(exc: ArticleQAError) -> ToolError:
    return ToolError(f"{exc.code}: {exc.message}")


def answer_text(answer: Answer) -> str:
    """The answer as a model reads it: the quotes with [n] markers, then one line per
    citation; or the refusal with its reason."""
    if not answer.answered:
        return f"No answer in the articles: {answer.reason}"
    lines = [answer.answer, ""]
    for i, quote in enumerate(answer.quotes, start=1):
        c = quote.citation
        parts = [f"[{i}] {c.title}", f"({c.published or 'undated'})"]
        if c.source:
            parts.append(c.source)
        if c.url:
            parts.append(c.url)
        parts.append(f"article {c.article_id} chars {c.char_start}-{c.char_end}")
        lines.append(" ".join(parts))
    return "\n".join(lines)


def _quiet_server() -> MCPServer:
    """MCPServer installs a handler on the root logger (Rich, INFO) when it is built; the
    service logs through its own handlers (service.request_log), and a root handler at
    INFO would print every library's chatter (httpx logs each request), so it is undone."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    server = MCPServer("article-qa", instructions=INSTRUCTIONS)
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)
    return server


def build_mcp_server(resolve: EnvResolver) -> MCPServer:
    """The MCP server with its tools; ``resolve`` gives each call its :class:`ToolEnv`."""
    server = _quiet_server()

    @server.tool(title="Answer from the articles", annotations=READ_ONLY)
    def ask(
        question: Question,
        ctx: Context,
        source: Source = None,
        published_from: DayFrom = None,
        published_to: DayTo = None,
    ) -> Annotated[CallToolResult, AnswerOut]:
        """Answer a question with sentences quoted verbatim from the news articles, each
        with a citation (article id, title, date, URL, character offsets). When the
        articles do not answer it, `answered` is false and `reason` says why."""
        env = resolve(ctx)
        try:
            text = check_question(question, env.settings)
            filters = _filters(source, published_from, published_to)
            env.check_rate()
            answer = env.holder.require().answerer.ask(text, filters=filters)
        except ArticleQAError as exc:
            raise _tool_error(exc) from None
        return CallToolResult(
            content=[TextContent(type="text", text=answer_text(answer))],
            structured_content=answer.to_dict(),
        )

    @server.tool(title="Search passages", annotations=READ_ONLY)
    def search_passages(
        query: Question,
        ctx: Context,
        source: Source = None,
        published_from: DayFrom = None,
        published_to: DayTo = None,
        top_k: Annotated[int, Field(ge=1, description="How many passages.")] = 5,
    ) -> SearchOut:
        """The passages of the news articles that match the query best, ranked, with
        their article, date and character offsets (no quote selection, no abstention)."""
        env = resolve(ctx)
        try:
            text = check_question(query, env.settings, field="query")
            check_top_k(top_k, env.settings)
            filters = _filters(source, published_from, published_to)
            env.check_rate()
            served = env.holder.require()
            found = served.answerer.search(text, top_k=top_k, filters=filters)
        except ArticleQAError as exc:
            raise _tool_error(exc) from None
        hits = []
        for p in found:
            article = served.index.article(p.article_id)
            hits.append(
                PassageHit(
                    **{k: getattr(p, k) for k in PassageHit.model_fields if hasattr(p, k)},
                    url=article.url,
                    published=article.published,
                    source=article.source,
                )
            )
        return SearchOut(query=text, passages=hits)

    @server.tool(title="Read an article", annotations=READ_ONLY)
    def get_article(
        id: Annotated[str, Field(min_length=1, description="The article id of a citation.")],
        ctx: Context,
        start: Annotated[int | None, Field(ge=0, description="First character.")] = None,
        end: Annotated[int | None, Field(ge=0, description="Character after the last.")] = None,
    ) -> ArticleSpanOut:
        """An article with its metadata and canonical text; with `start`/`end` (a
        citation's char_start/char_end) only that span, which is the quote itself."""
        env = resolve(ctx)
        try:
            article = env.holder.require().index.article(id)
        except ArticleQAError as exc:
            raise _tool_error(exc) from None
        length = len(article.text)
        lo = 0 if start is None else start
        hi = length if end is None else end
        if not lo <= hi <= length:
            raise ToolError(
                f"invalid_request: start and end must satisfy 0 <= start <= end <= {length} "
                f"(the article's length); got start={start}, end={end}"
            )
        return ArticleSpanOut(
            id=article.id,
            title=article.title,
            url=article.url,
            published=article.published,
            source=article.source,
            lang=article.lang,
            length=length,
            char_start=lo,
            char_end=hi,
            text=article.text[lo:hi],
        )

    return server


# -- HTTP ---------------------------------------------------------------------------------


def transport_security(settings: Settings) -> TransportSecuritySettings:
    """DNS-rebinding protection: a browser page must not reach a loopback server through
    a domain that resolves to 127.0.0.1, so the Host header must be loopback or one of
    ``mcp_allowed_hosts``; an Origin header, when sent, must be loopback or one of the
    CORS origins. ``["*"]`` turns the check off (a server behind a proxy that checks)."""
    if "*" in settings.mcp_allowed_hosts:
        return TransportSecuritySettings(enable_dns_rebinding_protection=False)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=LOOPBACK_HOSTS + list(settings.mcp_allowed_hosts),
        allowed_origins=LOOPBACK_ORIGINS + list(settings.cors_origins),
    )


def http_env(ctx: Context) -> ToolEnv:
    """A tool call over HTTP finds the app's state on its request, like a route does."""
    request: Any = ctx.request_context.request
    app_ctx = request.state.ctx
    client = request.client.host if request.client else "unknown"
    return ToolEnv(app_ctx.settings, app_ctx.holder, app_ctx.limiter, client)


class McpGuard:
    """Checks a request to ``/mcp`` before the MCP transport reads it: the Host and Origin
    headers (DNS rebinding: 421 or 403), then the API key (401 without, 403 wrong), all
    answered in the service's error shape."""

    def __init__(self, app: ASGIApp, security: TransportSecuritySettings) -> None:
        self.app = app
        self.security = TransportSecurityMiddleware(security)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings: Settings = scope["state"]["ctx"].settings
        request_id = scope.get("state", {}).get("request_id")
        refused = await self.security.validate_request(Request(scope), is_post=False)
        if refused is not None:
            reason = bytes(refused.body).decode("utf-8", "replace")
            body = error_body(_REFUSED_CODES.get(refused.status_code, "forbidden"), reason)
            headers = {"X-Request-ID": request_id} if request_id else None
            response = JSONResponse(body, status_code=refused.status_code, headers=headers)
            await response(scope, receive, send)
            return
        header = Headers(scope=scope).get("authorization", "")
        scheme, _, token = header.partition(" ")
        try:
            check_api_key(settings, token.strip() if scheme.lower() == "bearer" else None)
        except ArticleQAError as exc:
            await error_response(exc, request_id)(scope, receive, send)
            return
        await self.app(scope, receive, send)


_REFUSED_CODES = {421: "misdirected_request", 403: "forbidden", 400: "bad_request"}


def mcp_http_endpoint(settings: Settings) -> tuple[MCPServer, ASGIApp]:
    """The server and the ASGI endpoint to route at ``/mcp``. The caller runs
    ``server.session_manager.run()`` in its lifespan."""
    server = build_mcp_server(http_env)
    security = transport_security(settings)
    # Stateless: each POST is answered on its own, so any replica can take any request
    # and nothing is kept per client; JSON responses, since no tool streams.
    server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        transport_security=security,
        max_request_body_size=settings.max_body_bytes,
    )
    guard = McpGuard(StreamableHTTPASGIApp(server.session_manager), security)
    return server, guard


# -- stdio --------------------------------------------------------------------------------


def run_stdio(settings: Settings, holder: IndexHolder) -> None:
    """Serve the tools over stdin/stdout until the client closes them."""
    env = ToolEnv(settings, holder)
    build_mcp_server(lambda ctx: env).run("stdio")
