"""Errors of the web chat API (stable codes)."""

from __future__ import annotations

from shared.errors import Unauthorized


class SessionMissing(Unauthorized):
    code = "chat.session_missing"
    message = "채팅 세션이 없어요. 페이지를 새로 고쳐 주세요."
