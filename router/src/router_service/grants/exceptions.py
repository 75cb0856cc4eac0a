"""Errors of the grant-event route (stable codes)."""

from __future__ import annotations

from shared.errors import Forbidden


class CallerNotAllowed(Forbidden):
    code = "router.caller_not_allowed"
    message = "이 호출자는 이 경로를 쓸 수 없습니다."
