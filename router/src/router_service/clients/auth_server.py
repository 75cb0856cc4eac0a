"""Thin client of auth-server's internal API (identities, grants, one-time links)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel

from router_service.clients.exceptions import AuthServerRequestFailed, AuthServerUnavailable
from shared.db import release_idle_connection
from shared.http import error_object, path_of

logger = logging.getLogger(__name__)

RESOLVE_PATH = "/internal/identities/resolve"
GRANT_PATH = "/internal/users/{user_id}/grants/{capability}"
CONNECT_LINKS_PATH = "/internal/connect-links"
CONFIRM_LINK_PATH = "/internal/connect-links/confirm"
ACCOUNT_LINKS_PATH = "/internal/account-links"
CALENDAR_CAPABILITY = "calendar"
# Grant states with which a calendar call can succeed (degraded: Google is flaky, not revoked).
USABLE_GRANT_STATES = frozenset({"active", "degraded"})
MISSING, NEEDS_REAUTH = "missing", "needs_reauth"
# The reasons of a grant never given (the auth-server's "not_connected"), as opposed to lost.
NOT_CONNECTED_REASONS = frozenset({"not_connected", "missing"})


class ResolvedIdentity(BaseModel):
    user_id: str
    created: bool = False
    google_email: str | None = None


class GrantState(BaseModel):
    capability: str
    state: str
    reason: str | None = None
    reason_text: str | None = None
    google_email: str | None = None

    @property
    def usable(self) -> bool:
        return self.state in USABLE_GRANT_STATES

    @classmethod
    def of_refusal(cls, details: dict[str, Any]) -> GrantState:
        """The grant as skill-calendar's 409 ``calendar.reauth_required`` describes it (its
        reason and the auth-server's words for it), so no second question to the auth-server
        is needed to say why."""
        reason = details.get("reason")
        reason_text = details.get("reason_text")
        return cls(
            capability=CALENDAR_CAPABILITY,
            state=MISSING if reason in NOT_CONNECTED_REASONS else NEEDS_REAUTH,
            reason=reason if isinstance(reason, str) else None,
            reason_text=reason_text if isinstance(reason_text, str) else None,
        )


class OneTimeLink(BaseModel):
    url: str
    expires_at: datetime


class AuthServerClient:
    """One method per remote verb of auth-server's internal API."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def resolve_identity(
        self, *, channel: str, external_id: str, display_name: str | None = None
    ) -> ResolvedIdentity:
        """The user behind a channel identity (created on first sight)."""
        body: dict[str, Any] = {"channel": channel, "external_id": external_id}
        if display_name:
            body["display_name"] = display_name
        return ResolvedIdentity.model_validate(await self._call("POST", RESOLVE_PATH, json=body))

    async def grant_state(
        self, *, user_id: str, capability: str = CALENDAR_CAPABILITY
    ) -> GrantState:
        """The state of the user's grant for ``capability``."""
        path = path_of(GRANT_PATH, user_id=user_id, capability=capability)
        return GrantState.model_validate(await self._call("GET", path))

    async def create_connect_link(
        self,
        *,
        user_id: str,
        capability: str = CALENDAR_CAPABILITY,
        pending_action_ref: str | None = None,
        channel: str | None = None,
        external_id: str | None = None,
    ) -> OneTimeLink:
        """A one-time connect-page link for the identity ``(channel, external_id)`` of a user.

        ``pending_action_ref`` comes back in the grant event; without ``external_id`` the
        user's identity on ``channel`` is the one the pages name.
        """
        body: dict[str, Any] = {"user_id": user_id, "capability": capability}
        if pending_action_ref is not None:
            body["pending_action_ref"] = pending_action_ref
        if channel is not None:
            body["channel"] = str(channel)
        if external_id is not None:
            body["external_id"] = external_id
        return OneTimeLink.model_validate(await self._call("POST", CONNECT_LINKS_PATH, json=body))

    async def confirm_connect_link(
        self, *, ticket: str, proof: str, external_id: str
    ) -> OneTimeLink:
        """Vouches that the browser carrying ``proof`` holds the web chat ``external_id``."""
        body = {"ticket": ticket, "proof": proof, "external_id": external_id}
        return OneTimeLink.model_validate(await self._call("POST", CONFIRM_LINK_PATH, json=body))

    async def create_account_link(
        self, *, user_id: str, channel: str | None = None, external_id: str | None = None
    ) -> OneTimeLink:
        """A link to the user's account page, for the identity ``(channel, external_id)``."""
        body: dict[str, Any] = {"user_id": user_id}
        if channel is not None:
            body["channel"] = str(channel)
        if external_id is not None:
            body["external_id"] = external_id
        return OneTimeLink.model_validate(await self._call("POST", ACCOUNT_LINKS_PATH, json=body))

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        await release_idle_connection()  # no pooled connection held while we wait
        try:
            response = await self.http.request(method, path, **kwargs)
        except httpx.HTTPError as err:
            logger.warning("auth-server unreachable", extra={"error_type": type(err).__name__})
            raise AuthServerUnavailable() from err
        if response.status_code >= 500:
            raise AuthServerUnavailable(details={"status": response.status_code})
        if response.status_code >= 400:
            raise AuthServerRequestFailed(
                details={"status": response.status_code, "code": error_object(response).get("code")}
            )
        return response.json()
