"""GET /connect: the web chat's connect link, checked against the browser's chat session."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from router_service.chat import service as chat
from router_service.chat.dependencies import COOKIE_NAME
from router_service.clients.exceptions import AuthServerRequestFailed, AuthServerUnavailable
from router_service.connect import pages
from router_service.connect.service import (
    CONFIRM_PATH,
    CONNECT_PATH,
    action_of_session,
    confirm_for_session,
    parse_action_id,
    ticket_for_session,
    well_formed_proof,
)
from router_service.context import RouterContext
from router_service.dependencies import ContextDep
from shared.db import SessionDep

router = APIRouter(tags=["web"])
RETRY_AFTER_SECONDS = "5"


@router.get(
    CONNECT_PATH,
    summary="Connect Google from the web chat (session cookie)",
    response_class=Response,
    responses={303: {"description": "On to auth-server's connect page"}, 403: {}, 503: {}},
)
async def connect(
    request: Request,
    session: SessionDep,
    context: ContextDep,
    action_id: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    """Sends the session's own browser on to a fresh one-time ticket; anyone else is refused."""
    chat_url = _chat_url(context)
    web = await chat.find_session(session=session, token=request.cookies.get(COOKIE_NAME))
    action = None
    if web is not None and action_id is not None:
        number = parse_action_id(action_id)
        if number is not None:
            action = await action_of_session(session=session, web=web, action_id=number)
        if action is None:
            web = None  # not this session's action: the same answer as no session at all
    if web is None:
        return pages.page(pages.NOT_YOURS, status_code=403, chat_url=chat_url)
    try:
        link = await ticket_for_session(auth=context.auth, web=web, action=action)
    except (AuthServerUnavailable, AuthServerRequestFailed):
        return _unavailable(chat_url)
    return RedirectResponse(link.url, status_code=303, headers=pages.HEADERS)


@router.get(
    CONFIRM_PATH,
    summary="Vouch for the chat session of the browser a web connect link is bound to",
    response_class=Response,
    responses={303: {"description": "Back to auth-server's connect page"}, 403: {}, 503: {}},
)
async def confirm(
    request: Request,
    session: SessionDep,
    context: ContextDep,
    ticket: str | None = None,
    proof: str | None = None,
) -> Response:
    """auth-server sent the link's browser here: only the chat's own browser goes back on."""
    chat_url = _chat_url(context)
    web = await chat.find_session(session=session, token=request.cookies.get(COOKIE_NAME))
    if web is None or ticket is None or proof is None or not well_formed_proof(ticket, proof):
        return pages.page(pages.NOT_YOURS, status_code=403, chat_url=chat_url)
    try:
        link = await confirm_for_session(auth=context.auth, web=web, ticket=ticket, proof=proof)
    except AuthServerRequestFailed:
        return pages.page(pages.NOT_YOURS, status_code=403, chat_url=chat_url)
    except AuthServerUnavailable:
        return _unavailable(chat_url)
    return RedirectResponse(link.url, status_code=303, headers=pages.HEADERS)


def _chat_url(context: RouterContext) -> str:
    """The web chat's address, where the pages' "back to chat" link goes."""
    return context.settings.public_base_url.rstrip("/") + "/"


def _unavailable(chat_url: str) -> Response:
    """auth-server could not be reached: try again in a few seconds."""
    return pages.page(
        pages.UNAVAILABLE,
        status_code=503,
        chat_url=chat_url,
        extra_headers={"Retry-After": RETRY_AFTER_SECONDS},
    )
