"""Grants: reading a user's Google account, storing a fresh grant, connect links and
disconnecting (states: ``status``; access tokens: ``tokens``)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.crypto import ACCESS_TOKEN, REFRESH_TOKEN, TokenCipher
from auth_server.grants import capabilities as caps
from auth_server.grants.exceptions import GoogleAccountTaken
from auth_server.grants.google import GoogleError, TokenSet
from auth_server.grants.models import GoogleAccount
from auth_server.grants.status import (
    ACTIVE,
    DISCONNECTED,
    GrantStatus,
    all_statuses,
    capability_status,
    record_transitions,
)
from auth_server.oauth.tickets import CONNECT, create_ticket
from auth_server.runtime import AuthRuntime
from shared.db import utcnow

logger = logging.getLogger(__name__)


async def get_account(*, session: AsyncSession, user_id: str) -> GoogleAccount | None:
    """The user's Google account, or None."""
    return await session.scalar(select(GoogleAccount).where(GoogleAccount.user_id == user_id))


async def get_status(*, session: AsyncSession, user_id: str, capability: str) -> GrantStatus:
    """The state of ``capability`` for ``user_id``."""
    return capability_status(await get_account(session=session, user_id=user_id), capability)


@dataclass(frozen=True)
class StoredGrant:
    user_id: str
    email: str | None


async def store_grant(
    *,
    session: AsyncSession,
    cipher: TokenCipher,
    user_id: str,
    sub: str,
    email: str | None,
    tokens: TokenSet,
    capability: str,
    pending_action_ref: str | None,
) -> StoredGrant:
    """Stores the tokens of a completed consent and records the events, in one transaction.

    A Google account that belongs to another Haru user is never merged silently:
    ``GoogleAccountTaken``, and nothing is stored.
    """
    now = utcnow()
    account = await session.scalar(
        select(GoogleAccount).where(GoogleAccount.sub == sub).with_for_update()
    )
    if account is not None and account.user_id != user_id:
        raise GoogleAccountTaken()
    if account is None:
        # The user may hold another Google account: the new one replaces it.
        await session.execute(delete(GoogleAccount).where(GoogleAccount.user_id == user_id))
        account = GoogleAccount(
            user_id=user_id, sub=sub, scopes="", capabilities="", state=ACTIVE, version=0
        )
        before = all_statuses(None)
        session.add(account)
    else:
        before = all_statuses(account)
    if tokens.refresh_token:
        account.refresh_token = cipher.encrypt(
            tokens.refresh_token, column=REFRESH_TOKEN, owner=user_id
        )
        account.refresh_token_issued_at = now
    account.email = email or account.email
    account.access_token = cipher.encrypt(tokens.access_token, column=ACCESS_TOKEN, owner=user_id)
    account.access_token_expires_at = tokens.expires_at
    granted = caps.normalize_scopes(tokens.scopes) | (
        caps.normalize_scopes(account.scopes) if not tokens.scopes else frozenset()
    )
    account.scopes = caps.scope_text(granted)
    held = set(account.capabilities.split()) | set(caps.covered_capabilities(granted))
    account.capabilities = " ".join(sorted(held))
    account.state = ACTIVE
    account.reason = None
    account.version = (account.version or 0) + 1
    account.token_refreshed_at = now
    await session.flush()
    record_transitions(
        session=session,
        user_id=user_id,
        before=before,
        after=all_statuses(account),
        always_usable=capability,
        pending_action_ref=pending_action_ref,
    )
    return StoredGrant(user_id=user_id, email=account.email)


async def connect_link(
    *,
    session: AsyncSession,
    runtime: AuthRuntime,
    user_id: str,
    capability: str,
    pending_action_ref: str | None = None,
    channel: str | None = None,
    identity_id: int | None = None,
    browser_binding: str | None = None,
) -> tuple[str, datetime]:
    """Creates a one-time connect link (no commit): (url, expires_at).

    A web chat's link is made by the router only when the chat's own browser opens it, so it
    lives minutes; one already bound to a browser (a retry) lives as long as any link.
    """
    short = channel == "web" and browser_binding is None
    settings = runtime.settings
    secret, expires_at = await create_ticket(
        session=session,
        kind=CONNECT,
        user_id=user_id,
        ttl_seconds=(
            settings.web_connect_ticket_ttl_seconds
            if short
            else settings.connect_ticket_ttl_seconds
        ),
        capability=capability,
        pending_action_ref=pending_action_ref,
        channel=channel,
        identity_id=identity_id,
        browser_binding=browser_binding,
        # A retry made for the browser of a flow that got this far was confirmed there.
        confirmed=browser_binding is not None,
    )
    return runtime.url(f"/connect/{secret}"), expires_at


async def disconnect(*, session: AsyncSession, runtime: AuthRuntime, user_id: str) -> bool:
    """Revokes the grant at Google (best effort) and deletes the tokens; False if none held."""
    account = await session.scalar(
        select(GoogleAccount).where(GoogleAccount.user_id == user_id).with_for_update()
    )
    if account is None:
        return False
    token = account.refresh_token or account.access_token
    column = REFRESH_TOKEN if account.refresh_token else ACCESS_TOKEN
    if token:
        try:
            await runtime.google.revoke(
                token=runtime.cipher.decrypt(token, column=column, owner=user_id)
            )
        except GoogleError as err:
            logger.warning("revoke at Google failed; deleting our tokens anyway: %s", err)
    before = all_statuses(account)
    await session.delete(account)
    await session.flush()
    record_transitions(
        session=session,
        user_id=user_id,
        before=before,
        after=all_statuses(None),
        removed_reason=DISCONNECTED,
    )
    return True
