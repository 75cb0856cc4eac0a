"""Rate limits of the web chat (per client address, per session) and of the LLM fallback.

Per-process token buckets (shared.ratelimit): why that is enough is in docs/security.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request

from router_service.config import RouterSettings
from router_service.nlu.llm import LlmParser
from shared.ratelimit import TokenBucket


@dataclass
class ChatLimits:
    """The buckets of one router process."""

    per_ip: TokenBucket
    new_sessions_per_ip: TokenBucket
    messages_per_session: TokenBucket

    @classmethod
    def from_settings(cls, settings: RouterSettings) -> ChatLimits:
        per_ip = settings.chat_requests_per_ip_per_minute
        sessions = settings.chat_new_sessions_per_ip_per_minute
        messages = settings.chat_messages_per_session_per_minute
        return cls(
            per_ip=TokenBucket(per_minute=per_ip, burst=max(1, int(per_ip / 3))),
            new_sessions_per_ip=TokenBucket(per_minute=sessions, burst=max(1, int(sessions))),
            messages_per_session=TokenBucket(per_minute=messages, burst=max(1, int(messages / 3))),
        )


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy: uvicorn's --proxy-headers sets it)."""
    return request.client.host if request.client else "unknown"


def chat_limits(request: Request) -> ChatLimits:
    return request.app.state.chat_limits


async def limit_per_address(request: Request) -> None:
    """Dependency of every chat route: the address's request budget (else 429)."""
    chat_limits(request).per_ip.check(client_address(request), scope="address")


def limit_new_session(request: Request) -> None:
    """Called before a chat session is created for a cookie-less request (else 429)."""
    chat_limits(request).new_sessions_per_ip.check(client_address(request), scope="new_session")


def limit_session_messages(request: Request, session_id: int) -> None:
    """Called before a message or a button press of a session is worked (else 429)."""
    chat_limits(request).messages_per_session.check(str(session_id), scope="session")


class RateLimitedLlm:
    """An LLM fallback that refuses calls over the process's budget.

    A refused call raises, so the NLU keeps the rules' answer (the person still gets one;
    what is limited is the spend on the model, not the chat).
    """

    def __init__(self, inner: LlmParser, *, per_minute: float) -> None:
        self.inner = inner
        self.timeout_seconds = inner.timeout_seconds
        self.bucket = TokenBucket(per_minute=per_minute, burst=max(1, int(per_minute / 3)))

    async def parse(self, *, text: str, now: datetime, time_zone: str) -> dict[str, Any]:
        self.bucket.check("llm", scope="llm")
        return await self.inner.parse(text=text, now=now, time_zone=time_zone)
