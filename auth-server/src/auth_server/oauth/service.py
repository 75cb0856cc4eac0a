"""The connect flow: one-time link → Google's consent page (PKCE, state) → callback → grant."""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from auth_server.crypto import CODE_VERIFIER
from auth_server.grants import capabilities as caps
from auth_server.grants import service as grants
from auth_server.grants.exceptions import GoogleAccountTaken
from auth_server.grants.google import GoogleError, GoogleInvalidGrant, GoogleUnavailable
from auth_server.identities.models import Identity
from auth_server.identities.service import IdentityLabel, label_for
from auth_server.oauth.binding import Browser
from auth_server.oauth.exceptions import LinkNotConfirmable
from auth_server.oauth.models import LinkTicket, OAuthState
from auth_server.oauth.tickets import (
    ACCOUNT,
    CONNECT,
    bind_to_browser,
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
LINK_OTHER_BROWSER = "link_other_browser"
LINK_UNCONFIRMED = "link_unconfirmed"
STATE_UNKNOWN = "state_unknown"
STATE_USED = "state_used"
STATE_EXPIRED = "state_expired"
STATE_OTHER_BROWSER = "state_other_browser"
ACCOUNT_TAKEN = "account_taken"
DENIED = "denied"
SCOPE_MISSING = "scope_missing"
CODE_REJECTED = "code_rejected"
GOOGLE_UNAVAILABLE = "google_unavailable"
GOOGLE_ERROR = "google_error"
GOOGLE_REDIRECT_ERROR = "google_redirect_error"  # error= other than access_denied at the callback


def check_ticket(ticket: LinkTicket | None, *, single_use: bool) -> str:
    """Why a link cannot be used, or ``OK``."""
    if ticket is None:
        return LINK_UNKNOWN
    if single_use and ticket.used_at is not None:
        return LINK_USED
    if ticket.expires_at <= utcnow():
        return LINK_EXPIRED
    return OK


async def _open_bound(
    *, session: AsyncSession, secret: str, kind: str, browser: Browser
) -> tuple[str, LinkTicket | None]:
    """The ticket behind a link, bound to the first browser that opens it, and its outcome."""
    ticket = await find_ticket(session=session, secret=secret, kind=kind)
    outcome = check_ticket(ticket, single_use=kind == CONNECT)
    if outcome != OK or ticket is None:
        return outcome, ticket
    await bind_to_browser(session=session, ticket=ticket, binding=browser.binding)
    if not browser.matches(ticket.browser_binding):
        return LINK_OTHER_BROWSER, None
    return OK, ticket


async def open_connect_ticket(
    *, session: AsyncSession, secret: str, browser: Browser
) -> tuple[str, LinkTicket | None]:
    """The connect ticket behind a link and whether this browser can still use it."""
    return await _open_bound(session=session, secret=secret, kind=CONNECT, browser=browser)


async def open_account_ticket(
    *, session: AsyncSession, secret: str, browser: Browser, confirmed: bool = True
) -> tuple[str, LinkTicket | None]:
    """The account page ticket behind a link and whether this browser may use it; with
    ``confirmed``, a web chat's link must have the router's word already."""
    outcome, ticket = await _open_bound(
        session=session, secret=secret, kind=ACCOUNT, browser=browser
    )
    if confirmed and ticket is not None and needs_router(ticket):
        return LINK_UNCONFIRMED, None
    return outcome, ticket


def needs_router(ticket: LinkTicket) -> bool:
    """Whether a web chat's link still waits for the router's word on the chat session."""
    return ticket.channel == "web" and ticket.confirmed_at is None


async def ask_router(
    *, session: AsyncSession, runtime: AuthRuntime, ticket: LinkTicket, secret: str
) -> str:
    """A fresh one-time proof for the bound browser to carry to the router; the router URL.

    The proof reaches only the browser the link is bound to; the router adds its check of
    that browser's chat session. Both in one browser: the chat's owner opened the link.
    """
    proof = new_secret()
    ticket.confirm_digest = digest(proof)
    await session.commit()
    query = urlencode({"ticket": secret, "proof": proof})
    return f"{runtime.router_confirm_url}?{query}"


async def confirm_web_ticket(
    *, session: AsyncSession, runtime: AuthRuntime, secret: str, proof: str, external_id: str
) -> tuple[str, LinkTicket]:
    """The router vouches that the browser carrying ``proof`` holds the chat session of the
    web identity ``external_id``: the link becomes usable there (commits)."""
    ticket = await find_ticket(session=session, secret=secret, kind=CONNECT)
    ticket = ticket or await find_ticket(session=session, secret=secret, kind=ACCOUNT)
    if ticket is None or not needs_router(ticket):
        raise LinkNotConfirmable()
    if check_ticket(ticket, single_use=ticket.kind == CONNECT) != OK:
        raise LinkNotConfirmable()
    if not ticket.confirm_digest or not hmac.compare_digest(ticket.confirm_digest, digest(proof)):
        raise LinkNotConfirmable()
    identity = await session.get(Identity, ticket.identity_id) if ticket.identity_id else None
    if identity is None or identity.channel != "web" or identity.external_id != external_id:
        raise LinkNotConfirmable()
    claimed = await session.execute(
        update(LinkTicket)
        .where(LinkTicket.id == ticket.id, LinkTicket.confirm_digest == ticket.confirm_digest)
        .values(confirm_digest=None, confirmed_at=utcnow())
    )
    await session.commit()
    if rows_affected(claimed) != 1:
        raise LinkNotConfirmable()
    return runtime.url(f"/{ticket.kind}/{secret}"), ticket


def form_token_ok(ticket: LinkTicket, presented: str | None) -> bool:
    """Whether a form carried the account page's token (CSRF)."""
    expected = (ticket.form_token or "").encode()
    # Bytes: compare_digest refuses non-ASCII str (a TypeError, once a 500).
    given = (presented or "").encode("utf-8", "replace")
    return bool(given and expected) and hmac.compare_digest(given, expected)


async def begin_authorization(
    *,
    session: AsyncSession,
    runtime: AuthRuntime,
    user_id: str,
    capability: str,
    browser: Browser,
    pending_action_ref: str | None = None,
    channel: str | None = None,
    identity_id: int | None = None,
) -> str:
    """Stores a fresh OAuth state bound to ``browser`` (no commit); Google's consent URL.

    Always ``prompt=consent``: whoever follows a link sees Google's consent screen, even
    when Haru already holds a refresh token for the account.
    """
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
            identity_id=identity_id,
            browser_binding=browser.binding,
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
        prompt_consent=True,
        login_hint=account.email if account else None,
    )


