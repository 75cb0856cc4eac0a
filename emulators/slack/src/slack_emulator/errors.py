"""Slack's error shape: {"ok": false, "error": "<code>"}, HTTP 200 unless rate limited or 5xx."""

from fastapi import Request
from fastapi.responses import JSONResponse

# The codes Slack documents for server-side trouble, by the HTTP status we answer with.
SERVER_ERRORS = {500: "internal_error", 502: "fatal_error", 503: "service_unavailable"}


class SlackApiError(Exception):
    """A Web API method failed: rendered the way Slack renders it."""

    def __init__(
        self, error: str, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        self.error = error
        self.status = status
        self.headers = headers or {}
        super().__init__(error)

    def body(self) -> dict:
        """Slack's error body."""
        return {"ok": False, "error": self.error}


async def slack_api_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """Render a SlackApiError."""
    assert isinstance(exc, SlackApiError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


class DriverError(Exception):
    """A control/driver request that cannot be done: {"error": "<code>"} with a status."""

    def __init__(self, status: int, error: str) -> None:
        self.status = status
        self.error = error
        super().__init__(error)


async def driver_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """Render a DriverError."""
    assert isinstance(exc, DriverError)
    return JSONResponse({"error": exc.error}, status_code=exc.status)
