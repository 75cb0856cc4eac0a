"""What the auth-server's routes share for the app's lifetime: settings, cipher, Google, workers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import urljoin

import httpx
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth_server.config import AuthSettings
from auth_server.crypto import TokenCipher
from auth_server.events.worker import OutboxWorker
from auth_server.grants.google import GoogleOAuthClient
from shared.memory import KeyedLocks


@dataclass
class AuthRuntime:
    settings: AuthSettings
    cipher: TokenCipher
    google: GoogleOAuthClient
    sessionmaker: async_sessionmaker[AsyncSession]
    refresh_locks: KeyedLocks[str] = field(default_factory=KeyedLocks)
    outbox: OutboxWorker | None = None
    # The router's internal API, read by the account page (a person's reminder choices).
    router_http: httpx.AsyncClient | None = None

    @property
    def redirect_uri(self) -> str:
        return self.settings.public_base_url.rstrip("/") + "/oauth/google/callback"

    @property
    def router_confirm_url(self) -> str:
        """Where a web chat's link sends the browser for the router's check of its session:
        ``/connect/confirm`` at the origin of the chat (the router serves the chat at ``/``)."""
        return urljoin(self.settings.chat_url, "/connect/confirm")

    def url(self, path: str) -> str:
        """An absolute URL of this service as people's browsers reach it."""
        return self.settings.public_base_url.rstrip("/") + path

    def events_recorded(self) -> None:
        """Tells the outbox worker that a commit recorded grant events."""
        if self.outbox is not None:
            self.outbox.wake()


async def get_runtime(request: Request) -> AuthRuntime:
    """Dependency: the app's runtime."""
    return request.app.state.auth


RuntimeDep = Annotated[AuthRuntime, Depends(get_runtime)]
