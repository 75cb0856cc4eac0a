"""Grants: state per capability, storing a fresh grant, issuing and refreshing access tokens."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.crypto import ACCESS_TOKEN, REFRESH_TOKEN, TokenCipher
from auth_server.events.service import GRANT_UNUSABLE, GRANT_USABLE, record_grant_event
from auth_server.grants import capabilities as caps
from auth_server.grants.exceptions import (
    GoogleAccountTaken,
    GoogleUpstreamUnavailable,
    ReauthRequired,
)
from auth_server.grants.google import (
    GoogleError,
    GoogleInvalidGrant,
    GoogleUnavailable,
    TokenSet,
)
from auth_server.grants.models import GoogleAccount
from auth_server.oauth.tickets import CONNECT, create_ticket
from auth_server.runtime import AuthRuntime
from auth_server.users.dependencies import valid_user
from shared.auth import token_sha256
from shared.db import rows_affected, utcnow

logger = logging.getLogger(__name__)

ACTIVE = "active"
MISSING = "missing"
NEEDS_REAUTH = "needs_reauth"
DEGRADED = "degraded"
USABLE_STATES = frozenset({ACTIVE, DEGRADED})

REVOKED = "revoked"
SCOPE_MISSING = "scope_missing"
TESTING_EXPIRY_SUSPECTED = "testing_expiry_suspected"
UPSTREAM_UNAVAILABLE = "upstream_unavailable"
DISCONNECTED = "disconnected"
NOT_CONNECTED = "not_connected"

REASON_TEXT = {
    (ACTIVE, None): "정상",
    (MISSING, None): "연결되지 않음",
    (MISSING, NOT_CONNECTED): "연결되지 않음",
    (MISSING, DISCONNECTED): "연결 해제됨",
    (NEEDS_REAUTH, REVOKED): "재연결 필요: 권한이 취소됨",
    (NEEDS_REAUTH, SCOPE_MISSING): "재연결 필요: 권한 부족",
    (NEEDS_REAUTH, TESTING_EXPIRY_SUSPECTED): "재연결 필요: 테스트 모드 토큰 만료 의심",
    (DEGRADED, UPSTREAM_UNAVAILABLE): "일시적 오류: Google 응답 지연 (연결은 유지됨)",
}


def reason_text(state: str, reason: str | None) -> str:
    """The Korean sentence for a grant state and reason."""
    return REASON_TEXT.get((state, reason)) or REASON_TEXT.get((state, None)) or "재연결 필요"


@dataclass(frozen=True)
class GrantStatus:
    capability: str
    state: str
    reason: str | None
    scopes: list[str]
    google_email: str | None

    @property
    def usable(self) -> bool:
        return self.state in USABLE_STATES

    @property
    def reason_text(self) -> str:
        return reason_text(self.state, self.reason)


@dataclass(frozen=True)
class AccessToken:
    access_token: str
    expires_at: datetime
    scopes: list[str]
    google_email: str | None


def capability_status(account: GoogleAccount | None, capability: str) -> GrantStatus:
    """The state of one capability given the user's Google account (or none)."""
    if account is None:
        return GrantStatus(capability, MISSING, None, [], None)
    scopes = sorted(caps.normalize_scopes(account.scopes))
    held = capability in account.capabilities.split()
    covered = caps.covers(account.scopes, capability)
    email = account.email
    if not covered and not held:
        return GrantStatus(capability, MISSING, None, scopes, email)
    if account.state == NEEDS_REAUTH:
        return GrantStatus(capability, NEEDS_REAUTH, account.reason or REVOKED, scopes, email)
    if not covered:
        return GrantStatus(capability, NEEDS_REAUTH, SCOPE_MISSING, scopes, email)
    if account.state == DEGRADED:
        return GrantStatus(capability, DEGRADED, UPSTREAM_UNAVAILABLE, scopes, email)
    return GrantStatus(capability, ACTIVE, None, scopes, email)


def all_statuses(account: GoogleAccount | None) -> dict[str, GrantStatus]:
    """Every capability's status."""
    return {name: capability_status(account, name) for name in caps.CAPABILITIES}


def record_transitions(
    *,
    session: AsyncSession,
    user_id: str,
    before: dict[str, GrantStatus],
    after: dict[str, GrantStatus],
    always_usable: str | None = None,
    pending_action_ref: str | None = None,
    removed_reason: str | None = None,
) -> int:
    """Records an outbox event for every capability that became usable or unusable.

    ``always_usable`` (the capability a connect flow completed for) gets a usable
    event even when it already was usable: the router waits for it to resume.
    """
    count = 0
    for name, now in after.items():
        was = before[name]
        if now.usable and (not was.usable or name == always_usable):
            record_grant_event(
                session=session,
                type=GRANT_USABLE,
                user_id=user_id,
                capability=name,
                state=now.state,
                pending_action_ref=pending_action_ref if name == always_usable else None,
            )
            count += 1
        elif was.usable and not now.usable:
            record_grant_event(
                session=session,
                type=GRANT_UNUSABLE,
                user_id=user_id,
                capability=name,
                state=now.state,
                reason=now.reason or removed_reason,
            )
            count += 1
    return count


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
