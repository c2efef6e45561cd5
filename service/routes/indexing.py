"""``GET /v1/index``, ``POST /v1/index/rebuild``, ``GET /v1/index/jobs/{id}``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from service.deps import Admin, Ctx, Writer
from service.routes.responses import errors
from service.schemas import IndexStatus, JobOut

router = APIRouter(prefix="/v1/index", tags=["index"])


@router.get("", response_model=IndexStatus, summary="What is being served")
def index_status(ctx: Ctx) -> dict[str, Any]:
    return ctx.indexer.status()


@router.post(
    "/rebuild",
    status_code=202,
    response_model=JobOut,
    dependencies=[Writer, Admin],
    responses=errors(401, 403, 409),
    summary="Start a full rebuild from the configured sources (admin)",
)
def rebuild(ctx: Ctx, response: Response) -> dict[str, Any]:
    """Reads the sources, applies the articles upserted and deleted through the API,
    builds and verifies a new version in the background and swaps it in. Queries go on
    meanwhile; a failed rebuild leaves the served index in place. If a rebuild is
    already waiting to start, that job is returned."""
    job = ctx.indexer.request_rebuild()
    response.headers["Location"] = f"/v1/index/jobs/{job.id}"
    return job.to_dict()


@router.get(
    "/jobs/{job_id}",
    response_model=JobOut,
    dependencies=[Writer, Admin],
    responses=errors(401, 403, 404, 409),
    summary="A rebuild job's status and progress (admin)",
)
def job_status(job_id: str, ctx: Ctx) -> dict[str, Any]:
    return ctx.indexer.jobs.get(job_id).to_dict()
