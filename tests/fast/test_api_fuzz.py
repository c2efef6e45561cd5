"""Schemathesis against the app's own OpenAPI schema, every operation, in process (the
fake embedder over part of data/sample; the admin token is sent so admin operations get
past authentication). Bounded: a fixed number of examples per operation (the Hypothesis
profile in tests/conftest.py), derandomized, and a read timeout on every request, so a
hanging request fails instead of blocking.

Checks: no 5xx; every error in the one error shape; responses conform to what the schema
documents (status codes, content types, bodies)."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from index.models import Article
from service.app import create_app
from service.settings import get_settings
from tests.fakes import fake_components, fake_settings
from tests.fast.conftest import FAST_ADMIN_TOKEN, FAST_APP_SETTINGS

READ_TIMEOUT_S = 20  # a bound on each request, not a performance check
ADMIN = {"Authorization": f"Bearer {FAST_ADMIN_TOKEN}"}


@pytest.fixture(scope="session")
def fuzz_app(kiwi, sample_articles: list[Article], tmp_path_factory: pytest.TempPathFactory):
    folder: Path = tmp_path_factory.mktemp("fuzz-app")
    settings_ = fake_settings(folder, **FAST_APP_SETTINGS)
    comps = fake_components(settings_, kiwi=kiwi)
    comps.build(sample_articles[:6], settings_.index_dir)
    return create_app(settings_, comps)


@pytest.fixture(scope="session")
def api_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


def _operations() -> list[tuple[str, str]]:
    # The schema of an app that is not started: building it loads nothing.
    spec = create_app(get_settings(_env_file=None)).openapi()
    return [(method.upper(), path) for path, item in spec["paths"].items() for method in item]


OPERATIONS = _operations()


def error_shape(ctx, response, case) -> None:
    """Every error, whatever the route, is {"error": {"code", "message", "details"}}."""
    if response.status_code < 400:
        return None
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["details"], dict)
    return None


CHECKS = [
    not_a_server_error,
    error_shape,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _strategy(operation):
    """Valid requests and, where the operation takes input, requests that break the
    schema (wrong types, missing fields, out-of-range values)."""
    strategies = [operation.as_strategy(GenerationMode.POSITIVE)]
    with contextlib.suppress(Exception):  # nothing to break: no parameters, no body
        strategies.append(operation.as_strategy(GenerationMode.NEGATIVE))
    return st.one_of(strategies)


# schemathesis' own pytest integration (from_fixture) does not run on pytest 9, so each
# operation's strategy is run with Hypothesis directly.
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_holds_up(api_schema, method: str, path: str) -> None:
    operation = api_schema[path][method]

    @settings(suppress_health_check=list(HealthCheck))  # bounds: the profile, conftest.py
    @given(case=_strategy(operation))
    def run(case) -> None:
        response = case.call(headers=ADMIN, timeout=READ_TIMEOUT_S)
        case.validate_response(response, checks=CHECKS)

    run()
