"""Errors of the link flow on the internal API."""

from shared.errors import NotFound


class LinkNotConfirmable(NotFound):
    """No web link waits for this proof from this chat session (any reason, one answer)."""

    code = "auth.link_not_confirmable"
    message = "확인할 연결 링크가 없습니다. 채팅에서 링크를 다시 눌러 주세요."
