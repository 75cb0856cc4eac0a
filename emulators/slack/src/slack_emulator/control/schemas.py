"""Request bodies of the control API and the driver."""

from typing import Literal

from pydantic import BaseModel, Field, field_validator


class UserIn(BaseModel):
    """A Slack user to create (id generated when absent)."""

    id: str | None = Field(default=None, pattern=r"^[UW][A-Z0-9]{2,}$")
    name: str
    real_name: str | None = None
    tz: str | None = None
    email: str | None = None
    deleted: bool = False


class FaultIn(BaseModel):
    """A fault for the next calls of one Web API method."""

    method: str
    error: str | None = None
    status: Literal[429, 500, 502, 503, 504] | None = None
    retry_after: int | None = Field(default=None, ge=0)
    count: int = Field(default=1, ge=-1)
    delay: float = Field(default=0.0, ge=0)

    @field_validator("count")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        """A positive number of calls, or -1 for every call until cleared."""
        if value == 0:
            raise ValueError("count must be positive or -1")
        return value


class MessageIn(BaseModel):
    """A person writes to the bot."""

    user: str
    text: str
    channel: str | None = None
    kind: Literal["im", "app_mention"] = "im"
    ack_timeout_seconds: float | None = Field(default=None, gt=0)
    retry_delays_seconds: list[float] | None = None
    wait: bool = False
    url: str | None = Field(default=None, pattern=r"^https?://")


class EditIn(BaseModel):
    """A person edits their message."""

    user: str
    channel: str
    ts: str
    text: str
    ack_timeout_seconds: float | None = Field(default=None, gt=0)
    retry_delays_seconds: list[float] | None = None
    wait: bool = False


class ClickIn(BaseModel):
    """A person clicks a button of a stored message."""

    user: str
    channel: str
    ts: str
    action_id: str
    value: str | None = None
    ack_timeout_seconds: float | None = Field(default=None, gt=0)


class RawIn(BaseModel):
    """Exactly this request to the events or interactivity URL."""

    url: Literal["events", "interactivity"]
    body: str
    headers: dict[str, str] = Field(default_factory=dict)


class RedeliverIn(BaseModel):
    """The same event once more: a duplicate, or to another replica."""

    event_id: str
    url: str | None = Field(default=None, pattern=r"^https?://")
    retry_num: int | None = Field(default=None, ge=1, le=3)
    retry_reason: str | None = None
    ack_timeout_seconds: float | None = Field(default=None, gt=0)
