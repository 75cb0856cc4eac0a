"""The Google account linked to a user, its encrypted tokens and its grant state."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from auth_server.db import Base
from shared.db import UTCDateTime, utcnow


def new_account_id() -> str:
    return str(uuid.uuid4())


class GoogleAccount(Base):
    """One per user at most; a Google ``sub`` belongs to at most one user.

    Token columns hold ``crypto.TokenCipher`` ciphertexts, never plain tokens.
    ``version`` grows with every token change, so a slow refresher can tell that
    someone else already stored a newer token.
    """

    __tablename__ = "google_accounts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_account_id)
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    sub: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str | None] = mapped_column(String(320))
    refresh_token: Mapped[str | None] = mapped_column(Text)
    refresh_token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    access_token: Mapped[str | None] = mapped_column(Text)
    access_token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Granted scopes, normalised, sorted, space-separated.
    scopes: Mapped[str] = mapped_column(Text, default="")
    # Capabilities this grant was given for (space-separated): a later shortfall is scope_missing.
    capabilities: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(32), default="active")
    reason: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    token_refreshed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
