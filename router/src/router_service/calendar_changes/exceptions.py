"""Errors of the calendar-changes route (stable codes)."""

from __future__ import annotations

from shared.errors import UpstreamUnavailable


class ListenerFailed(UpstreamUnavailable):
    code = "calendar_changes.listener_failed"
    message = "일정 변경을 아직 처리하지 못했습니다. 잠시 후 다시 보내 주세요."
