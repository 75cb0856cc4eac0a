"""Google Calendar failures as this service's stable errors."""

from __future__ import annotations

from typing import Any

from shared.errors import AppError, Conflict, NotFound, UpstreamUnavailable


class CalendarUnavailable(UpstreamUnavailable):
    code = "calendar.upstream_unavailable"
    message = "Google 캘린더가 잠시 응답하지 않습니다. 잠시 후 다시 시도해 주세요."


class CalendarReauthRequired(Conflict):
    code = "calendar.reauth_required"
    message = "Google 캘린더 연결을 다시 해 주세요."

    def __init__(
        self, *, reason: str, connect_url: str | None, reason_text: str | None = None, **kw: Any
    ) -> None:
        details: dict[str, Any] = {"reason": reason, "connect_url": connect_url}
        if reason_text:  # the auth-server's Korean words for the reason, passed on as they are
            details["reason_text"] = reason_text
        super().__init__(details=details, **kw)


class CalendarUserUnknown(NotFound):
    code = "calendar.user_unknown"
    message = "알 수 없는 사용자입니다."


class EventNotFound(NotFound):
    code = "calendar.event_not_found"
    message = "일정을 찾을 수 없습니다. 이미 삭제되었을 수 있습니다."


class CalendarAccessDenied(AppError):
    status_code = 403
    code = "calendar.access_denied"
    message = "이 캘린더에 접근할 권한이 없습니다."


class CalendarRequestRejected(AppError):
    status_code = 422
    code = "calendar.request_rejected"
    message = "Google 캘린더가 요청을 받아들이지 않았습니다."


class CalendarPreconditionFailed(Conflict):
    code = "calendar.precondition_failed"
    message = "일정이 그사이 바뀌었습니다. 다시 시도해 주세요."


class CalendarUpstreamError(AppError):
    status_code = 502
    code = "calendar.upstream_error"
    message = "Google 캘린더에서 예상하지 못한 오류가 났습니다."


class GoogleIdTaken(Exception):
    """Google answered 409: an event with the requested id already exists (internal signal)."""


class SyncTokenExpired(Exception):
    """Google answered 410 fullSyncRequired: the sync token no longer holds (internal signal)."""


class ChannelNotFound(Exception):
    """channels.stop answered 404: Google has no such channel (stopped or run out already)."""
