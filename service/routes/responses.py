"""Error responses for the OpenAPI schema (all share one body, see service.errors)."""

from __future__ import annotations

from typing import Any

from service.schemas import ErrorOut


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Unparseable body (invalid JSON, not UTF-8)",
        401: "No bearer token given (admin token, or the API key when one is configured)",
        403: "Wrong token, or admin endpoints disabled",
        404: "Unknown article, job or model",
        409: "Conflicts with the state of the index (a write in progress, no sources)",
        413: "Over a configured limit (body size, question length, batch size)",
        422: "Invalid request (wrong types, empty question, out-of-range value)",
        429: "Rate limited; see Retry-After",
        503: "No index is being served",
    }
    return {s: {"model": ErrorOut, "description": text[s]} for s in statuses}
