"""Access tokens: served from the row while fresh, refreshed ahead of expiry or on demand
(under the row lock, once for all waiters)."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.crypto import ACCESS_TOKEN, REFRESH_TOKEN, TokenCipher
from auth_server.grants import capabilities as caps
from auth_server.grants.exceptions import GoogleUpstreamUnavailable, ReauthRequired
from auth_server.grants.google import GoogleError, GoogleInvalidGrant, GoogleUnavailable
from auth_server.grants.models import GoogleAccount
from auth_server.grants.service import get_account, get_status
from auth_server.grants.status import (
    ACTIVE,
    DEGRADED,
    NEEDS_REAUTH,
    NOT_CONNECTED,
    REVOKED,
    TESTING_EXPIRY_SUSPECTED,
    UPSTREAM_UNAVAILABLE,
    GrantStatus,
    all_statuses,
    capability_status,
    reason_text,
    record_transitions,
)
from auth_server.runtime import AuthRuntime
from auth_server.users.dependencies import valid_user
from shared.auth import token_sha256
from shared.db import rows_affected, utcnow

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AccessToken:
    access_token: str
    expires_at: datetime
    scopes: list[str]
    google_email: str | None


def _reauth_error(*, capability: str, status: GrantStatus) -> ReauthRequired:
    """409 for skill-calendar: why the grant is unusable (the router makes the connect link)."""
    reason = status.reason or NOT_CONNECTED
    return ReauthRequired(
        details={
            "reason": reason,
            "reason_text": reason_text(status.state, status.reason),
            "capability": capability,
        }
    )


def _fresh(account: GoogleAccount, *, margin: timedelta) -> bool:
    expires = account.access_token_expires_at
    return bool(account.access_token and expires and expires - margin > utcnow())


def _access_token(cipher: TokenCipher, account: GoogleAccount) -> AccessToken:
    assert account.access_token is not None and account.access_token_expires_at is not None
    return AccessToken(
        access_token=cipher.decrypt(
            account.access_token, column=ACCESS_TOKEN, owner=account.user_id
        ),
        expires_at=account.access_token_expires_at,
        scopes=sorted(caps.normalize_scopes(account.scopes)),
        google_email=account.email,
    )


def invalid_grant_reason(*, issued_at: datetime | None, testing_expiry_days: float) -> str:
    """``testing_expiry_suspected`` when the refresh token died at about Google's 7-day mark."""
    if issued_at is None:
        return REVOKED
    age = utcnow() - issued_at
    lifetime = timedelta(days=testing_expiry_days)
    if lifetime - timedelta(hours=12) <= age <= lifetime + timedelta(days=1):
        return TESTING_EXPIRY_SUSPECTED
    return REVOKED


def _forced(
    *,
    cipher: TokenCipher,
    account: GoogleAccount,
    force_refresh: bool,
    refused_token_sha256: str | None,
) -> bool:
    """Whether the request forces a refresh of the token held now.

    Named by its fingerprint, only the refused token itself is refreshed: a newer one
    (someone refreshed after the caller's 401) is served as it is.
    """
    if refused_token_sha256 is None:
        return force_refresh
    if account.access_token is None:
        return True
    held = cipher.decrypt(account.access_token, column=ACCESS_TOKEN, owner=account.user_id)
    return hmac.compare_digest(token_sha256(held), refused_token_sha256)


async def issue_access_token(
    *,
    session: AsyncSession,
    runtime: AuthRuntime,
    user_id: str,
    capability: str,
    force_refresh: bool = False,
    refused_token_sha256: str | None = None,
) -> AccessToken:
    """An access token good for ``capability``, refreshed ahead of expiry or on demand."""
    margin = timedelta(seconds=runtime.settings.refresh_margin_seconds)
    # The usual call reads one row and writes nothing: outside a transaction, it spares the
    # BEGIN and the ROLLBACK (two of its database round trips). A refresh takes a
    # transaction of its own, with the row lock (``_refresh``).
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    account = await get_account(session=session, user_id=user_id)
    status = capability_status(account, capability)
    if account is None or not status.usable:
        if account is None:
            await valid_user(user_id, session)  # 404 for a user that does not exist
        await session.rollback()
        raise _reauth_error(capability=capability, status=status)
    forced = _forced(
        cipher=runtime.cipher,
        account=account,
        force_refresh=force_refresh,
        refused_token_sha256=refused_token_sha256,
    )
    if not forced and _fresh(account, margin=margin):
        return _access_token(runtime.cipher, account)
    seen_version = account.version
    # Give the connection back before queueing: waiters must not starve the refresher.
    await session.rollback()
    async with runtime.refresh_locks.hold(user_id):
        return await _refresh(
            runtime=runtime,
            user_id=user_id,
            capability=capability,
            seen_version=seen_version,
            force_refresh=force_refresh,
            refused_token_sha256=refused_token_sha256,
        )


