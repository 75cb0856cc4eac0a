"""Schemathesis checks and hooks of this project, loaded by its CLI through SCHEMATHESIS_HOOKS,
and :func:`run_cli`, which runs that CLI against one service of a running system.

``no_unexpected_server_error``: schemathesis' not_a_server_error, except for the contract's
transient answer: a 503 that says when to come back (``Retry-After``; docs/contracts.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import strategies as st


@schemathesis.check
def no_unexpected_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """No 5xx except a 503 with Retry-After (an upstream or the database busy for a moment)."""
    status = response.status_code
    if status < 500:
        return None
    if status == 503 and response.headers.get("retry-after"):
        return None
    raise AssertionError(f"{status} from {case.method} {case.path}: {response.text[:300]}")


# Edge values the generators rarely reach on their own: ids just past BIGINT (the database's
# integer), a 300-character string (past any name the services store), a lone surrogate
# (valid JSON, no UTF-8 form). Each generated request may carry them in place of its own
# integers and strings, so the CI-sized run finds this class of 500 every time.
EDGE_INTEGERS = (2**63, 2**63 - 1, 2**64, -(2**63) - 1, -1, 0)
EDGE_STRINGS = ("A" * 300, "\ud800")


def _edged(value: Any, *, text: bool, surrogates: bool) -> st.SearchStrategy[Any]:
    if isinstance(value, bool) or value is None:
        return st.just(value)
    if isinstance(value, int):
        return st.sampled_from(EDGE_INTEGERS)
    if isinstance(value, str) and text:
        strings = EDGE_STRINGS if surrogates else EDGE_STRINGS[:1]
        return st.sampled_from(strings)
    return st.just(value)


def _maybe_edged(value: Any, *, text: bool, surrogates: bool) -> st.SearchStrategy[Any]:
    if not isinstance(value, dict) or not value:
        return st.just(value)
    edged = st.fixed_dictionaries(
        {key: _edged(item, text=text, surrogates=surrogates) for key, item in value.items()}
    )
    return st.one_of(st.just(value), edged)


def _json_body(ctx: Any) -> bool:
    operation = getattr(ctx, "operation", None)
    bodies = getattr(operation, "body", None) or []
    return any("json" in str(getattr(body, "media_type", "")) for body in bodies)


@schemathesis.hook
def flatmap_path_parameters(ctx: Any, path_parameters: Any) -> st.SearchStrategy[Any]:
    return _maybe_edged(path_parameters, text=False, surrogates=False)


@schemathesis.hook
def flatmap_query(ctx: Any, query: Any) -> st.SearchStrategy[Any]:
    return _maybe_edged(query, text=True, surrogates=False)


@schemathesis.hook
def flatmap_body(ctx: Any, body: Any) -> st.SearchStrategy[Any]:
    json_body = _json_body(ctx)
    return _maybe_edged(body, text=json_body, surrogates=json_body)


HERE = Path(__file__).resolve().parent
# Which caller each service's internal routes are called by (docs/contracts.md).
CALLERS = {"auth-server": "router", "skill-calendar": "router", "router": "auth-server"}
# Server-sent events never end; a request to them would hang the generator.
ENDLESS = r"/stream$"


def run_cli(
    system: Any, service: str, *options: str, cwd: Path | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """``st run`` against ``service`` of ``system`` with its caller's token and these hooks."""
    authorization = system.headers(CALLERS[service], service)["Authorization"]
    command = [
        str(Path(sys.executable).parent / "st"),
        "run",
        system.url(service) + "/openapi.json",
        "--header",
        f"Authorization: {authorization}",
        "--exclude-path-regex",
        ENDLESS,
        "--request-timeout",
        "30",
        "--no-color",
        *options,
    ]
    env = os.environ | {
        "SCHEMATHESIS_HOOKS": "schemathesis_checks",
        "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        command, capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout, check=False
    )
