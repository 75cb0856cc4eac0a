"""Bodies of the Slack endpoints (Slack's own shapes are read as plain JSON)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class Challenge(BaseModel):
    challenge: str = Field(description="Echo of Slack's url_verification challenge")


class Ack(BaseModel):
    ok: Literal[True] = True
    status: Literal["accepted", "duplicate", "ignored"] = Field(
        description="accepted: stored and worked after this answer; duplicate: seen before"
    )