async def _refresh(
    *,
    runtime: AuthRuntime,
    user_id: str,
    capability: str,
    seen_version: int,
    force_refresh: bool,
    refused_token_sha256: str | None,
) -> AccessToken:
    """Refreshes under the row lock; whoever got the lock after a refresh reuses its token.

    The row lock (SELECT ... FOR UPDATE) serialises refreshers across auth-server
    processes on PostgreSQL; the in-process lock around this call queues the rest.
    """
    margin = timedelta(seconds=runtime.settings.refresh_margin_seconds)
    failure: Exception | GrantStatus | None = None
    forced = force_refresh or refused_token_sha256 is not None
    async with runtime.sessionmaker() as session:
        async with session.begin():
            account = await session.scalar(
                select(GoogleAccount)
                .where(GoogleAccount.user_id == user_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            )
            status = capability_status(account, capability)
            if account is None or not status.usable:
                failure = status
            else:
                forced = _forced(
                    cipher=runtime.cipher,
                    account=account,
                    force_refresh=force_refresh,
                    refused_token_sha256=refused_token_sha256,
                )
                if (
                    refused_token_sha256 is None
                    and account.version != seen_version
                    and _fresh(account, margin=timedelta(0))
                ):
                    return _access_token(runtime.cipher, account)  # someone refreshed meanwhile
                if not forced and _fresh(account, margin=margin):
                    return _access_token(runtime.cipher, account)
                failure = await _refresh_locked(session=session, runtime=runtime, account=account)
                if failure is None:
                    return _access_token(runtime.cipher, account)
        if isinstance(failure, GrantStatus):
            raise _reauth_error(capability=capability, status=failure)
        if isinstance(failure, GoogleInvalidGrant):
            runtime.events_recorded()
            status = await get_status(session=session, user_id=user_id, capability=capability)
            raise _reauth_error(capability=capability, status=status)
        if not forced and account is not None and _fresh(account, margin=timedelta(0)):
            # Refreshing ahead of expiry failed, but the token we hold is still good.
            return _access_token(runtime.cipher, account)
        retry_after = runtime.settings.upstream_retry_after_seconds
        if isinstance(failure, GoogleUnavailable) and failure.retry_after:
            retry_after = max(1, int(failure.retry_after))
        raise GoogleUpstreamUnavailable(retry_after=retry_after) from failure


async def _refresh_locked(
    *, session: AsyncSession, runtime: AuthRuntime, account: GoogleAccount
) -> GoogleError | None:
    """Calls Google with the row locked and writes the outcome; returns the failure, if any."""
    cipher = runtime.cipher
    before = all_statuses(account)
    locked_version = account.version
    if not account.refresh_token:
        account.state, account.reason = NEEDS_REAUTH, REVOKED
        record_transitions(
            session=session, user_id=account.user_id, before=before, after=all_statuses(account)
        )
        return GoogleInvalidGrant("no refresh token held")
    refresh_token = cipher.decrypt(
        account.refresh_token, column=REFRESH_TOKEN, owner=account.user_id
    )
    try:
        tokens = await runtime.google.refresh(refresh_token=refresh_token)
    except GoogleInvalidGrant as err:
        reason = invalid_grant_reason(
            issued_at=account.refresh_token_issued_at,
            testing_expiry_days=runtime.settings.testing_expiry_days,
        )
        logger.warning("google refused the refresh token", extra={"reason": reason})
        account.state, account.reason = NEEDS_REAUTH, reason
        account.access_token = None
        account.access_token_expires_at = None
        account.version += 1
        record_transitions(
            session=session, user_id=account.user_id, before=before, after=all_statuses(account)
        )
        return err
    except GoogleError as err:
        logger.warning("token refresh failed transiently: %s", err)
        if account.state != DEGRADED:
            account.state, account.reason = DEGRADED, UPSTREAM_UNAVAILABLE
        return err
    now = utcnow()
    values: dict[str, object] = {
        "access_token": cipher.encrypt(
            tokens.access_token, column=ACCESS_TOKEN, owner=account.user_id
        ),
        "access_token_expires_at": tokens.expires_at,
        "state": ACTIVE,
        "reason": None,
        "version": locked_version + 1,
        "token_refreshed_at": now,
        "updated_at": now,
    }
    if tokens.scopes:
        values["scopes"] = caps.scope_text(tokens.scopes)
    if tokens.refresh_token:  # Google may rotate it
        values["refresh_token"] = cipher.encrypt(
            tokens.refresh_token, column=REFRESH_TOKEN, owner=account.user_id
        )
        values["refresh_token_issued_at"] = now
    # Version check: never overwrite a token someone stored after we read the row.
    result = await session.execute(
        update(GoogleAccount)
        .where(GoogleAccount.id == account.id, GoogleAccount.version == locked_version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    await session.refresh(account)
    if rows_affected(result) == 1:
        record_transitions(
            session=session, user_id=account.user_id, before=before, after=all_statuses(account)
        )
    return None
