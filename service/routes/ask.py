"""``POST /v1/ask``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from qa.retrieval import Filters
from service.deps import AskGuards, Ctx
from service.limits import check_question, check_top_k
from service.routes.responses import errors
from service.schemas import AnswerOut, AskRequest, FiltersIn

router = APIRouter(prefix="/v1", tags=["questions"])


def to_filters(body: FiltersIn | None) -> Filters | None:
    if body is None:
        return None
    return Filters(
        source=body.source,
        published_from=body.published_from.isoformat() if body.published_from else None,
        published_to=body.published_to.isoformat() if body.published_to else None,
    )


@router.post(
    "/ask",
    response_model=AnswerOut,
    dependencies=AskGuards,
    responses=errors(400, 401, 403, 413, 422, 429, 503),
    summary="Answer a question with quotes from the articles",
)
async def ask(body: AskRequest, ctx: Ctx, request: Request, response: Response) -> dict[str, Any]:
    """The answer is made of sentences quoted verbatim, each with a citation whose
    `char_start`/`char_end` point into the article text (`GET /v1/articles/{id}`).
    When the evidence is too weak the service abstains: `answered` is false, `reason`
    says why, and the nearest passages are listed."""
    # The answer is computed in the thread pool, as a sync route would be; being async,
    # the route's response is then serialized on the event loop instead of in a second
    # thread-pool hand-off.
    question = check_question(body.question, ctx.settings)
    top_k = check_top_k(body.top_k, ctx.settings)
    served = ctx.holder.require()  # one index for the whole request, even across a swap
    answer = await run_in_threadpool(
        served.answerer.ask,
        question,
        top_k=top_k,
        filters=to_filters(body.filters),
        as_of=body.as_of,
    )
    ctx.metrics.observe_answer(answer.answered)
    request.state.log_fields = {"answered": answer.answered, "index_version": served.version}
    response.headers["X-Index-Version"] = served.version
    return answer.to_dict()
