"""Errors of the identities domain."""

from shared.errors import NotFound


class IdentityNotFound(NotFound):
    code = "auth.identity_not_found"
    message = "이 사용자의 채널 계정을 찾을 수 없습니다."
