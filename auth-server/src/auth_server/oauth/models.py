"""One-time links (tickets) and OAuth states; only their SHA-256 digests are stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from auth_server.db import Base
from shared.db import UTCDateTime, utcnow


class LinkTicket(Base):
    """A link handed to a person: a connect link (single use) or an account page link."""

    __tablename__ = "link_tickets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the ticket
    kind: Mapped[str] = mapped_column(String(16))  # connect | account
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    capability: Mapped[str | None] = mapped_column(String(32))
    pending_action_ref: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(16))
    # The channel identity the link connects (its pages name it); None: the user as a whole.
    identity_id: Mapped[int | None] = mapped_column(Integer)
    # SHA-256 of the browser cookie of the first browser that opened the link; only it may
    # use the link from then on (a forwarded link is refused).
    browser_binding: Mapped[str | None] = mapped_column(String(64))
    # A web chat's link: SHA-256 of the one-time proof handed to the bound browser on its way
    # to the router, and when the router vouched that this browser holds the chat's session.
    confirm_digest: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Form token of the account page (CSRF); random per ticket.
    form_token: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OAuthState(Base):
    """The server side of one trip to Google's consent page (single use, expiring)."""

    __tablename__ = "oauth_states"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the state
    user_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    capability: Mapped[str] = mapped_column(String(32))
    pending_action_ref: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(16))
    identity_id: Mapped[int | None] = mapped_column(Integer)
    # SHA-256 of the cookie of the browser that went to Google: the callback must carry it.
    browser_binding: Mapped[str | None] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(Text)  # encrypted
    scopes: Mapped[str] = mapped_column(Text)  # requested, space-separated
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
