"""Google access tokens from the auth-server, cached per (user, capability) until near expiry."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from shared.auth import token_sha256
from shared.db import utcnow
from shared.http import RETRY_POLICY, RetryPolicy, error_object
from shared.memory import KeyedLocks, TtlCache
from shared.time import parse_aware
from skill_calendar.google.exceptions import (
    CalendarReauthRequired,
    CalendarUnavailable,
    CalendarUserUnknown,
)

logger = logging.getLogger(__name__)

CAPABILITY = "calendar"
TOKENS_PATH = "/internal/tokens"
# The auth-server retries Google itself; its 503 means that budget is spent (no stacking).
ONE_BUDGET = RetryPolicy(final_error_codes=frozenset({"auth.upstream_unavailable"}))


@dataclass(frozen=True)
class CachedToken:
    access_token: str
    expires_at: datetime
    google_email: str | None


class AuthServerTokens:
    """Asks the auth-server for tokens (POST /internal/tokens) and caches them in memory.

    The cache is only a cache, bounded in size and age: a restart asks again. One lock per
    user (held only while someone waits for it) keeps concurrent
    requests from refreshing the same grant at once; a forced refresh names the refused
    token, so callers that arrive after it was replaced (here or in another replica)
    refresh nothing.
    """

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        expiry_margin_s: float = 60.0,
        cache_size: int = 10_000,
        cache_ttl_s: float = 3600.0,
    ) -> None:
        self.http = http
        self.expiry_margin = timedelta(seconds=expiry_margin_s)
        self._cache: TtlCache[tuple[str, str], CachedToken] = TtlCache(
            max_size=cache_size, ttl_s=cache_ttl_s
        )
        self._locks: KeyedLocks[tuple[str, str]] = KeyedLocks()

    def google_email(self, *, user_id: str) -> str | None:
        """The Google account of the user's cached grant, if known."""
        cached = self._cache.get((user_id, CAPABILITY))
        return cached.google_email if cached else None

    async def access_token(self, *, user_id: str, refused: str | None = None) -> str:
        """A valid access token other than ``refused`` (the one Google just answered 401 to)."""
        key = (user_id, CAPABILITY)
        if refused is not None and self._cached(key) == refused:
            self._cache.pop(key)
        token = self._usable(key, refused=refused)
        if token is None:
            async with self._locks.hold(key):
                token = self._usable(key, refused=refused)
                if token is None:
                    fresh = await self._fetch(user_id=user_id, refused=refused)
                    self._cache.set(key, fresh)
                    token = fresh.access_token
        return token

    def _cached(self, key: tuple[str, str]) -> str | None:
        cached = self._cache.get(key)
        return cached.access_token if cached else None

    def _usable(self, key: tuple[str, str], *, refused: str | None) -> str | None:
        cached = self._cache.get(key)
        if cached is None or cached.access_token == refused:
            return None
        if cached.expires_at - self.expiry_margin > utcnow():
            return cached.access_token
        return None

    async def _fetch(self, *, user_id: str, refused: str | None) -> CachedToken:
        body: dict[str, object] = {
            "user_id": user_id,
            "capability": CAPABILITY,
            "force_refresh": refused is not None,
        }
        if refused is not None:
            body["refused_token_sha256"] = token_sha256(refused)
        try:
            response = await self.http.post(
                TOKENS_PATH, json=body, extensions={RETRY_POLICY: ONE_BUDGET}
            )
        except httpx.TransportError as err:
            raise CalendarUnavailable(
                "인증 서버에 연결하지 못했습니다. 잠시 후 다시 시도해 주세요.", retry_after=5
            ) from err
        if response.status_code == 200:
            data = response.json()
            return CachedToken(
                access_token=data["access_token"],
                expires_at=parse_aware(data["expires_at"]),
                google_email=data.get("google_email"),
            )
        error = error_object(response)
        if response.status_code == 409 and error.get("code") == "auth.reauth_required":
            details = error.get("details") or {}
            raise CalendarReauthRequired(
                reason=details.get("reason") or "revoked",
                connect_url=details.get("connect_url"),
                reason_text=details.get("reason_text"),
            )
        if response.status_code == 404 and error.get("code") == "auth.user_not_found":
            # Asking again cannot help: a final 404, not a retryable 503.
            raise CalendarUserUnknown(details={"user_id": user_id})
        retry_after = response.headers.get("retry-after")
        logger.warning(
            "auth-server refused a token: %s %s", response.status_code, error.get("code")
        )
        raise CalendarUnavailable(
            retry_after=int(float(retry_after)) if retry_after and retry_after.isdigit() else 5
        )
