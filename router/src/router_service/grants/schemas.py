"""Grant events as auth-server sends them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from shared.time import AwareDatetime


class GrantEventIn(BaseModel):
    event_id: str = Field(min_length=1, max_length=64)
    type: Literal["grant.usable", "grant.unusable"]
    user_id: str = Field(min_length=1, max_length=64)
    previous_user_id: str | None = Field(None, max_length=64)
    capability: str = Field(min_length=1, max_length=32)
    state: str | None = None
    reason: str | None = None
    pending_action_ref: str | None = Field(None, max_length=64)
    occurred_at: AwareDatetime


class GrantEventAck(BaseModel):
    status: Literal["accepted", "duplicate"]


class FollowingStopped(BaseModel):
    """Whether skill-calendar stopped the channel in the call, or queued the stop."""

    status: Literal["stopped", "accepted"]
