"""One error hierarchy, one handler, one JSON shape for every service.

Shape: ``{"error": {"code": "...", "message": "...", "details": {...}, "request_id": "..."}}``.
Messages are Korean where a person may read them; ``code`` is stable and
machine-readable.
"""

from __future__ import annotations

import json
import logging
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ExceptionHandler

from shared.context import current_request_id
from shared.text import (
    INVALID_ID_CODE,
    UNSTORABLE_TEXT_CODE,
    UNSTORABLE_TEXT_MESSAGE,
    without_lone_surrogates,
)
from shared.time import (
    NAIVE_DATETIME_CODE,
    OUT_OF_RANGE_CODE,
    RANGE_INVALID_CODE,
    ZONE_UNKNOWN_CODE,
)

logger = logging.getLogger(__name__)

# Validation error types that are promoted to the top-level error code.
PROMOTED_VALIDATION_CODES = (
    NAIVE_DATETIME_CODE,
    RANGE_INVALID_CODE,
    ZONE_UNKNOWN_CODE,
    OUT_OF_RANGE_CODE,
    UNSTORABLE_TEXT_CODE,
    INVALID_ID_CODE,
)


class AppError(Exception):
    """Base of every error a service raises on purpose."""

    status_code: int = 500
    code: str = "internal.error"
    message: str = "내부 오류가 발생했습니다. 잠시 후 다시 시도해 주세요."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.message
        self.details = details or {}
        self.headers = headers or {}
        super().__init__(self.message)


class BadRequest(AppError):
    status_code = 400
    code = "request.invalid"
    message = "요청이 올바르지 않습니다."


class Unauthorized(AppError):
    status_code = 401
    code = "auth.unauthorized"
    message = "인증이 필요합니다."


class Forbidden(AppError):
    status_code = 403
    code = "auth.forbidden"
    message = "이 작업을 할 권한이 없습니다."


class NotFound(AppError):
    status_code = 404
    code = "resource.not_found"
    message = "찾을 수 없습니다."


class Conflict(AppError):
    status_code = 409
    code = "resource.conflict"
    message = "요청이 현재 상태와 충돌합니다."


class Unprocessable(AppError):
    status_code = 422
    code = "request.unprocessable"
    message = "요청을 처리할 수 없습니다."


class UpstreamUnavailable(AppError):
    status_code = 503
    code = "upstream.unavailable"
    message = "연결된 서비스가 잠시 응답하지 않습니다. 잠시 후 다시 시도해 주세요."

    def __init__(self, message: str | None = None, *, retry_after: int | None = None, **kw: Any):
        super().__init__(message, **kw)
        if retry_after is not None:
            self.headers.setdefault("Retry-After", str(retry_after))
            self.details.setdefault("retry_after", retry_after)


class DatabaseBusy(UpstreamUnavailable):
    """Every connection of the pool is in use (overload): come back in a moment."""

    code = "database.busy"
    message = "요청이 많아 잠시 처리할 수 없습니다. 잠시 후 다시 시도해 주세요."


class ServerBusy(UpstreamUnavailable):
    """The process already works on as many requests as it may (admission control)."""

    code = "server.busy"
    message = "요청이 많아 잠시 처리할 수 없습니다. 잠시 후 다시 시도해 주세요."


HTTP_STATUS_CODES = {
    400: ("request.invalid", "요청이 올바르지 않습니다."),
    401: ("auth.unauthorized", "인증이 필요합니다."),
    403: ("auth.forbidden", "이 작업을 할 권한이 없습니다."),
    404: ("http.not_found", "요청한 주소를 찾을 수 없습니다."),
    405: ("http.method_not_allowed", "허용되지 않는 메서드입니다."),
    413: ("request.too_large", "요청 본문이 너무 큽니다."),
    415: ("request.unsupported_media_type", "지원하지 않는 형식입니다."),
}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """Builds the one JSON error shape."""
    return {
        "error": {
            "code": code,
            "message": message,
            "details": details or {},
            "request_id": current_request_id(),
        }
    }


class ErrorResponse(JSONResponse):
    """JSON that renders whatever the request put in it: a lone surrogate echoed back in a
    validation message (``"time_zone": "\\ud800"``) becomes U+FFFD, not an encoding 500."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(content, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return without_lone_surrogates(text).encode("utf-8")


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """Renders the one JSON error shape as a response."""
    return ErrorResponse(
        error_body(code, message, details), status_code=status_code, headers=headers
    )


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for err in exc.errors():
        fields.append(
            {
                "loc": [str(part) for part in err.get("loc", ())],
                "type": err.get("type"),
                "message": err.get("msg"),
            }
        )
    return fields


async def handle_app_error(request: Request, exc: AppError) -> JSONResponse:
    """Renders an AppError."""
    if exc.status_code >= 500:
        logger.error("request failed: %s", exc.code, extra={"error_code": exc.code})
    return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)


async def handle_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Renders FastAPI's validation errors in the one shape, promoting known codes."""
    fields = _validation_details(exc)
    code, message = "request.validation_failed", "요청 값이 올바르지 않습니다."
    for field in fields:
        if field["type"] in PROMOTED_VALIDATION_CODES:
            code, message = field["type"], field["message"]
            break
    return error_response(422, code, message, {"fields": fields})


async def handle_http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Renders Starlette's HTTP exceptions (404, 405 ...) in the one shape."""
    code, message = HTTP_STATUS_CODES.get(exc.status_code, ("http.error", str(exc.detail)))
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


# PostgreSQL refuses some text outright (a NUL character, "\\u0000" in JSON): the request's
# fault, not the server's. SQLSTATE 22021 character_not_in_repertoire, 22P05 untranslatable.
UNSTORABLE_TEXT_SQLSTATES = frozenset({"22021", "22P05"})


def _sqlstate(exc: BaseException) -> str | None:
    for candidate in (
        getattr(exc, "orig", None),
        getattr(getattr(exc, "orig", None), "__cause__", None),
    ):
        state = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if state:
            return str(state)
    return None


async def handle_database_error(request: Request, exc: DBAPIError) -> JSONResponse:
    """Text the database cannot store is a 422; any other database error stays a 500."""
    if _sqlstate(exc) in UNSTORABLE_TEXT_SQLSTATES:
        return error_response(422, UNSTORABLE_TEXT_CODE, UNSTORABLE_TEXT_MESSAGE)
    raise exc


async def handle_pool_timeout(request: Request, exc: PoolTimeout) -> JSONResponse:
    """The pool had no free connection within its timeout: a prompt 503 with Retry-After."""
    logger.warning("database pool exhausted", extra={"error_code": DatabaseBusy.code})
    busy = DatabaseBusy(retry_after=1)
    return error_response(busy.status_code, busy.code, busy.message, busy.details, busy.headers)


def install_error_handlers(app: FastAPI) -> None:
    """Installs the one error handler set on ``app`` (unexpected errors: the middleware)."""
    # Starlette types a handler as taking any Exception; each is registered for its own class.
    handlers = {
        AppError: handle_app_error,
        DBAPIError: handle_database_error,
        PoolTimeout: handle_pool_timeout,
        RequestValidationError: handle_validation_error,
        StarletteHTTPException: handle_http_exception,
    }
    for error_class, handler in handlers.items():
        app.add_exception_handler(error_class, cast(ExceptionHandler, handler))
