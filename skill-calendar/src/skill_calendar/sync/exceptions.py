"""Errors of the sync routes."""

from __future__ import annotations

from shared.errors import AppError, NotFound


class ChannelUnknown(NotFound):
    code = "sync.channel_unknown"
    message = "알 수 없는 알림 채널입니다."


class NotificationInvalid(AppError):
    status_code = 400
    code = "sync.notification_invalid"
    message = "Google 알림의 헤더가 올바르지 않습니다."


class NotWatched(NotFound):
    code = "sync.not_watched"
    message = "이 사용자의 캘린더는 동기화하고 있지 않습니다."
