"""Who may call which internal route: the one place the auth-server's callers are authorised.

The router (internet-facing) resolves identities, reads grant state and makes connect and
account links; it never sees a Google token. skill-calendar only gets access tokens; the
connect link a re-auth answer needs is made by the router. A route missing here admits nobody,
and ``tests/test_access.py`` fails until it is declared.
"""

from __future__ import annotations

from shared.auth import CallerPolicy

ROUTER = "router"
SKILL_CALENDAR = "skill-calendar"

INTERNAL_CALLERS: CallerPolicy = {
    ("POST", "/internal/users"): frozenset({ROUTER}),
    ("GET", "/internal/users/{user_id}"): frozenset({ROUTER}),
    ("POST", "/internal/identities/resolve"): frozenset({ROUTER}),
    ("POST", "/internal/identities/link"): frozenset({ROUTER}),
    ("GET", "/internal/users/{user_id}/grants/{capability}"): frozenset({ROUTER}),
    ("POST", "/internal/connect-links"): frozenset({ROUTER}),
    ("POST", "/internal/connect-links/confirm"): frozenset({ROUTER}),
    ("POST", "/internal/account-links"): frozenset({ROUTER}),
    ("POST", "/internal/tokens"): frozenset({SKILL_CALENDAR}),
}
