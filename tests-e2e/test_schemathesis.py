"""Property-based checks of every service's OpenAPI schema against the running processes.

With the caller's valid service token, schemathesis' own engine (its CLI) runs every phase:
the schema's examples, coverage (boundary and out-of-range values: ids past BIGINT, very long
strings), fuzzing and stateful sequences that follow the links it infers between operations.
Checks: no 5xx but a 503 with Retry-After (schemathesis_checks.py), every documented answer
matches its schema and content type. Without a token: every internal route answers 401.

A CI-sized budget (seconds per service, fixed seed); ``tests-e2e/fuzz_long.py`` is the long
run by hand (docs/security.md has its numbers).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from harness import System
from hypothesis import HealthCheck, given, settings
from schemathesis_checks import ENDLESS, run_cli

CHECKS = "no_unexpected_server_error,response_schema_conformance,content_type_conformance"
SECONDS_PER_SERVICE = 20
EXAMPLES_PER_OPERATION = 30
SEED = 20261201
UNAUTHENTICATED = settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)


@pytest.mark.parametrize("service", ["auth-server", "skill-calendar", "router"])
def test_schema_holds(system: System, service: str, tmp_path: Path) -> None:
    """Every operation, every phase: no 5xx (but 503 + Retry-After), answers as documented."""
    result = run_cli(
        system,
        service,
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--max-time",
        str(SECONDS_PER_SERVICE),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]


@pytest.mark.parametrize("service", ["auth-server", "skill-calendar", "router"])
def test_internal_routes_need_a_token(system: System, service: str) -> None:
    """Without a token, every internal operation answers 401 (never runs, never 5xx)."""
    schema = schemathesis.openapi.from_url(system.url(service) + "/openapi.json")
    operations = [
        result.ok()
        for result in schema.exclude(path_regex=ENDLESS).get_all_operations()
        if result.ok().path.startswith(("/internal", "/v1"))
    ]
    assert operations, f"{service} documents no internal operation"
    for operation in operations:

        @given(case=operation.as_strategy())
        @UNAUTHENTICATED
        def run(case: schemathesis.Case) -> None:
            response = case.call(base_url=system.url(service), timeout=30)
            assert response.status_code == 401, (case.method, case.path, response.status_code)

        run()
