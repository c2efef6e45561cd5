"""``GET``/``DELETE /v1/articles/{id}`` and ``POST /v1/articles``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response

from index.errors import RecordError
from index.models import Article
from index.readers import article_from_record
from service.deps import Admin, Ctx, Writer
from service.errors import InvalidRequestError
from service.limits import check_batch
from service.routes.responses import errors
from service.schemas import ArticleIn, ArticleOut, DeleteResponse, UpsertRequest, UpsertResponse
from service.syndication import article_group

router = APIRouter(prefix="/v1", tags=["articles"])
ArticleId = Annotated[str, Path(description="Article id (may contain '/').")]


def parse_articles(items: list[ArticleIn]) -> list[Article]:
    """Canonical articles, or one 422 listing every bad record of the batch."""
    articles: list[Article] = []
    problems: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        record = item.model_dump(exclude_unset=True)
        if _has_surrogate(record):
            problems.append(
                {"index": i, "id": record.get("id"), "message": "text with unpaired surrogates"}
            )
            continue
        try:
            articles.append(article_from_record(record, path="articles", line=i))
        except RecordError as exc:
            problems.append({"index": i, "id": record.get("id"), "message": exc.reason})
    seen: dict[str, int] = {}
    for i, article in enumerate(articles):
        if article.id in seen:
            problems.append({"index": i, "id": article.id, "message": "duplicate id in batch"})
        seen[article.id] = i
    if problems:
        first = problems[0]
        raise InvalidRequestError(
            f"articles[{first['index']}]: {first['message']}", details={"errors": problems}
        )
    return articles


def _has_surrogate(value: Any) -> bool:
    """Unpaired surrogates (JSON escapes such as \\ud800) cannot be encoded as UTF-8."""
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(v) for v in value)
    return False


@router.get(
    "/articles/{article_id:path}",
    response_model=ArticleOut,
    responses=errors(404, 503),
    summary="An article with its canonical text",
)
def get_article(article_id: ArticleId, ctx: Ctx, response: Response) -> dict[str, Any]:
    """Every citation can be checked here: `text[char_start:char_end]` is the quote."""
    served = ctx.holder.require()
    response.headers["X-Index-Version"] = served.version
    return {
        **served.index.article(article_id).to_dict(),
        "group": article_group(served.index, article_id),
    }


@router.post(
    "/articles",
    response_model=UpsertResponse,
    dependencies=[Writer, Admin],
    responses=errors(400, 401, 403, 409, 413, 422, 503),
    summary="Add or replace articles (admin)",
)
def upsert_articles(body: UpsertRequest, ctx: Ctx) -> dict[str, Any]:
    """Articles take effect for queries when this returns; only new or changed text is
    embedded. They are stored durably and kept by every later rebuild."""
    check_batch(len(body.articles), ctx.settings)
    return ctx.indexer.upsert(parse_articles(body.articles))


@router.delete(
    "/articles/{article_id:path}",
    response_model=DeleteResponse,
    dependencies=[Writer, Admin],
    responses=errors(401, 403, 404, 409, 503),
    summary="Delete an article (admin)",
)
def delete_article(article_id: ArticleId, ctx: Ctx) -> dict[str, Any]:
    """The deletion takes effect for queries when this returns, and later rebuilds
    leave the article out even if a source still has it."""
    return ctx.indexer.delete(article_id)
