"""A thin async client of Google's OAuth 2.0 endpoints, on ``shared.http``.

One HTTP stack for every verb: the consent URL is built here (PKCE S256, offline access,
incremental scopes), and the code exchange, refresh, userinfo and revoke are plain form or
bearer calls through a ``shared.http`` client (timeouts, bounded retries, the request id).
Every answer goes through one translation, so a failing Google is told apart precisely:
``invalid_grant`` (the grant is gone) versus network errors, 429 and 5xx (try later)
versus any other refusal (misconfiguration). Nothing here touches the process environment.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from shared.backoff import retry_after_seconds
from shared.http import create_client, error_object

logger = logging.getLogger(__name__)

TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_EXPIRES_IN = 3600
RETRY_AFTER_CAP_S = 3600.0  # what we tell our own callers; the HTTP client caps its own waits


class GoogleError(Exception):
    """Base of the errors this client raises."""


class GoogleInvalidGrant(GoogleError):
    """Google refused the grant (revoked, expired refresh token, reused code)."""


class GoogleUnavailable(GoogleError):
    """Google failed transiently (network, timeout, 5xx, 429); the grant may still be fine."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class GoogleRejected(GoogleError):
    """Google answered with another client error (misconfiguration, bad request)."""


@dataclass(frozen=True)
class TokenSet:
    access_token: str
    expires_at: datetime
    scopes: list[str]
    refresh_token: str | None


@dataclass(frozen=True)
class UserInfo:
    """The OpenID userinfo fields Haru reads."""

    sub: str
    email: str | None


def is_loopback_http(uri: str) -> bool:
    """Whether ``uri`` is plain http to this machine (the emulator, tests)."""
    parts = urlsplit(uri)
    if parts.scheme != "http":
        return False
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(uris: list[str], allow_http_hosts: frozenset[str] = frozenset()) -> None:
    """Refuses any endpoint that is not https, except plain http on loopback or on a host
    named explicitly (a compose sandbox's emulator)."""
    for uri in uris:
        parts = urlsplit(uri)
        named = parts.scheme == "http" and parts.hostname in allow_http_hosts
        if parts.scheme != "https" and not (is_loopback_http(uri) or named):
            raise ValueError(f"Google endpoints must use https (loopback http only): {uri}")


def pkce_challenge(code_verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(ASCII(code_verifier))) without padding."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _token_set(data: Any, *, now: datetime) -> TokenSet:
    if not isinstance(data, dict) or not isinstance(data.get("access_token"), str):
        raise GoogleUnavailable("token endpoint answered without an access token")
    scope = data.get("scope") or []
    scopes = scope.split() if isinstance(scope, str) else [str(s) for s in scope]
    expires_in = data.get("expires_in") or DEFAULT_EXPIRES_IN
    return TokenSet(
        access_token=data["access_token"],
        expires_at=now + timedelta(seconds=float(expires_in)),
        scopes=scopes,
        refresh_token=data.get("refresh_token") or None,
    )


class GoogleOAuthClient:
    """One method per remote verb of Google's OAuth 2.0 endpoints."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        auth_uri: str,
        token_uri: str,
        revoke_uri: str,
        userinfo_uri: str,
        timeout: float = 10.0,
        retries: int = 2,
        retry_after_cap: float = 2.0,
        allow_http_hosts: frozenset[str] = frozenset(),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._allow_http_hosts = allow_http_hosts
        check_transport([auth_uri, token_uri, revoke_uri, userinfo_uri], allow_http_hosts)
        self.client_id = client_id
        self._client_secret = client_secret
        self.auth_uri = auth_uri
        self.token_uri = token_uri
        self.revoke_uri = revoke_uri
        self.userinfo_uri = userinfo_uri
        self._http = create_client(
            base_url="",
            timeout=timeout,
            retries=retries,
            backoff_base=0.2,
            backoff_cap=1.0,
            retry_after_cap=retry_after_cap,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    def authorization_url(
        self,
        *,
        scopes: list[str],
        state: str,
        code_verifier: str,
        redirect_uri: str,
        prompt_consent: bool,
        login_hint: str | None = None,
    ) -> str:
        """The consent page URL (PKCE S256, offline, incremental)."""
        check_transport([redirect_uri], self._allow_http_hosts)
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": " ".join(scopes),
            "state": state,
            "code_challenge": pkce_challenge(code_verifier),
            "code_challenge_method": "S256",
            "access_type": "offline",
            "include_granted_scopes": "true",
        }
        if prompt_consent:
            params["prompt"] = "consent"
        if login_hint:
            params["login_hint"] = login_hint
        return f"{self.auth_uri}?{urlencode(params)}"

    async def exchange_code(self, *, code: str, code_verifier: str, redirect_uri: str) -> TokenSet:
        """Exchanges an authorization code (with its PKCE verifier) for tokens."""
        return await self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "code_verifier": code_verifier,
                "redirect_uri": redirect_uri,
            }
        )

    async def refresh(self, *, refresh_token: str) -> TokenSet:
        """A fresh access token for ``refresh_token``."""
        return await self._token_request(
            {"grant_type": "refresh_token", "refresh_token": refresh_token}
        )

    async def userinfo(self, *, access_token: str) -> UserInfo:
        """The OpenID userinfo of the account (``sub``, ``email``)."""
        response = await self._call(
            "GET", self.userinfo_uri, headers={"Authorization": f"Bearer {access_token}"}
        )
        if response.status_code != 200:
            raise GoogleRejected(f"userinfo answered {response.status_code}")
        body = _json(response)
        if not isinstance(body, dict) or not isinstance(body.get("sub"), str):
            raise GoogleRejected("userinfo answered without a subject")
        email = body.get("email")
        return UserInfo(sub=body["sub"], email=email if isinstance(email, str) else None)

    async def revoke(self, *, token: str) -> bool:
        """Revokes ``token`` (and its grant) at Google; False when Google says it is unknown."""
        response = await self._call("POST", self.revoke_uri, data={"token": token})
        if response.status_code == 200:
            return True
        if response.status_code == 400:
            return False
        raise GoogleRejected(f"revoke answered {response.status_code}")

    async def _token_request(self, form: dict[str, str]) -> TokenSet:
        """POSTs ``form`` with the client credentials to the token endpoint."""
        body = {**form, "client_id": self.client_id, "client_secret": self._client_secret}
        response = await self._call("POST", self.token_uri, data=body)
        if response.status_code == 200:
            return _token_set(_json(response), now=datetime.now(UTC))
        code = str(error_object(response).get("code") or "unknown")
        if response.status_code == 400 and code == "invalid_grant":
            raise GoogleInvalidGrant(code)
        raise GoogleRejected(f"token endpoint answered {response.status_code} {code}")

    async def _call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        """One request; network failures and transient statuses become GoogleUnavailable."""
        try:
            response = await self._http.request(method, url, **kw)
        except httpx.HTTPError as err:
            raise GoogleUnavailable(f"{type(err).__name__} calling Google") from err
        if response.status_code in TRANSIENT_STATUSES:
            raise GoogleUnavailable(
                f"Google answered {response.status_code}",
                retry_after=retry_after_seconds(
                    response.headers.get("retry-after"), cap=RETRY_AFTER_CAP_S
                ),
            )
        return response


def _json(response: httpx.Response) -> Any:
    """The JSON body of a 200; an HTML or garbled answer is Google failing, not refusing."""
    try:
        return response.json()
    except ValueError as err:
        raise GoogleUnavailable(f"Google answered {response.status_code} without JSON") from err
