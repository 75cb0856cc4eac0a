"""Grant, token and link payloads on the internal API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shared.time import AwareDatetime

CapabilityName = Literal["calendar", "gmail.read", "gmail.send"]


class GrantOut(BaseModel):
    capability: str
    state: Literal["active", "missing", "needs_reauth", "degraded"]
    reason: str | None
    reason_text: str
    scopes: list[str]
    google_email: str | None


class TokenIn(BaseModel):
    user_id: str = Field(min_length=1, max_length=36)
    capability: CapabilityName
    force_refresh: bool = False
    # SHA-256 hex of the access token Google refused: refresh only if it is still the one held.
    refused_token_sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")


class TokenOut(BaseModel):
    access_token: str
    expires_at: AwareDatetime
    scopes: list[str]
    google_email: str | None


class ConnectLinkIn(BaseModel):
    user_id: str = Field(min_length=1, max_length=36)
    capability: CapabilityName
    pending_action_ref: str | None = Field(None, max_length=200)
    # The identity the link connects, named on its pages (the user's first on the channel
    # when external_id is absent); a web link is made for the chat's own browser.
    channel: Literal["web", "slack"] | None = None
    external_id: str | None = Field(None, min_length=1, max_length=255)


class ConfirmLinkIn(BaseModel):
    """The router's word: the browser that carried ``proof`` holds this web chat's session."""

    ticket: str = Field(min_length=1, max_length=100)
    proof: str = Field(min_length=1, max_length=100)
    external_id: str = Field(min_length=1, max_length=255)


class AccountLinkIn(BaseModel):
    user_id: str = Field(min_length=1, max_length=36)
    # The identity whose chat asked for it; a web chat's link is confirmed by the router.
    channel: Literal["web", "slack"] | None = None
    external_id: str | None = Field(None, min_length=1, max_length=255)


class LinkOut(BaseModel):
    url: str
    expires_at: AwareDatetime
