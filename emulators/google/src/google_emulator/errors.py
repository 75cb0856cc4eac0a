"""Google's two error shapes: the JSON API error body and the OAuth 2.0 error body."""

from fastapi import Request
from fastapi.responses import JSONResponse

STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    410: "NOT_FOUND",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    502: "UNAVAILABLE",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

DEFAULT_REASONS = {
    400: ("badRequest", "Bad Request"),
    401: ("authError", "Invalid Credentials"),
    403: ("forbidden", "Forbidden"),
    404: ("notFound", "Not Found"),
    409: ("duplicate", "The requested identifier already exists."),
    410: ("deleted", "Resource has been deleted"),
    412: ("conditionNotMet", "Precondition Failed"),
    429: ("rateLimitExceeded", "Rate Limit Exceeded"),
    500: ("backendError", "Backend Error"),
    503: ("backendError", "Backend Error"),
}


class GoogleApiError(Exception):
    """An error answered in the Calendar API's JSON error format."""

    def __init__(
        self,
        status: int,
        reason: str | None = None,
        message: str | None = None,
        *,
        domain: str = "global",
        headers: dict[str, str] | None = None,
        extra: dict | None = None,
    ) -> None:
        default_reason, default_message = DEFAULT_REASONS.get(status, ("backendError", "Error"))
        self.status = status
        self.reason = reason or default_reason
        self.message = message or default_message
        self.domain = domain
        self.headers = headers or {}
        self.extra = extra or {}
        super().__init__(self.message)

    def body(self) -> dict:
        """Google's error body."""
        item = {"domain": self.domain, "reason": self.reason, "message": self.message}
        item.update(self.extra)
        return {
            "error": {
                "code": self.status,
                "message": self.message,
                "errors": [item],
                "status": STATUS_NAMES.get(self.status, "UNKNOWN"),
            }
        }


class OAuthError(Exception):
    """An error answered in the OAuth 2.0 token endpoint format."""

    def __init__(self, status: int, error: str, description: str, headers=None) -> None:
        self.status = status
        self.error = error
        self.description = description
        self.headers = headers or {}
        super().__init__(description)

    def body(self) -> dict:
        """The OAuth error body."""
        return {"error": self.error, "error_description": self.description}


async def google_api_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """Render a GoogleApiError."""
    assert isinstance(exc, GoogleApiError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def oauth_error_handler(_: Request, exc: Exception) -> JSONResponse:
    """Render an OAuthError."""
    assert isinstance(exc, OAuthError)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
