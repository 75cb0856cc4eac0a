"""Test support for skill-calendar and its callers' tests: a double of the auth-server token API.

``AuthDouble`` answers the auth-server's token API (contracts.md, "Tokens").

It holds refresh tokens obtained from the Google emulator through its
/emulator/authorize flow and answers POST /internal/tokens, including 409
auth.reauth_required (refresh refused), force_refresh and refused_token_sha256
(like the auth-server, it holds the last token and refreshes at Google only when
that one is near expiry, forced without a fingerprint, or is the refused one) and
404 auth.user_not_found for a user it does not know. ``issued`` lists the access tokens it got from
Google by refreshing, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.auth import token_sha256
from shared.testing import ThreadServer
from shared.time import parse_aware

CLIENT_ID = "haru-dev-client.apps.googleusercontent.com"
CLIENT_SECRET = "haru-dev-secret"  # noqa: S105 (the emulator's development client)
REDIRECT_URI = "http://127.0.0.1:8001/oauth/google/callback"
SCOPES = [
    "openid",
    "email",
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.readonly",
]
CALLER_TOKEN = "test-calendar-at-auth"  # noqa: S105 (a test token)


class AuthDouble:
    """The token API, holding grants obtained from the Google emulator; ``base_url`` is set
    while it is served (see ``served_auth_double``)."""

    def __init__(self, *, google_base_url: str, control: Any) -> None:
        self.google_base_url = google_base_url
        self.control = control
        self.base_url = ""
        self.grants: dict[str, dict[str, Any]] = {}
        self.users: set[str] = set()  # Haru users the auth-server knows (with or without grant)
        self.requests: list[dict[str, Any]] = []
        self.issued: list[str] = []
        self.app = self._build()

    def add_user(self, user_id: str) -> None:
        """A Haru user with no calendar grant yet."""
        self.users.add(user_id)

    def connect(self, *, user_id: str, email: str) -> None:
        """Runs the consent flow against the emulator and keeps the refresh token."""
        self.users.add(user_id)
        query = urlencode(
            {
                "client_id": CLIENT_ID,
                "redirect_uri": REDIRECT_URI,
                "response_type": "code",
                "scope": " ".join(SCOPES),
                "state": "st-" + user_id,
                "access_type": "offline",
                "prompt": "consent",
            }
        )
        redirect = self.control.authorize(f"{self.google_base_url}/o/oauth2/v2/auth?{query}", email)
        code = parse_qs(urlparse(redirect).query)["code"][0]
        answer = httpx.post(
            f"{self.google_base_url}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uri": REDIRECT_URI,
            },
        )
        answer.raise_for_status()
        self.grants[user_id] = {"email": email, "refresh_token": answer.json()["refresh_token"]}

    @staticmethod
    def _forced(body: dict[str, Any], held: dict[str, Any]) -> bool:
        """force_refresh, or the refused token (by fingerprint) is the one held."""
        refused = body.get("refused_token_sha256")
        if refused is None:
            return bool(body.get("force_refresh"))
        return bool(token_sha256(held["access_token"]) == refused)

    @staticmethod
    def _valid(held: dict[str, Any]) -> bool:
        expires_at = parse_aware(held["expires_at"])
        return expires_at - timedelta(seconds=60) > datetime.now(UTC)

    def _build(self) -> FastAPI:
        app = FastAPI()
        double = self
        lock = asyncio.Lock()

        def refuse(status: int, code: str, details: dict[str, Any] | None = None) -> JSONResponse:
            body = {"error": {"code": code, "message": code, "details": details or {}}}
            return JSONResponse(body, status_code=status)

        @app.post("/internal/tokens")
        async def tokens(request: Request):
            if request.headers.get("authorization") != f"Bearer {CALLER_TOKEN}":
                return refuse(401, "auth.invalid_service_token")
            body = await request.json()
            double.requests.append(body)
            if body["user_id"] not in double.users:
                return refuse(404, "auth.user_not_found", {"user_id": body["user_id"]})
            grant = double.grants.get(body["user_id"])
            connect = {"capability": body["capability"]}  # auth-server makes no link here
            if grant is None:
                return refuse(409, "auth.reauth_required", {"reason": "missing", **connect})
            async with lock:  # like the auth-server's per-grant row lock
                held = grant.get("token")
                if held and not double._forced(body, held) and double._valid(held):
                    return held
                async with httpx.AsyncClient(base_url=double.google_base_url) as http:
                    answer = await http.post(
                        "/token",
                        data={
                            "grant_type": "refresh_token",
                            "refresh_token": grant["refresh_token"],
                            "client_id": CLIENT_ID,
                            "client_secret": CLIENT_SECRET,
                        },
                    )
                if answer.status_code == 400:
                    return refuse(409, "auth.reauth_required", {"reason": "revoked", **connect})
                if answer.status_code != 200:
                    return refuse(503, "auth.upstream_unavailable")
                data = answer.json()
                expires_at = datetime.now(UTC) + timedelta(seconds=int(data["expires_in"]))
                grant["token"] = {
                    "access_token": data["access_token"],
                    "expires_at": expires_at.isoformat(),
                    "scopes": SCOPES,
                    "google_email": grant["email"],
                }
                double.issued.append(data["access_token"])
                return grant["token"]

        return app


@contextmanager
def served_auth_double(*, google_base_url: str, control: Any) -> Iterator[AuthDouble]:
    """An ``AuthDouble`` served on a free loopback port for the block."""
    double = AuthDouble(google_base_url=google_base_url, control=control)
    with ThreadServer(double.app) as server:
        double.base_url = server.base_url
        yield double
