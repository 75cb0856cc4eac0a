"""Request-scoped context: the request id and the calling service travel with the task."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
caller_var: ContextVar[str | None] = ContextVar("caller", default=None)


def current_request_id() -> str | None:
    """The request id of the request being served, if any."""
    return request_id_var.get()


def current_caller() -> str | None:
    """The authenticated calling service of the request being served, if any."""
    return caller_var.get()


def new_request_id() -> str:
    """A fresh random request id."""
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """Keeps an incoming id when it is well-formed, else makes a new one (no log injection)."""
    if value and _VALID_REQUEST_ID.match(value):
        return value
    return new_request_id()
