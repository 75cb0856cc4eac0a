"""Service-to-service bearer tokens.

Each caller has its own token. The callee maps token → caller name with a
constant-time comparison against every configured token, so a timing probe
learns nothing about which caller, or which prefix, matched.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from fastapi import Request
from pydantic import SecretStr

from shared.context import caller_var
from shared.errors import Unauthorized


class InvalidServiceToken(Unauthorized):
    code = "auth.invalid_service_token"
    message = "서비스 토큰이 없거나 올바르지 않습니다."


def token_sha256(token: str) -> str:
    """SHA-256 of a token or secret, lowercase hex: how a refused access token is named
    between services (contracts.md, "Tokens"), and how a ticket, state or session cookie is
    stored (the database never holds the secret itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


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
