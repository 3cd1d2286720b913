"""Schema fuzzing: schemathesis calls every operation of our own OpenAPI document as each role.

No answer may be a 5xx, and every answer must match what the document says: a documented status
code, content type and body schema. A valid call goes to every role (each sees its own scope); an
invalid one (three quarters of the cases: each boundary and type broken in turn) to the roles in
order until one may call the operation: its input is refused before any role's data is read, so
the others would hear the same 403 and 422 again.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ["admin", "mgr-north", "sup-n1", "rep-n1a"]

# The operations are collected from the document of an app that never touches a database; each
# test then sends its calls to the suite's app (and database).
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json", create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "spec"})
).exclude(path="/api/auth/logout")  # logging out would revoke the token the run uses


@pytest.fixture
def callers(app, org, tokens):
    return [tokens.headers(role) for role in ROLES]


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_operation_as_every_role(case, app, callers):
    invalid = case.meta.generation.mode is GenerationMode.NEGATIVE
    for headers in callers:
        answer = case.call_and_validate(headers=headers, checks=CHECKS, app=app)
        if invalid and answer.status_code != 403:
            return
