"""Request context middleware: request id in and out, access log line, metrics.

Pure ASGI (not BaseHTTPMiddleware) so streaming responses such as SSE pass
through untouched.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.context import REQUEST_ID_HEADER, accept_request_id, caller_var, request_id_var
from shared.errors import AppError, error_response
from shared.observability import Metrics

logger = logging.getLogger("shared.access")
QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


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
            route = scope.get("route")
            route_path = getattr(route, "path", None) or "unmatched"
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
