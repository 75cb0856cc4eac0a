"""Errors of the events domain."""

from shared.errors import BadRequest, Unprocessable
from shared.time import RANGE_INVALID_CODE


class IdempotencyKeyMissing(BadRequest):
    code = "idempotency.key_missing"
    message = "Idempotency-Key 헤더가 필요합니다."


class RangeInvalid(Unprocessable):
    code = RANGE_INVALID_CODE
    message = "끝 시각이 시작 시각보다 뒤여야 합니다."
