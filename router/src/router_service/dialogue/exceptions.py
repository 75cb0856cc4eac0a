"""Errors of the dialogue core (stable codes, Korean messages)."""

from __future__ import annotations

from shared.errors import BadRequest, Unprocessable

MAX_MESSAGE_CHARS = 2000


class EmptyMessage(BadRequest):
    code = "chat.message_empty"
    message = "메시지를 입력해 주세요."


class MessageTooLong(Unprocessable):
    code = "chat.message_too_long"
    message = f"메시지가 너무 길어요. {MAX_MESSAGE_CHARS}자 이내로 보내 주세요."


class InvalidDecision(BadRequest):
    code = "dialogue.decision_invalid"
    message = "선택이 올바르지 않아요."
