"""Property-based checks of every service's OpenAPI schema against the running processes.

With the caller's valid service token and without any: no 5xx, and every documented answer
matches the schema. Run sizes stay small (CI-friendly); the point is breadth over the routes.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from harness import System
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

# Which caller each service's internal routes are called by (docs/contracts.md).
CALLERS = {"auth-server": "router", "skill-calendar": "router", "router": "auth-server"}
# Server-sent events never end; a request to them would hang the generator.
ENDLESS = r"/stream$"
CHECKS = [response_schema_conformance, content_type_conformance]
SMALL = settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)


def _schema(system: System, service: str) -> schemathesis.BaseSchema:
    base = system.url(service)
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    return schema.exclude(path_regex=ENDLESS)


def _no_server_error(response: Any) -> None:
    """No 5xx, except the contract's transient 503 (an upstream away) with its Retry-After."""
    if response.status_code < 500:
        return
    # schemathesis' Response: lowercase header names, each with a list of values.
    content_type = " ".join(response.headers.get("content-type", []))
    body = response.json() if "json" in content_type else {}
    code = (body.get("error") or {}).get("code", "")
    transient = (
        response.status_code == 503
        and code.endswith("upstream_unavailable")
        and bool(response.headers.get("retry-after"))
    )
    assert transient, (response.status_code, response.text[:300])


def _call(case: schemathesis.Case, system: System, service: str, *, token: bool) -> None:
    headers = system.headers(CALLERS[service], service) if token else {}
    response = case.call(base_url=system.url(service), headers=headers, timeout=30)
    _no_server_error(response)
    case.validate_response(response, checks=CHECKS)
    if not token and case.path.startswith(("/internal", "/v1")):
        assert response.status_code == 401, (case.method, case.path, response.status_code)


@pytest.mark.parametrize("token", [True, False], ids=["with-token", "without-token"])
@pytest.mark.parametrize("service", ["auth-server", "skill-calendar", "router"])
def test_schema_holds(system: System, service: str, token: bool) -> None:
    """Every operation, a few generated cases each: no 5xx, answers as documented."""
    schema = _schema(system, service)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, f"{service} documents no operation"
    for operation in operations:

        @given(case=operation.as_strategy())
        @SMALL
        def run(case: schemathesis.Case) -> None:
            _call(case, system, service, token=token)

        run()
