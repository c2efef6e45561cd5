"""One chat turn, shared by ``POST /v1/chat`` and ``POST /v1/chat/completions``: check
the conversation, answer its last question on one served index, and record it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from fastapi import Request, Response

from qa.chat import Chat, ChatMessage, ChatReply
from qa.retrieval import Filters
from service.deps import AppContext
from service.limits import check_messages, check_top_k


def answer_conversation(
    ctx: AppContext,
    messages: Sequence[tuple[str, str]],
    *,
    top_k: int | None,
    filters: Filters | None,
    request: Request,
    response: Response | None = None,
    as_of: date | None = None,
) -> ChatReply:
    """The reply to the last user message. ``messages`` are ``(role, content)`` pairs;
    everything is checked before any work is done. The index version answered from is
    set on ``response`` when given (a streaming route sets it itself)."""
    checked = check_messages(list(messages), ctx.settings)
    top_k = check_top_k(top_k, ctx.settings)
    served = ctx.holder.require()  # one index for the whole request, even across a swap
    reply = Chat(served.answerer, as_of=as_of).reply(
        [ChatMessage(role, content) for role, content in checked],  # type: ignore[arg-type]
        top_k=top_k,
        filters=filters,
    )
    ctx.metrics.observe_answer(reply.answer.answered)
    request.state.log_fields = {
        "answered": reply.answer.answered,
        "index_version": served.version,
        "chat_mode": reply.mode,
        "messages": len(checked),
    }
    request.state.index_version = served.version
    if response is not None:
        response.headers["X-Index-Version"] = served.version
    return reply
