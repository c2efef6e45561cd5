"""OpenAI-compatible ``POST /v1/chat/completions``, ``GET /v1/models`` and
``GET /v1/models/{model}`` (one model, ``article-qa``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse

from service import openai_compat as oa
from service.conversation import answer_conversation
from service.deps import AskGuards, Ctx
from service.routes.responses import errors

router = APIRouter(prefix="/v1", tags=["openai"])


@router.post(
    "/chat/completions",
    dependencies=AskGuards,
    responses={
        200: {
            "model": oa.ChatCompletionOut,
            "description": "A `chat.completion`, or with `stream: true` Server-Sent Events of "
            "`chat.completion.chunk`s ending with `data: [DONE]`.",
            "content": {"text/event-stream": {}},
        },
        **errors(400, 401, 403, 404, 413, 422, 429, 503),
    },
    summary="OpenAI Chat Completions (model article-qa)",
)
def chat_completions(
    body: oa.ChatCompletionRequest, ctx: Ctx, request: Request, response: Response
) -> Any:
    """The answer of `POST /v1/chat` in the Chat Completions format: `content` holds the
    quoted sentences with `[n]` markers and a list of sources; `citations` and
    `article_qa` (the answer object) are extra fields of the response, or of the last
    chunk of a stream. Other OpenAI parameters are accepted and ignored. Errors keep this
    service's shape (`{"error": {"code", "message", "details"}}`), which OpenAI clients
    read as an API error with its message; an unknown model is a 404 `model_not_found`."""
    oa.check_model(body.model)
    messages = oa.conversation(body.messages)
    reply = answer_conversation(
        ctx, messages, top_k=body.top_k, filters=None, request=request, response=response
    )
    question = messages[-1][1]
    prompt = "\n".join(content for _, content in messages)
    if not body.stream:
        return oa.completion(reply, question, prompt)
    include_usage = bool((body.stream_options or {}).get("include_usage"))
    return StreamingResponse(
        oa.stream(reply, question, prompt, include_usage=include_usage),
        media_type="text/event-stream",
        headers={
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
            "X-Index-Version": request.state.index_version,
        },
    )


@router.get("/models", summary="The models (OpenAI format): only article-qa")
def list_models() -> dict[str, Any]:
    return {"object": "list", "data": [oa.model_card()]}


@router.get("/models/{model}", responses=errors(404), summary="One model (OpenAI format)")
def get_model(model: str) -> dict[str, Any]:
    oa.check_model(model)
    return oa.model_card()