async def start_from_connect_ticket(
    *, session: AsyncSession, runtime: AuthRuntime, secret: str, browser: Browser
) -> tuple[str, str | None]:
    """Uses up a connect link in its browser and returns (outcome, Google's consent URL)."""
    outcome, ticket = await open_connect_ticket(session=session, secret=secret, browser=browser)
    if outcome != OK or ticket is None:
        return outcome, None
    if needs_router(ticket):
        return LINK_UNCONFIRMED, None
    if not await consume_ticket(session=session, ticket=ticket):
        await session.rollback()
        return LINK_USED, None
    url = await begin_authorization(
        session=session,
        runtime=runtime,
        user_id=ticket.user_id,
        capability=ticket.capability or "calendar",
        browser=browser,
        pending_action_ref=ticket.pending_action_ref,
        channel=ticket.channel,
        identity_id=ticket.identity_id,
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
    identity: IdentityLabel | None = None


async def _retry_link(*, session: AsyncSession, runtime: AuthRuntime, state: OAuthState) -> str:
    url, _ = await grants.connect_link(
        session=session,
        runtime=runtime,
        user_id=state.user_id,
        capability=state.capability,
        pending_action_ref=state.pending_action_ref,
        channel=state.channel,
        identity_id=state.identity_id,
        browser_binding=state.browser_binding,  # the retry works only where this one began
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
    browser: Browser,
) -> CallbackResult:
    """Handles Google's redirect: checks the state and its browser, exchanges the code,
    stores the grant."""
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
    if not browser.matches(stored.browser_binding):
        # Google's answer reached a browser other than the one that went there (a forwarded
        # consent page): the state is spent, the code never exchanged.
        logger.warning("oauth callback in another browser refused")
        return CallbackResult(STATE_OTHER_BROWSER, capability)
    identity = await label_for(
        session=session, channel=stored.channel, identity_id=stored.identity_id
    )
    if error or not code:
        outcome = DENIED if error == "access_denied" else GOOGLE_REDIRECT_ERROR
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
    try:
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
    except GoogleAccountTaken:
        # Never merged silently. The tokens are dropped, not revoked: revoking would end
        # the other user's grant too (Google revokes per client and account).
        await session.rollback()
        await session.refresh(stored)
        logger.warning("consent with a google account of another user refused")
        return CallbackResult(
            ACCOUNT_TAKEN,
            capability,
            google_email=info.email,
            identity=identity,
            retry_url=await _retry_link(session=session, runtime=runtime, state=stored),
        )
    await session.commit()
    runtime.events_recorded()
    return CallbackResult(
        OK,
        capability,
        google_email=saved.email,
        pending=bool(stored.pending_action_ref),
        identity=identity,
    )
