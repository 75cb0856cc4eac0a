"""Schemathesis checks of this project, loaded by its CLI through SCHEMATHESIS_HOOKS.

``no_unexpected_server_error``: schemathesis' not_a_server_error, except for the contract's
transient answer: a 503 that says when to come back (``Retry-After``; docs/contracts.md).
"""

from __future__ import annotations

from typing import Any

import schemathesis


@schemathesis.check
def no_unexpected_server_error(ctx: Any, response: Any, case: Any) -> bool | None:
    """No 5xx except a 503 with Retry-After (an upstream or the database busy for a moment)."""
    status = response.status_code
    if status < 500:
        return None
    if status == 503 and response.headers.get("retry-after"):
        return None
    raise AssertionError(f"{status} from {case.method} {case.path}: {response.text[:300]}")
