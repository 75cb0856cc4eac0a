"""Identity payloads on the internal API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Channel = Literal["web", "slack"]


class ResolveIn(BaseModel):
    channel: Channel
    external_id: str = Field(min_length=1, max_length=255)
    display_name: str | None = Field(None, max_length=200)


class ResolveOut(BaseModel):
    user_id: str
    created: bool
    google_email: str | None


class LinkIn(BaseModel):
    channel: Channel
    external_id: str = Field(min_length=1, max_length=255)
    user_id: str = Field(min_length=1, max_length=36)


class LinkOut(BaseModel):
    user_id: str
