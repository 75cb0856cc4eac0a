"""The connect flow: one-time link → Google's consent page (PKCE, state) → callback → grant."""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.crypto import CODE_VERIFIER
from auth_server.grants import capabilities as caps
from auth_server.grants import service as grants
from auth_server.grants.google import GoogleError, GoogleInvalidGrant, GoogleUnavailable
from auth_server.oauth.models import LinkTicket, OAuthState
from auth_server.oauth.tickets import (
    ACCOUNT,
    CONNECT,
    consume_ticket,
    digest,
    find_ticket,
    new_secret,
)
from auth_server.runtime import AuthRuntime
from shared.db import rows_affected, utcnow

logger = logging.getLogger(__name__)

# Outcomes of opening a link or coming back from Google; each has its own Korean page.
OK = "ok"
LINK_UNKNOWN = "link_unknown"
LINK_USED = "link_used"
LINK_EXPIRED = "link_expired"
STATE_UNKNOWN = "state_unknown"
STATE_USED = "state_used"
STATE_EXPIRED = "state_expired"
DENIED = "denied"
SCOPE_MISSING = "scope_missing"
CODE_REJECTED = "code_rejected"
GOOGLE_UNAVAILABLE = "google_unavailable"
GOOGLE_ERROR = "google_error"


def check_ticket(ticket: LinkTicket | None, *, single_use: bool) -> str:
    """Why a link cannot be used, or ``OK``."""
    if ticket is None:
        return LINK_UNKNOWN
    if single_use and ticket.used_at is not None:
        return LINK_USED
    if ticket.expires_at <= utcnow():
        return LINK_EXPIRED
    return OK


async def open_connect_ticket(
    *, session: AsyncSession, secret: str
) -> tuple[str, LinkTicket | None]:
    """The connect ticket behind a link and whether it can still be used."""
    ticket = await find_ticket(session=session, secret=secret, kind=CONNECT)
    return check_ticket(ticket, single_use=True), ticket


async def open_account_ticket(
    *, session: AsyncSession, secret: str
) -> tuple[str, LinkTicket | None]:
    """The account page ticket behind a link and whether it is still valid."""
    ticket = await find_ticket(session=session, secret=secret, kind=ACCOUNT)
    return check_ticket(ticket, single_use=False), ticket


def form_token_ok(ticket: LinkTicket, presented: str | None) -> bool:
    """Whether a form carried the account page's token (CSRF)."""
    expected = ticket.form_token
    if not presented or not expected:
        return False
    return hmac.compare_digest(presented, expected)


async def begin_authorization(
    *,
    session: AsyncSession,
    runtime: AuthRuntime,
    user_id: str,
    capability: str,
    pending_action_ref: str | None = None,
    channel: str | None = None,
) -> str:
    """Stores a fresh OAuth state (no commit) and returns Google's consent URL."""
    account = await grants.get_account(session=session, user_id=user_id)
    state = new_secret()
    verifier = secrets.token_urlsafe(64)  # 86 unreserved characters (RFC 7636: 43-128)
    scopes = caps.requested_scopes(capability)
    session.add(
        OAuthState(
            id=digest(state),
            user_id=user_id,
            capability=capability,
            pending_action_ref=pending_action_ref,
            channel=channel,
            code_verifier=runtime.cipher.encrypt(verifier, column=CODE_VERIFIER, owner=user_id),
            scopes=" ".join(scopes),
            expires_at=utcnow() + timedelta(seconds=runtime.settings.oauth_state_ttl_seconds),
        )
    )
    return runtime.google.authorization_url(
        scopes=scopes,
        state=state,
        code_verifier=verifier,
        redirect_uri=runtime.redirect_uri,
        prompt_consent=not grants.holds_refresh_token(account),
        login_hint=account.email if account else None,
    )


