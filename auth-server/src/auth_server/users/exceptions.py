"""Errors of the users domain."""

from shared.errors import NotFound


class UserNotFound(NotFound):
    code = "auth.user_not_found"
    message = "사용자를 찾을 수 없습니다."
