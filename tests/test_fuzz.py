"""Fuzzing the JSON API from its own OpenAPI document with schemathesis: every operation,
anonymously and with an admin's API token, on the demo registry. Any 5xx, any undocumented
status code or content type, and any body that breaks its documented schema fails the test."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from registry.api.openapi import document
from registry.services.secrets import create_token
from registry.services.users import create_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 25  # per operation and mode; the suite runs twice in CI (SQLite, PostgreSQL)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@pytest.fixture
def demo_app(demo, app):
    """The demo registry, with the public rate limit out of the fuzzer's way."""
    app.config["PUBLIC_RATE_LIMIT"] = "1000000 per minute"
    return app


@pytest.fixture
def admin_token(session) -> str:
    admin = create_user(session, "test", "fuzz-admin@example.org", "a long fuzz password", "admin")
    _token, secret = create_token(session, "test", admin, "fuzzer")
    session.commit()
    return secret


# The document the app serves at /openapi.json (checked equal below). Loaded from the dict
# rather than through a pytest fixture: schemathesis's lazy fixture loader does not work with
# pytest 9.2 (it renames test nodes through an attribute pytest no longer has).
schema = schemathesis.openapi.from_dict(document())


def test_the_fuzzed_document_is_the_one_served(client):
    assert client.get("/openapi.json").get_json() == document()


@schema.parametrize()
@pytest.mark.parametrize("caller", ["anonymous", "token"])
@FUZZ
def test_callers_never_break_the_api(case, demo_app, request, caller):
    """Every operation, anonymously and with an admin's API token. (Parametrized over the
    caller, each test's id names its operation too: under pytest 9.2 schemathesis's own ids
    were all the bare function name, so the progress counter stopped at 17 %.)"""
    headers = {}
    if caller == "token":
        headers["Authorization"] = f"Bearer {request.getfixturevalue('admin_token')}"
    case.call_and_validate(app=demo_app, checks=CHECKS, headers=headers)
