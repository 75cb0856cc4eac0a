"""Web chat sessions: the browser's cookie, mapped to a web identity at auth-server."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from router_service.db import Base
from shared.db import UTCDateTime, utcnow


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    # SHA-256 of the cookie value: a database leak does not hand out live sessions.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The identity's external id at auth-server (channel "web"); not secret.
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    # The identity's user, kept after auth-server's first answer: a web identity is never
    # re-pointed nor its user deleted, so messages need not ask again (docs/benchmarks.md).
    user_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def conversation_key(self) -> str:
        return f"web:{self.external_id}"
