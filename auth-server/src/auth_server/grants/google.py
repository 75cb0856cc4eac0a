"""A thin client of Google's OAuth endpoints.

The consent URL and the code exchange go through google-auth-oauthlib (PKCE S256,
offline access, incremental scopes); refresh, userinfo and revoke are plain HTTP
calls through ``shared.http`` so that a failing Google is told apart precisely:
``invalid_grant`` (the grant is gone) versus network errors and 5xx (try later).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests import RequestException

from shared.http import create_client

logger = logging.getLogger(__name__)

TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_EXPIRES_IN = 3600


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


def _check_transport(uris: list[str], allow_http_hosts: frozenset[str] = frozenset()) -> None:
    """Refuses http:// except on loopback and on hosts named explicitly (a compose sandbox's
    emulator); oauthlib must then be told to allow it."""
    plain = [uri for uri in uris if urlsplit(uri).scheme != "https"]
    for uri in plain:
        named = urlsplit(uri).scheme == "http" and urlsplit(uri).hostname in allow_http_hosts
        if not (is_loopback_http(uri) or named):
            raise ValueError(f"Google endpoints must use https (loopback http only): {uri}")
    if plain:
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


def _token_set(data: dict[str, Any], *, now: datetime) -> TokenSet:
    scope = data.get("scope") or []
    scopes = scope.split() if isinstance(scope, str) else list(scope)
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
        _check_transport([auth_uri, token_uri, revoke_uri, userinfo_uri], allow_http_hosts)
        # With include_granted_scopes Google answers with more scopes than asked; we
        # compare the sets ourselves (grants.capabilities), so oauthlib must not object.
        os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"  # noqa: S105
        self.client_id = client_id
        self._client_secret = client_secret
        self.auth_uri = auth_uri
        self.token_uri = token_uri
        self.revoke_uri = revoke_uri
        self.userinfo_uri = userinfo_uri
        self.timeout = timeout
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

    def _flow(self, *, scopes: list[str], redirect_uri: str, code_verifier: str) -> Flow:
        _check_transport([redirect_uri], self._allow_http_hosts)
        config = {
            "web": {
                "client_id": self.client_id,
                "client_secret": self._client_secret,
                "auth_uri": self.auth_uri,
                "token_uri": self.token_uri,
                "redirect_uris": [redirect_uri],
            }
        }
        return Flow.from_client_config(
            config,
            scopes=scopes,
            redirect_uri=redirect_uri,
            code_verifier=code_verifier,
            autogenerate_code_verifier=False,
        )

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
        flow = self._flow(scopes=scopes, redirect_uri=redirect_uri, code_verifier=code_verifier)
        extra: dict[str, str] = {}
        if prompt_consent:
            extra["prompt"] = "consent"
        if login_hint:
            extra["login_hint"] = login_hint
        url, _ = flow.authorization_url(
            state=state, access_type="offline", include_granted_scopes="true", **extra
        )
        return url

    async def exchange_code(
        self, *, code: str, scopes: list[str], code_verifier: str, redirect_uri: str
    ) -> TokenSet:
        """Exchanges an authorization code (with its PKCE verifier) for tokens."""
        flow = self._flow(scopes=scopes, redirect_uri=redirect_uri, code_verifier=code_verifier)
        try:
            data = await asyncio.to_thread(flow.fetch_token, code=code, timeout=self.timeout)
        except OAuth2Error as err:
            if err.error == "invalid_grant":
                raise GoogleInvalidGrant(err.error) from err
            if (err.status_code or 0) >= 500:
                raise GoogleUnavailable(f"token endpoint failed: {err.error}") from err
            raise GoogleRejected(err.error or "oauth error") from err
        except RequestException as err:
            raise GoogleUnavailable(f"token endpoint unreachable: {type(err).__name__}") from err
        except ValueError as err:  # a non-JSON answer, e.g. an HTML 502 page
            raise GoogleUnavailable("token endpoint answered garbage") from err
        return _token_set(dict(data), now=datetime.now(UTC))

    async def refresh(self, *, refresh_token: str) -> TokenSet:
        """A fresh access token for ``refresh_token``."""
        body = {
            "grant_type": "refresh_token",
            "client_id": self.client_id,
            "client_secret": self._client_secret,
            "refresh_token": refresh_token,
        }
        response = await self._call("POST", self.token_uri, data=body)
        if response.status_code == 200:
            return _token_set(response.json(), now=datetime.now(UTC))
        error = _error_code(response)
        if response.status_code == 400 and error == "invalid_grant":
            raise GoogleInvalidGrant(error)
        raise GoogleRejected(f"token endpoint answered {response.status_code} {error}")

    async def userinfo(self, *, access_token: str) -> dict[str, Any]:
        """The OpenID userinfo of the account (``sub``, ``email``)."""
        response = await self._call(
            "GET", self.userinfo_uri, headers={"Authorization": f"Bearer {access_token}"}
        )
        if response.status_code != 200:
            raise GoogleRejected(f"userinfo answered {response.status_code}")
        return response.json()

    async def revoke(self, *, token: str) -> bool:
        """Revokes ``token`` (and its grant) at Google; False when Google says it is unknown."""
        response = await self._call("POST", self.revoke_uri, data={"token": token})
        if response.status_code == 200:
            return True
        if response.status_code == 400:
            return False
        raise GoogleRejected(f"revoke answered {response.status_code}")

    async def _call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        try:
            response = await self._http.request(method, url, **kw)
        except httpx.HTTPError as err:
            raise GoogleUnavailable(f"{type(err).__name__} calling Google") from err
        if response.status_code in TRANSIENT_STATUSES:
            retry_after = response.headers.get("retry-after")
            seconds = float(retry_after) if retry_after and retry_after.isdigit() else None
            raise GoogleUnavailable(f"Google answered {response.status_code}", retry_after=seconds)
        return response


def _error_code(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "unknown"
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):  # Google API style
        return str(error.get("status") or error.get("code") or "unknown")
    return str(error or "unknown")