async def start_from_connect_ticket(
    *, session: AsyncSession, runtime: AuthRuntime, secret: str
) -> tuple[str, str | None]:
    """Uses up a connect link and returns (outcome, Google's consent URL)."""
    outcome, ticket = await open_connect_ticket(session=session, secret=secret)
    if outcome != OK or ticket is None:
        return outcome, None
    if not await consume_ticket(session=session, ticket=ticket):
        await session.rollback()
        return LINK_USED, None
    url = await begin_authorization(
        session=session,
        runtime=runtime,
        user_id=ticket.user_id,
        capability=ticket.capability or "calendar",
        pending_action_ref=ticket.pending_action_ref,
        channel=ticket.channel,
    )
    await session.commit()
    return OK, url


@dataclass
class CallbackResult:
    outcome: str
    capability: str | None = None
    google_email: str | None = None
    retry_url: str | None = None
    missing: list[str] = field(default_factory=list)
    pending: bool = False


async def _retry_link(*, session: AsyncSession, runtime: AuthRuntime, state: OAuthState) -> str:
    url, _ = await grants.connect_link(
        session=session,
        runtime=runtime,
        user_id=state.user_id,
        capability=state.capability,
        pending_action_ref=state.pending_action_ref,
        channel=state.channel,
    )
    await session.commit()
    return url


async def complete_authorization(
    *,
    session: AsyncSession,
    runtime: AuthRuntime,
    state: str | None,
    code: str | None,
    error: str | None,
) -> CallbackResult:
    """Handles Google's redirect: checks the state, exchanges the code, stores the grant."""
    stored = await session.get(OAuthState, digest(state)) if state else None
    if stored is None:
        return CallbackResult(STATE_UNKNOWN)
    if stored.used_at is not None:
        return CallbackResult(STATE_USED, stored.capability)
    if stored.expires_at <= utcnow():
        return CallbackResult(STATE_EXPIRED, stored.capability)
    claimed = await session.execute(
        update(OAuthState)
        .where(OAuthState.id == stored.id, OAuthState.used_at.is_(None))
        .values(used_at=utcnow())
    )
    await session.commit()  # single use, even if what follows fails
    if rows_affected(claimed) != 1:
        return CallbackResult(STATE_USED, stored.capability)
    capability = stored.capability
    if error or not code:
        outcome = DENIED if error == "access_denied" else GOOGLE_ERROR
        return CallbackResult(
            outcome,
            capability,
            retry_url=await _retry_link(session=session, runtime=runtime, state=stored),
        )
    verifier = runtime.cipher.decrypt(
        stored.code_verifier, column=CODE_VERIFIER, owner=stored.user_id
    )
    try:
        tokens = await runtime.google.exchange_code(
            code=code,
            code_verifier=verifier,
            redirect_uri=runtime.redirect_uri,
        )
        info = await runtime.google.userinfo(access_token=tokens.access_token)
    except GoogleError as err:
        logger.warning("code exchange failed: %s", type(err).__name__)
        if isinstance(err, GoogleInvalidGrant):
            outcome = CODE_REJECTED
        elif isinstance(err, GoogleUnavailable):
            outcome = GOOGLE_UNAVAILABLE
        else:
            outcome = GOOGLE_ERROR
        return CallbackResult(
            outcome,
            capability,
            retry_url=await _retry_link(session=session, runtime=runtime, state=stored),
        )
    granted = tokens.scopes or stored.scopes.split()
    if not caps.covers(granted, capability):
        return CallbackResult(
            SCOPE_MISSING,
            capability,
            google_email=info.email,
            missing=caps.missing_scopes(granted, capability),
            retry_url=await _retry_link(session=session, runtime=runtime, state=stored),
        )
    saved = await grants.store_grant(
        session=session,
        cipher=runtime.cipher,
        user_id=stored.user_id,
        sub=info.sub,
        email=info.email,
        tokens=tokens,
        capability=capability,
        pending_action_ref=stored.pending_action_ref,
    )
    await session.commit()
    runtime.events_recorded()
    return CallbackResult(
        OK, capability, google_email=saved.email, pending=bool(stored.pending_action_ref)
    )
