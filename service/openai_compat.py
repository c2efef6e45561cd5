"""The OpenAI Chat Completions format: request bodies, and the answer written as a
completion (one JSON object) or as Server-Sent Events chunks.

The content holds the quoted sentences with their ``[n]`` markers and a list of sources
(``[1] Title (2025-10-31) URL``); when the service abstains it says so plainly, in Korean
when the question is Korean. The structured answer travels alongside: ``citations`` (one
per marker) and ``article_qa`` (the answer object of ``POST /v1/chat``), on the response
or on the last chunk of a stream.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from index.text import is_korean
from qa.chat import ChatReply
from qa.types import Answer
from service.errors import InvalidRequestError, ModelNotFoundError
from service.schemas import SAMSUNG_QUESTION, ChatAnswerOut, Citation

MODEL = "article-qa"
MODEL_CREATED = 1_761_868_800  # 2025-10-31, a fixed "created" for the model listing
_IGNORED_ROLES = {"tool", "function"}  # no tools here: their messages carry no question
_SYSTEM_ROLES = {"system", "developer"}

ABSTAIN = {
    "en": "I could not find this in the articles.",
    "ko": "기사에서 이 질문의 답을 찾지 못했습니다.",
}
SOURCES = {"en": "Sources:", "ko": "출처:"}


class OpenAIMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str
    content: str | list[dict[str, Any]] | None = None


class ChatCompletionRequest(BaseModel):
    """Unknown OpenAI parameters (temperature, max_tokens, tools, ...) are accepted and
    ignored; ``top_k`` is this service's extension."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": MODEL,
                    "messages": [{"role": "user", "content": SAMSUNG_QUESTION}],
                    "stream": False,
                }
            ]
        },
    )

    model: str = Field(description="Must be `article-qa` (404 `model_not_found` otherwise).")
    messages: list[OpenAIMessage] = Field(min_length=1)
    stream: bool | None = False
    stream_options: dict[str, Any] | None = None
    top_k: int | None = Field(None, description="Extension: passages kept as context.")


def check_model(model: str) -> None:
    if model != MODEL:
        raise ModelNotFoundError(
            f"the model {model!r} does not exist; this service has one model, {MODEL!r}",
            details={"model": model, "available": [MODEL]},
        )


def conversation(messages: list[OpenAIMessage]) -> list[tuple[str, str]]:
    """``(role, content)`` pairs for the chat: system and developer messages become
    ``system`` (ignored), tool messages are dropped, text parts of a content list are
    joined."""
    out: list[tuple[str, str]] = []
    for i, message in enumerate(messages):
        role = message.role
        if role in _IGNORED_ROLES:
            continue
        if role in _SYSTEM_ROLES:
            role = "system"
        elif role not in ("user", "assistant"):
            raise InvalidRequestError(
                f"messages[{i}].role: unknown role {role!r}",
                details={"field": f"messages[{i}].role"},
            )
        text = _text(message.content)
        if role == "assistant":
            text = without_sources(text)
        out.append((role, text))
    return out


def without_sources(content: str) -> str:
    """An earlier answer as the chat reads it: the quotes with their markers, without the
    sources list this module appended (clients send the content back as they got it)."""
    for heading in SOURCES.values():
        content = content.split(f"\n\n{heading}\n", 1)[0]
    return content


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if content is None or isinstance(content, str):
        return content or ""
    return "\n".join(str(p.get("text", "")) for p in content if p.get("type") == "text")


def language(question: str) -> Literal["en", "ko"]:
    return "ko" if is_korean(question) else "en"


def citations(answer: Answer) -> list[dict[str, Any]]:
    """One entry per ``[n]`` marker: the quoted text and its citation."""
    return [
        {"index": i, "text": q.text, **asdict(q.citation)}
        for i, q in enumerate(answer.quotes, start=1)
    ]


def source_lines(answer: Answer, lang: str) -> str:
    """``\n\nSources:\n[1][2] Title (2025-10-31) URL``: one line per article, with the
    markers of its quotes."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for c in citations(answer):
        by_article.setdefault(c["article_id"], []).append(c)
    lines = []
    for cited in by_article.values():
        c = cited[0]
        marks = "".join(f"[{x['index']}]" for x in cited)
        date = f" ({c['published'][:10]})" if c.get("published") else ""
        url = f" {c['url']}" if c.get("url") else ""
        lines.append(f"{marks} {c['title']}{date}{url}")
    return f"\n\n{SOURCES[lang]}\n" + "\n".join(lines) if lines else ""


def content_parts(answer: Answer, question: str) -> list[str]:
    """The content in the pieces a stream sends: each quote with its marker, then the
    sources; or the abstention sentence."""
    lang = language(question)
    if not answer.answered or not answer.quotes:
        return [ABSTAIN[lang]]
    quotes = [f"{'' if i == 1 else ' '}{q.text} [{i}]" for i, q in enumerate(answer.quotes, 1)]
    return [*quotes, source_lines(answer, lang)]


def _usage(prompt: str, completion: str) -> dict[str, int]:
    """Rough counts (whitespace words): there is no tokenizer behind this model."""
    p, c = len(prompt.split()), len(completion.split())
    return {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}


def _extras(reply: ChatReply) -> dict[str, Any]:
    """The typed answer travels beside the text: ``article_qa`` is exactly the
    ``POST /v1/chat`` answer object (:meth:`ChatReply.to_dict`)."""
    return {"citations": citations(reply.answer), "article_qa": reply.to_dict()}


def completion(reply: ChatReply, question: str, prompt: str) -> dict[str, Any]:
    content = "".join(content_parts(reply.answer, question))
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(prompt, content),
        **_extras(reply),
    }


def stream(
    reply: ChatReply, question: str, prompt: str, *, include_usage: bool = False
) -> Iterator[str]:
    """Server-Sent Events: a role chunk, one chunk per content piece, a last chunk with
    ``finish_reason: "stop"`` and the citations, an optional usage chunk, ``[DONE]``."""
    base = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": MODEL,
    }

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        body = {**base, "choices": [choice], **extra}
        return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    parts = content_parts(reply.answer, question)
    for part in parts:
        yield chunk({"content": part})
    yield chunk({}, "stop", **_extras(reply))
    if include_usage:
        usage = {**base, "choices": [], "usage": _usage(prompt, "".join(parts))}
        yield f"data: {json.dumps(usage, ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


def model_card() -> dict[str, Any]:
    return {"id": MODEL, "object": "model", "created": MODEL_CREATED, "owned_by": "article-qa"}


# The completion's shape, for the OpenAPI schema (the route may stream instead, so the
# body is built as a dict above); `article_qa` is the chat answer model itself.
CompletionCitation = create_model(
    "CompletionCitation",
    __base__=Citation,
    index=(int, Field(description="The `[n]` marker this citation belongs to.")),
    text=(str, Field(description="The quoted text.")),
)


class CompletionMessage(BaseModel):
    role: Literal["assistant"]
    content: str


class CompletionChoice(BaseModel):
    index: int
    message: CompletionMessage
    logprobs: None
    finish_reason: Literal["stop"]


class CompletionUsage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletionOut(BaseModel):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: list[CompletionChoice]
    usage: CompletionUsage
    citations: list[CompletionCitation]  # type: ignore[valid-type]
    article_qa: ChatAnswerOut  # type: ignore[valid-type]
