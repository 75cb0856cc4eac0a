"""The browser's chat session (cookie ``haru_session``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response

from router_service.chat import service
from router_service.chat.exceptions import SessionMissing
from router_service.chat.models import WebSession
from router_service.config import RouterSettings
from router_service.ratelimits import limit_new_session
from shared.db import SessionDep

COOKIE_NAME = "haru_session"
COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def set_session_cookie(response: Response, token: str, settings: RouterSettings) -> None:
    """HttpOnly, SameSite=Lax, Secure when configured."""
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


async def web_session(request: Request, response: Response, session: SessionDep) -> WebSession:
    """The caller's chat session; a first visit gets a new one (and its cookie)."""
    found = await service.find_session(session=session, token=request.cookies.get(COOKIE_NAME))
    if found is not None:
        return found
    limit_new_session(request)  # each cookie-less request would make a session and a user
    created, token = await service.create_session(session=session)
    set_session_cookie(response, token, request.app.state.settings)
    return created


async def existing_web_session(request: Request, session: SessionDep) -> WebSession:
    """The caller's chat session, which must exist already (streams cannot set cookies)."""
    found = await service.find_session(session=session, token=request.cookies.get(COOKIE_NAME))
    if found is None:
        raise SessionMissing()
    return found


WebSessionDep = Annotated[WebSession, Depends(web_session)]
ExistingWebSessionDep = Annotated[WebSession, Depends(existing_web_session)]
