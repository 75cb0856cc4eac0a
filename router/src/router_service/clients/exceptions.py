"""Errors of the router's calls to auth-server and skill-calendar (stable codes)."""

from __future__ import annotations

from shared.errors import AppError, NotFound, UpstreamUnavailable


class AuthServerUnavailable(UpstreamUnavailable):
    code = "router.auth_server_unavailable"
    message = "계정 서비스가 잠시 응답하지 않아요. 잠시 후 다시 시도해 주세요."


class AuthServerRequestFailed(AppError):
    status_code = 502
    code = "router.auth_server_failed"
    message = "계정 서비스가 요청을 처리하지 못했어요."


class CalendarUnavailable(UpstreamUnavailable):
    code = "router.calendar_unavailable"
    message = "캘린더 서비스가 잠시 응답하지 않아요. 잠시 후 다시 시도해 주세요."


class CalendarRequestFailed(AppError):
    status_code = 502
    code = "router.calendar_failed"
    message = "캘린더 서비스가 요청을 처리하지 못했어요."


class CalendarReauthRequired(AppError):
    """skill-calendar has no usable Google grant for the user (409 calendar.reauth_required)."""

    status_code = 409
    code = "calendar.reauth_required"
    message = "구글 캘린더 연결이 필요해요."


class CalendarEventNotFound(NotFound):
    code = "calendar.event_not_found"
    message = "일정을 찾을 수 없어요."
