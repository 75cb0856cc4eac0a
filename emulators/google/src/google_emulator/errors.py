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
    503: ("backendError", "The service is currently unavailable."),
}

# Reasons whose domain and message Google fixes ("Handle API errors" guide).
KNOWN_REASONS = {
    "rateLimitExceeded": ("usageLimits", "Rate Limit Exceeded"),
    "userRateLimitExceeded": ("usageLimits", "User Rate Limit Exceeded"),
    "quotaExceeded": ("usageLimits", "Calendar usage limits exceeded."),
    "timeRangeEmpty": ("calendar", "The specified time range is empty."),
    "forbiddenForNonOrganizer": (
        "calendar",
        "Shared properties can only be changed by the organizer of the event.",
    ),
}

INVALID_CREDENTIALS = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
LOGIN_REQUIRED = (
    "Request is missing required authentication credential. Expected OAuth 2 access token, "
    "login cookie or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)
REALM = 'Bearer realm="https://accounts.google.com/"'


class GoogleApiError(Exception):
    """An error answered in the Calendar API's JSON error format."""

    def __init__(
        self,
        status: int,
        reason: str | None = None,
        message: str | None = None,
        *,
        domain: str | None = None,
        headers: dict[str, str] | None = None,
        extra: dict | None = None,
        top_message: str | None = None,
        details: list[dict] | None = None,
    ) -> None:
        default_reason, default_message = DEFAULT_REASONS.get(status, ("backendError", "Error"))
        self.status = status
        self.reason = reason or default_reason
        known_domain, known_message = KNOWN_REASONS.get(self.reason, ("global", None))
        self.message = message or known_message or default_message
        self.top_message = top_message or self.message
        self.domain = domain or known_domain
        self.headers = headers or {}
        self.extra = extra or {}
        self.details = details
        super().__init__(self.message)

    def body(self) -> dict:
        """Google's error body."""
        item = {"message": self.message, "domain": self.domain, "reason": self.reason}
        item.update(self.extra)
        error = {
            "code": self.status,
            "message": self.top_message,
            "errors": [item],
            "status": STATUS_NAMES.get(self.status, "UNKNOWN"),
        }
        if self.details:
            error["details"] = self.details
        return {"error": error}


def unauthenticated(*, missing: bool = False) -> GoogleApiError:
    """401 as Google answers a missing, unknown, expired or revoked access token."""
    return GoogleApiError(
        401,
        "required" if missing else "authError",
        "Login Required." if missing else "Invalid Credentials",
        top_message=LOGIN_REQUIRED if missing else INVALID_CREDENTIALS,
        headers={"WWW-Authenticate": REALM if missing else REALM + ', error="invalid_token"'},
        extra={"location": "Authorization", "locationType": "header"},
    )


def insufficient_scopes(*, method: str, scope: str) -> GoogleApiError:
    """403 for a token whose scopes do not cover the call."""
    return GoogleApiError(
        403,
        "insufficientPermissions",
        "Insufficient Permission",
        top_message="Request had insufficient authentication scopes.",
        headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{scope}"'},
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                "domain": "googleapis.com",
                "metadata": {"service": "calendar-json.googleapis.com", "method": method},
            }
        ],
    )


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
