"""``POST /v1/chat``: a conversation in, the answer to its last question out."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from service.conversation import answer_conversation
from service.deps import AskGuards, Ctx
from service.routes.ask import to_filters
from service.routes.responses import errors
from service.schemas import ChatAnswerOut, ChatRequest

router = APIRouter(prefix="/v1", tags=["questions"])


@router.post(
    "/chat",
    response_model=ChatAnswerOut,
    dependencies=AskGuards,
    responses=errors(400, 401, 403, 413, 422, 429, 503),
    summary="Answer the last question of a conversation",
)
def chat(body: ChatRequest, ctx: Ctx, request: Request, response: Response) -> dict[str, Any]:
    """Stateless: send the whole conversation each time, with earlier answers exactly as
    this service gave them. A follow-up ("그럼 LG전자는?", "Who came second?") is completed
    from the earlier turns; `resolved_question` is the text that was searched. Limits,
    the API key and the rate limit are those of `POST /v1/ask`."""
    reply = answer_conversation(
        ctx,
        [(m.role, m.content) for m in body.messages],
        top_k=body.top_k,
        filters=to_filters(body.filters),
        as_of=body.as_of,
        request=request,
        response=response,
    )
    return reply.to_dict()
