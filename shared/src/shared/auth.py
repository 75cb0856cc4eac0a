"""Service-to-service bearer tokens.

Each caller has its own token. The callee maps token → caller name with a
constant-time comparison against every configured token, so a timing probe
learns nothing about which caller, or which prefix, matched.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated

from fastapi import Depends, Request
from pydantic import SecretStr
from starlette.routing import compile_path

from shared.context import caller_var
from shared.errors import Forbidden, Unauthorized

# (HTTP method, route path template) → the callers allowed to use it.
CallerPolicy = Mapping[tuple[str, str], frozenset[str]]


class InvalidServiceToken(Unauthorized):
    code = "auth.invalid_service_token"
    message = "서비스 토큰이 없거나 올바르지 않습니다."


def token_sha256(token: str) -> str:
    """SHA-256 of a token or secret, lowercase hex: how a refused access token is named
    between services (contracts.md, "Tokens"), and how a ticket, state or session cookie is
    stored (the database never holds the secret itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


class CallerForbidden(Forbidden):
    code = "auth.caller_forbidden"
    message = "이 서비스는 이 요청을 할 수 없습니다."


def identify_caller(token: str, tokens: Mapping[str, SecretStr]) -> str | None:
    """Returns the caller whose token equals ``token``, comparing in constant time."""
    found = None
    presented = token.encode()
    for caller, expected in tokens.items():
        if hmac.compare_digest(presented, expected.get_secret_value().encode()):
            found = caller
    return found


def bearer_token(request: Request) -> str | None:
    """Extracts the bearer token from the Authorization header."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def require_service(request: Request) -> str:
    """Dependency for internal routers: the request must carry a known caller's token."""
    token = bearer_token(request)
    tokens: Mapping[str, SecretStr] = request.app.state.service_tokens
    caller = identify_caller(token, tokens) if token else None
    if caller is None:
        raise InvalidServiceToken(headers={"WWW-Authenticate": "Bearer"})
    caller_var.set(caller)
    request.state.caller = caller
    return caller


def authorize_callers(policy: CallerPolicy) -> Callable[..., Awaitable[str]]:
    """Dependency for internal routers: a known caller, and one ``policy`` allows on this route.

    The policy names routes by their path templates (``/internal/users/{user_id}``), matched
    against the request's path as Starlette matches routes; a route it does not name admits
    nobody.
    """
    compiled = [
        (method, compile_path(template)[0], callers)
        for (method, template), callers in policy.items()
    ]

    async def require_allowed_caller(
        request: Request, caller: Annotated[str, Depends(require_service)]
    ) -> str:
        path = request.url.path
        allowed = next(
            (
                callers
                for method, pattern, callers in compiled
                if method == request.method and pattern.match(path)
            ),
            frozenset(),
        )
        if caller not in allowed:
            raise CallerForbidden(details={"caller": caller})
        return caller

    return require_allowed_caller
