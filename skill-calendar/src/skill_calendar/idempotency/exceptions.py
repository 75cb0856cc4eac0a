"""Errors of the idempotency ledger."""

from shared.errors import Unprocessable


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency.key_reused"
    message = "같은 Idempotency-Key가 다른 요청에 이미 쓰였습니다."
