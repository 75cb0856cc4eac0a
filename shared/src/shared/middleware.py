"""Request middleware: request id in and out, access log line, metrics; body size limit;
admission control (a bound on the requests one process works on at once).

Pure ASGI (not BaseHTTPMiddleware) so streaming responses such as SSE pass
through untouched.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Iterable

from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.context import REQUEST_ID_HEADER, accept_request_id, caller_var, request_id_var
from shared.errors import HTTP_STATUS_CODES, AppError, ServerBusy, error_response
from shared.observability import Metrics

logger = logging.getLogger("shared.access")
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})

# app → {id(route): its whole path template}. A route of a router included in a prefixed
# router knows only its own part of the path (FastAPI keeps the prefixes in the include).
_route_templates: weakref.WeakKeyDictionary[object, dict[int, str]] = weakref.WeakKeyDictionary()


def route_template(scope: Scope) -> str:
    """The matched route's whole path template, prefixes included; "unmatched" if none."""
    route = scope.get("route")
    if route is None:
        return "unmatched"
    app = scope.get("app")
    templates = _route_templates.get(app) if app is not None else None
    if templates is None and app is not None:
        templates = {
            id(context.original_route): context.path
            for context in iter_route_contexts(getattr(app, "routes", []))
            if context.path
        }
        _route_templates[app] = templates
    return (templates or {}).get(id(route)) or getattr(route, "path", None) or "unmatched"


class RequestContextMiddleware:
    """Assigns the request id, echoes it, logs one access line and records metrics."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
                break
        request_id = accept_request_id(incoming)
        rid_token = request_id_var.set(request_id)
        caller_token = caller_var.set(None)
        started = time.perf_counter()
        status = 500
        started_response = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, started_response
            if message["type"] == "http.response.start":
                started_response = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.lower().encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception as exc:
            # The last resort: one log line with the traceback, one stable 500, no internals.
            logger.exception("unhandled error", extra={"error_type": type(exc).__name__})
            if started_response:
                raise
            await error_response(500, AppError.code, AppError.message)(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route_path = route_template(scope)
            self.metrics.observe(
                method=scope["method"], route=route_path, status=status, seconds=elapsed
            )
            if scope["path"] not in QUIET_PATHS:
                logger.info(
                    "%s %s %s",
                    scope["method"],
                    route_path,
                    status,
                    extra={"status": status, "duration_ms": round(elapsed * 1000, 2)},
                )
            request_id_var.reset(rid_token)
            caller_var.reset(caller_token)


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a body without (or beyond) its Content-Length grows too big.

    An HTTPException, so FastAPI's body parsing passes it on to the one handler (413).
    """

    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodySizeLimitMiddleware:
    """Refuses a body over ``max_bytes`` with 413 before it is read into memory.

    A declared Content-Length over the limit is refused at once; a chunked body is counted
    as it arrives and refused as soon as it passes the limit.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > self.max_bytes):
                code, message = HTTP_STATUS_CODES[413]
                details = {"max_bytes": self.max_bytes}
                await error_response(413, code, message, details)(scope, receive, send)
                return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge()
            return message

        await self.app(scope, counted_receive, send)


class AdmissionMiddleware:
    """Works on at most ``limit`` requests at once; the next waits up to ``wait_seconds`` for
    a slot, then gets a prompt 503 ``server.busy`` with ``Retry-After``.

    Past its capacity a process only grows queues: every request in it gets slower until
    they time out (the database pool's, a neighbour's), and the errors come late and from
    deep inside. Refusing at the door keeps the admitted ones fast and tells the others when
    to come back. Health, metrics and long-lived streams are never counted.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        wait_seconds: float,
        exempt_paths: Iterable[str] = (),
        retry_after: int = 1,
    ) -> None:
        self.app = app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self.exempt = QUIET_PATHS | frozenset(exempt_paths)
        self.retry_after = retry_after
        self.in_flight = 0
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made in the serving loop, on first use
            self._slots = asyncio.Semaphore(self.limit)
        if not await self._admit(self._slots):
            logger.warning("request refused: process busy", extra={"limit": self.limit})
            busy = ServerBusy(retry_after=self.retry_after)
            refusal = error_response(
                busy.status_code, busy.code, busy.message, busy.details, busy.headers
            )
            await refusal(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            self._slots.release()

    async def _admit(self, slots: asyncio.Semaphore) -> bool:
        if not slots.locked():
            await slots.acquire()  # a free slot: taken without waiting
            return True
        if self.wait_seconds <= 0:
            return False
        try:
            await asyncio.wait_for(slots.acquire(), timeout=self.wait_seconds)
        except TimeoutError:
            return False
        return True
