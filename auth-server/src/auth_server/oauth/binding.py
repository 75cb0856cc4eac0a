"""The browser a link and its trip to Google are bound to (cookie ``haru_browser``).

The first browser that opens a link gets (or already has) a random cookie; the link and the
OAuth state store its SHA-256. Another browser presenting the same link, or Google's answer
arriving in a browser without that cookie, is refused: a forwarded link or consent page
cannot connect someone else's Google account to the link's Haru user.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response

from auth_server.oauth.tickets import digest
from auth_server.runtime import AuthRuntime, RuntimeDep

COOKIE_NAME = "haru_browser"
COOKIE_MAX_AGE = 60 * 60 * 24  # long enough for a link's life and the trip to Google
_WELL_FORMED = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class Browser:
    """The browser of a request: its cookie value and whether this request made it."""

    cookie: str
    new: bool
    secure: bool

    @property
    def binding(self) -> str:
        """What links and states store: the digest, never the cookie itself."""
        return digest(self.cookie)

    def matches(self, binding: str | None) -> bool:
        """Whether this browser is the one ``binding`` names (constant time)."""
        return bool(binding) and hmac.compare_digest(self.binding, binding or "")

    def remember(self, response: Response) -> Response:
        """Sets the cookie on ``response`` when this request made it."""
        if self.new:
            response.set_cookie(
                COOKIE_NAME,
                self.cookie,
                max_age=COOKIE_MAX_AGE,
                httponly=True,
                # Lax: sent on Google's top-level redirect back to the callback.
                samesite="lax",
                secure=self.secure,
                path="/",
            )
        return response


def browser_of(request: Request, runtime: AuthRuntime) -> Browser:
    """The request's browser, with a fresh cookie when it has none (or a malformed one)."""
    secure = runtime.settings.public_base_url.startswith("https://")
    value = request.cookies.get(COOKIE_NAME, "")
    if _WELL_FORMED.match(value):
        return Browser(value, new=False, secure=secure)
    return Browser(secrets.token_urlsafe(32), new=True, secure=secure)


async def get_browser(request: Request, runtime: RuntimeDep) -> Browser:
    """Dependency: the request's browser."""
    return browser_of(request, runtime)


BrowserDep = Annotated[Browser, Depends(get_browser)]
