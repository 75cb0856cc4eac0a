"""Internal routes: grant state, access tokens, connect and account links."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from auth_server.grants import service, tokens
from auth_server.grants.schemas import (
    AccountLinkIn,
    CapabilityName,
    ConfirmLinkIn,
    ConnectLinkIn,
    GrantOut,
    LinkOut,
    TokenIn,
    TokenOut,
)
from auth_server.identities.service import identity_of_user
from auth_server.oauth import service as flow
from auth_server.oauth.tickets import ACCOUNT, create_ticket
from auth_server.runtime import RuntimeDep
from auth_server.users.dependencies import valid_user
from shared.db import SessionDep

router = APIRouter(tags=["grants"])


@router.get("/users/{user_id}/grants/{capability}", response_model=GrantOut)
async def read_grant(user_id: str, capability: CapabilityName, session: SessionDep) -> GrantOut:
    """The state of one capability's grant for a user."""
    await valid_user(user_id, session)
    grant = await service.get_status(session=session, user_id=user_id, capability=capability)
    return GrantOut(
        capability=grant.capability,
        state=grant.state,
        reason=grant.reason,
        reason_text=grant.reason_text,
        scopes=grant.scopes,
        google_email=grant.google_email,
    )


@router.post("/tokens", response_model=TokenOut)
async def issue_token(
    body: TokenIn, session: SessionDep, runtime: RuntimeDep, response: Response
) -> TokenOut:
    """An access token for the capability; 409 reauth_required, 503 upstream_unavailable.

    One read in the usual case: the user is looked up only when no Google account is
    linked (404 ``auth.user_not_found`` rather than 409)."""
    token = await tokens.issue_access_token(
        session=session,
        runtime=runtime,
        user_id=body.user_id,
        capability=body.capability,
        force_refresh=body.force_refresh,
        refused_token_sha256=body.refused_token_sha256,
    )
    response.headers["Cache-Control"] = "no-store"
    return TokenOut(
        access_token=token.access_token,
        expires_at=token.expires_at,
        scopes=token.scopes,
        google_email=token.google_email,
    )


@router.post("/connect-links", status_code=status.HTTP_201_CREATED, response_model=LinkOut)
async def create_connect_link(
    body: ConnectLinkIn, session: SessionDep, runtime: RuntimeDep
) -> LinkOut:
    """A one-time link to the connect page for a capability, naming the identity it is for."""
    await valid_user(body.user_id, session)
    identity = await identity_of_user(
        session=session, user_id=body.user_id, channel=body.channel, external_id=body.external_id
    )
    url, expires_at = await service.connect_link(
        session=session,
        runtime=runtime,
        user_id=body.user_id,
        capability=body.capability,
        pending_action_ref=body.pending_action_ref,
        channel=body.channel,
        identity_id=identity.id if identity is not None else None,
    )
    await session.commit()
    return LinkOut(url=url, expires_at=expires_at)


@router.post(
    "/connect-links/confirm",
    response_model=LinkOut,
    responses={404: {"description": "auth.link_not_confirmable"}},
)
async def confirm_connect_link(
    body: ConfirmLinkIn, session: SessionDep, runtime: RuntimeDep
) -> LinkOut:
    """The router vouches for the chat session of the browser carrying a web link's proof."""
    url, ticket = await flow.confirm_web_ticket(
        session=session,
        runtime=runtime,
        secret=body.ticket,
        proof=body.proof,
        external_id=body.external_id,
    )
    return LinkOut(url=url, expires_at=ticket.expires_at)


@router.post("/account-links", status_code=status.HTTP_201_CREATED, response_model=LinkOut)
async def create_account_link(
    body: AccountLinkIn, session: SessionDep, runtime: RuntimeDep
) -> LinkOut:
    """A link to the account page."""
    await valid_user(body.user_id, session)
    identity = await identity_of_user(
        session=session, user_id=body.user_id, channel=body.channel, external_id=body.external_id
    )
    secret, expires_at = await create_ticket(
        session=session,
        kind=ACCOUNT,
        user_id=body.user_id,
        ttl_seconds=runtime.settings.account_ticket_ttl_seconds,
        channel=body.channel,
        identity_id=identity.id if identity is not None else None,
    )
    await session.commit()
    return LinkOut(url=runtime.url(f"/account/{secret}"), expires_at=expires_at)
