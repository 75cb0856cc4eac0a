"""Request and response bodies of the web chat API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.text import StorableText
from shared.time import AwareDatetime, TimeZoneName


class SendMessage(BaseModel):
    text: StorableText = Field(description="What the person wrote (1–2000 characters)")
    time_zone: TimeZoneName | None = Field(
        None,
        description="The browser's IANA zone (e.g. America/New_York); absent: Asia/Seoul",
    )


class Decision(BaseModel):
    decision: Literal["approve", "reject", "choose", "undo"] = Field(
        description="undo: [되돌리기] on a ✅ reply (within 10 minutes)"
    )
    choice: int | None = Field(None, ge=1, le=99, description="Number chosen (decision choose)")


class ChatMessage(BaseModel):
    id: int
    role: Literal["user", "assistant"]
    text: str
    payload: dict[str, Any] | None = None
    action_state: str | None = Field(
        None, description="Current state of the pending action the payload refers to"
    )
    created_at: AwareDatetime


class MessageList(BaseModel):
    messages: list[ChatMessage]


class SessionInfo(BaseModel):
    user_id: str
    google_email: str | None
    conversation_key: str
    last_message_id: int


class Link(BaseModel):
    url: str
    expires_at: AwareDatetime
