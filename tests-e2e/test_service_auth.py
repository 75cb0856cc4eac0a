"""Every non-public route of every running service refuses a missing, wrong or misplaced token.

The routes come from each service's own OpenAPI document, so a route added later is covered
without editing this file; a route that is reachable without a token must be on the public
list below (health, docs, the web chat, Slack, the browser pages), or the test fails.
"""

from __future__ import annotations

import re

import httpx
import pytest
from harness import System

PUBLIC = re.compile(
    r"^/(healthz|readyz|metrics|openapi\.json|docs|redoc|$)"
    r"|^/api/chat/|^/slack/|^/connect(/|$)|^/account/|^/oauth/|^/static/"
    r"|^/google/notifications$"  # Google's push: checked by channel id and token, not ours
)
CALLEE_PREFIXES = {"auth-server": "/internal", "skill-calendar": "/v1", "router": "/internal"}


def _operations(system: System, service: str) -> list[tuple[str, str]]:
    spec = httpx.get(system.url(service) + "/openapi.json", timeout=10).json()
    found = []
    for path, methods in spec["paths"].items():
        for method in methods:
            if method in {"get", "post", "put", "patch", "delete"}:
                found.append((method.upper(), path))
    return found


def _wrong_tokens(system: System, service: str) -> dict[str, dict[str, str]]:
    """No token, a made-up one, a malformed header, and real tokens meant for other services."""
    allowed = {
        "auth-server": {system.keys.router_to_auth, system.keys.calendar_to_auth},
        "skill-calendar": {system.keys.router_to_calendar},
        # skill-calendar reports calendar changes: a real caller, refused per route (403)
        "router": {system.keys.auth_to_router, system.keys.calendar_to_router},
    }[service]
    cases: dict[str, dict[str, str]] = {
        "missing": {},
        "made-up": {"Authorization": "Bearer not-a-real-token"},
        "not-bearer": {"Authorization": f"Basic {next(iter(allowed))}"},
        "empty-bearer": {"Authorization": "Bearer"},
    }
    for name, value in system.secrets().items():
        if value not in allowed:
            cases[f"other:{name}"] = {"Authorization": f"Bearer {value}"}
    return cases


@pytest.mark.parametrize("service", ["auth-server", "skill-calendar", "router"])
def test_internal_routes_refuse_bad_tokens(system: System, service: str) -> None:
    operations = _operations(system, service)
    protected = [(m, p) for m, p in operations if not PUBLIC.search(p)]
    unexpected = [p for _m, p in protected if not p.startswith(CALLEE_PREFIXES[service])]
    assert not unexpected, f"routes neither public nor internal: {unexpected}"
    refused = 0
    with httpx.Client(base_url=system.url(service), timeout=10) as http:
        for method, path in protected:
            concrete = re.sub(r"\{[^}]+\}", "e2e-probe", path)
            for label, headers in _wrong_tokens(system, service).items():
                response = http.request(method, concrete, headers=headers, json={})
                assert response.status_code == 401, (label, method, path, response.text[:200])
                body = response.json()
                assert body["error"]["code"] == "auth.invalid_service_token"
                assert response.headers.get("www-authenticate", "").lower().startswith("bearer")
                refused += 1
    # A service with internal routes must have had them all probed.
    assert refused == len(protected) * len(_wrong_tokens(system, service))


def test_valid_token_is_accepted_where_refusal_was_checked(system: System) -> None:
    """The refusals above are not a blanket 401: the right caller gets past the check."""
    with httpx.Client(base_url=system.url("auth-server"), timeout=10) as http:
        response = http.post(
            "/internal/identities/resolve",
            json={"channel": "web", "external_id": "e2e-token-check"},
            headers=system.headers("router", "auth-server"),
        )
    assert response.status_code == 200, response.text


def test_each_caller_reaches_only_its_own_routes(system: System) -> None:
    """The router (internet-facing) cannot mint Google tokens; skill-calendar cannot link
    identities or make links (auth-server's per-route callers, issue 22 item 3)."""
    base = system.url("auth-server")
    cases = [
        ("router", "POST", "/internal/tokens", {"user_id": "u", "capability": "calendar"}),
        ("skill-calendar", "POST", "/internal/connect-links", {"user_id": "u"}),
        ("skill-calendar", "POST", "/internal/account-links", {"user_id": "u"}),
        ("skill-calendar", "POST", "/internal/identities/link", {}),
        ("skill-calendar", "POST", "/internal/identities/resolve", {}),
    ]
    with httpx.Client(base_url=base, timeout=10) as http:
        for caller, method, path, body in cases:
            headers = system.headers(caller, "auth-server")
            response = http.request(method, path, headers=headers, json=body)
            assert response.status_code == 403, (caller, path, response.text[:200])
            assert response.json()["error"]["code"] == "auth.caller_forbidden"
