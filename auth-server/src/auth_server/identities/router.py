"""Internal routes for channel identities."""

from __future__ import annotations

from fastapi import APIRouter

from auth_server.identities import service
from auth_server.identities.schemas import LinkIn, LinkOut, ResolveIn, ResolveOut
from shared.db import SessionDep

router = APIRouter(prefix="/identities", tags=["identities"])


@router.post("/resolve", response_model=ResolveOut)
async def resolve(body: ResolveIn, session: SessionDep) -> ResolveOut:
    """Returns the identity's user, creating both on first sight."""
    resolved = await service.resolve_identity(
        session=session,
        channel=body.channel,
        external_id=body.external_id,
        display_name=body.display_name,
    )
    return ResolveOut(
        user_id=resolved.user_id, created=resolved.created, google_email=resolved.google_email
    )


@router.post("/link", response_model=LinkOut)
async def link(body: LinkIn, session: SessionDep) -> LinkOut:
    """Points an identity at an existing user."""
    user_id = await service.link_identity(
        session=session, channel=body.channel, external_id=body.external_id, user_id=body.user_id
    )
    return LinkOut(user_id=user_id)
