"""User payloads on the internal API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from shared.time import AwareDatetime


class UserCreate(BaseModel):
    display_name: str | None = Field(None, max_length=200)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    display_name: str | None
    created_at: AwareDatetime
