"""Per-route, per-caller authorisation of the internal API (issue 22 item 3).

Every internal route must have declared callers; each caller reaches only its own routes.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts

from auth_server.access import INTERNAL_CALLERS
from auth_server.config import AuthSettings
from auth_server.main import create_app

pytestmark = pytest.mark.db

# The test settings' tokens (conftest.py): one per caller.
HEADERS = {
    "router": {"Authorization": "Bearer test-router-token"},
    "skill-calendar": {"Authorization": "Bearer test-calendar-token"},
}


def _internal_operations() -> list[tuple[str, str]]:
    app = create_app(AuthSettings(environment="test", router_url=""))
    found = []
    for route in iter_route_contexts(app.routes):
        if route.path and route.path.startswith("/internal"):
            found += [(method, route.path) for method in sorted(route.methods or ())]
    return found


def test_every_internal_route_declares_its_callers():
    operations = _internal_operations()
    assert operations, "no internal routes found"
    undeclared = [op for op in operations if op not in INTERNAL_CALLERS]
    assert not undeclared, f"internal routes with no declared callers: {undeclared}"
    stale = [op for op in INTERNAL_CALLERS if op not in operations]
    assert not stale, f"callers declared for routes that do not exist: {stale}"
    assert all(INTERNAL_CALLERS[op] <= set(HEADERS) for op in operations)


def test_the_router_may_not_mint_google_tokens_and_the_calendar_may_not_make_links():
    assert "router" not in INTERNAL_CALLERS[("POST", "/internal/tokens")]
    assert INTERNAL_CALLERS[("POST", "/internal/tokens")] == {"skill-calendar"}
    for op, callers in INTERNAL_CALLERS.items():
        if op != ("POST", "/internal/tokens"):
            assert "skill-calendar" not in callers, op


@pytest.mark.parametrize(("method", "path"), _internal_operations())
async def test_each_route_refuses_undeclared_callers_and_admits_declared_ones(client, method, path):
    concrete = re.sub(r"\{user_id\}", "nobody", path).replace("{capability}", "calendar")
    for caller, headers in HEADERS.items():
        response = await client.request(method, concrete, headers=headers, json={})
        if caller in INTERNAL_CALLERS[(method, path)]:
            # Past authorisation: the route itself answers (a 404 or 422 for the probe).
            assert response.status_code not in (401, 403), (caller, response.text)
        else:
            assert response.status_code == 403, (caller, method, path, response.text)
            error = response.json()["error"]
            assert error["code"] == "auth.caller_forbidden"
            assert error["details"] == {"caller": caller}
