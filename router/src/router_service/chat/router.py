"""The web chat's JSON API under /api/chat/ (session cookie, no service token)."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from router_service.chat import live, service
from router_service.chat.dependencies import ExistingWebSessionDep, WebSessionDep
from router_service.chat.schemas import Decision, Link, MessageList, SendMessage, SessionInfo
from router_service.conversations.models import Channel
from router_service.conversations.service import messages_after, recent_messages
from router_service.dependencies import ContextDep
from router_service.dialogue.flows import handle_decision, handle_incoming
from router_service.ratelimits import limit_per_address, limit_session_messages
from shared.db import MAX_ROW_ID, SessionDep

logger = logging.getLogger(__name__)
router = APIRouter(
    prefix="/api/chat",
    tags=["chat"],
    dependencies=[Depends(limit_per_address)],
    responses={429: {"description": "request.rate_limited (see Retry-After)"}},
)
HEARTBEAT_SECONDS = 15.0
HISTORY_LIMIT = 100


@router.get("/session", response_model=SessionInfo, summary="The browser's chat session")
async def get_session(web: WebSessionDep, session: SessionDep, context: ContextDep) -> SessionInfo:
    """Creates the session on first visit (cookie ``haru_session``) and names its user."""
    identity = await context.auth.resolve_identity(channel="web", external_id=web.external_id)
    last_id = await service.last_message_id(session=session, conversation_key=web.conversation_key)
    await service.touch(session=session, web=web, user_id=identity.user_id)
    return SessionInfo(
        user_id=identity.user_id,
        google_email=identity.google_email,
        conversation_key=web.conversation_key,
        last_message_id=last_id,
    )


@router.post(
    "/messages",
    response_model=MessageList,
    status_code=201,
    summary="Send a message",
    responses={
        400: {"description": "chat.message_empty"},
        422: {"description": "too long; datetime.zone_unknown"},
    },
)
async def send_message(
    request: Request,
    body: SendMessage,
    web: WebSessionDep,
    session: SessionDep,
    context: ContextDep,
) -> MessageList:
    """Stores the message and returns it with Haru's replies."""
    limit_session_messages(request, web.id)
    turn = await handle_incoming(
        session=session,
        app=context,
        channel=Channel.web,
        external_id=web.external_id,
        user_id=await service.user_of(web=web, auth=context.auth),
        conversation_key=web.conversation_key,
        text=body.text,
        time_zone=body.time_zone,
    )
    messages = await service.to_chat_messages(
        session=session, messages=[turn.incoming, *turn.replies]
    )
    return MessageList(messages=messages)


@router.get("/messages", response_model=MessageList, summary="Conversation history")
async def list_messages(
    web: WebSessionDep,
    session: SessionDep,
    after_id: int | None = Query(
        None, ge=0, le=MAX_ROW_ID, description="Only messages newer than this id"
    ),
) -> MessageList:
    """The latest messages, or those after ``after_id``, oldest first."""
    if after_id is None:
        rows = await recent_messages(
            session=session, conversation_key=web.conversation_key, limit=HISTORY_LIMIT
        )
    else:
        rows = await messages_after(
            session=session,
            conversation_key=web.conversation_key,
            after_id=after_id,
            limit=HISTORY_LIMIT,
        )
    return MessageList(messages=await service.to_chat_messages(session=session, messages=rows))


@router.post(
    "/actions/{action_id}/decision",
    response_model=MessageList,
    summary="Approve, reject or choose for a proposal",
)
async def decide(
    action_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)],
    body: Decision,
    request: Request,
    web: WebSessionDep,
    session: SessionDep,
    context: ContextDep,
) -> MessageList:
    """Applies a button; a second click on an answered proposal returns no messages."""
    limit_session_messages(request, web.id)
    turn = await handle_decision(
        session=session,
        app=context,
        action_id=action_id,
        decision=body.decision,
        choice=body.choice,
        conversation_key=web.conversation_key,
    )
    messages = await service.to_chat_messages(
        session=session, messages=[turn.incoming, *turn.replies]
    )
    return MessageList(messages=messages)


@router.get("/account-link", response_model=Link, summary="One-time link to the account page")
async def account_link(web: WebSessionDep, context: ContextDep) -> Link:
    """A fresh link to the auth-server's account page for this chat's user."""
    user_id = await service.user_of(web=web, auth=context.auth)
    # For this chat's web identity: auth-server has the router confirm it in the browser.
    link = await context.auth.create_account_link(
        user_id=user_id, channel="web", external_id=web.external_id
    )
    return Link(url=link.url, expires_at=link.expires_at)


@router.get(
    "/stream",
    summary="Server-sent events of new messages",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream(
    request: Request,
    web: ExistingWebSessionDep,
    after_id: int = Query(0, ge=0, le=MAX_ROW_ID, description="Stream messages newer than this id"),
) -> StreamingResponse:
    """New messages as they are stored by any replica (LISTEN/NOTIFY on PostgreSQL, else polls)."""
    last_event = request.headers.get("last-event-id", "")
    start_after = _last_event_id(last_event) or after_id
    stream = live.events(
        request,
        database=request.app.state.database,
        listener=request.app.state.listener,
        conversation_key=web.conversation_key,
        after_id=start_after,
        poll=request.app.state.settings.stream_poll_seconds,
    )
    return StreamingResponse(
        stream,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _last_event_id(header: str) -> int | None:
    """The browser's ``Last-Event-ID`` when it is an id we could have sent, else None."""
    if header.isascii() and header.isdigit() and len(header) <= 19 and int(header) <= MAX_ROW_ID:
        return int(header)
    return None
