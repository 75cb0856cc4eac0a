"""Errors of the Slack channel (stable codes)."""

from __future__ import annotations

from shared.errors import AppError, BadRequest, NotFound, Unauthorized


class SlackNotConfigured(NotFound):
    code = "slack.not_configured"
    message = (
        "Slack 연동이 설정되지 않았어요 (ROUTER_SLACK_BOT_TOKEN, ROUTER_SLACK_SIGNING_SECRET)."
    )


class SignatureInvalid(Unauthorized):
    code = "slack.signature_invalid"
    message = "Slack 요청 서명이 올바르지 않습니다."


class SignatureStale(Unauthorized):
    code = "slack.signature_stale"
    message = "Slack 요청의 시각이 허용 범위(5분)를 벗어났습니다."


class PayloadInvalid(BadRequest):
    code = "slack.payload_invalid"
    message = "Slack 요청 본문을 읽을 수 없습니다."


class SlackApiFailed(AppError):
    """A Slack Web API call failed; ``error`` is Slack's code (or ``http_<status>``)."""

    status_code = 502
    code = "slack.api_failed"
    message = "Slack에 메시지를 보내지 못했어요."

    def __init__(
        self, error: str, *, transient: bool, retry_after: float | None = None, status: int = 0
    ) -> None:
        super().__init__(details={"error": error, "status": status})
        self.error = error
        self.transient = transient
        self.retry_after = retry_after
        self.status = status
