"""``/healthz``, ``/readyz`` and ``/metrics``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from service.deps import Ctx
from service.metrics import CONTENT_TYPE
from service.routes.responses import errors
from service.schemas import Health, Ready

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> dict[str, Any]:
    return {"status": "ok"}


@router.get(
    "/readyz", response_model=Ready, responses=errors(503), summary="An index is loaded and answers"
)
def readyz(ctx: Ctx) -> dict[str, Any]:
    """Ready once an index is served. Every index is served only after a probe query
    has been answered on it (at start and after each build). ``details`` has the role; a
    reader adds what it follows and the last version it refused (it keeps serving the
    one before)."""
    served = ctx.holder.require()
    return {"status": "ready", "version": served.version, "details": ctx.indexer.readiness()}


@router.get(
    "/metrics",
    response_class=Response,
    summary="Prometheus metrics",
    responses={200: {"content": {CONTENT_TYPE: {}}, "description": "Prometheus text format"}},
)
def metrics(ctx: Ctx) -> Response:
    return Response(ctx.metrics.render(), media_type=CONTENT_TYPE)
