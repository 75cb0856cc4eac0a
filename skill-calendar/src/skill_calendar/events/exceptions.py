"""Errors of the events domain."""

from shared.errors import BadRequest, NotFound, Unprocessable
from shared.time import OUT_OF_RANGE_CODE, RANGE_INVALID_CODE

OUT_OF_RANGE_MESSAGE = "지원하는 날짜 범위(1년–9999년)를 벗어났습니다."


class IdempotencyKeyMissing(BadRequest):
    code = "idempotency.key_missing"
    message = "Idempotency-Key 헤더가 필요합니다."


class RangeInvalid(Unprocessable):
    code = RANGE_INVALID_CODE
    message = "끝 시각이 시작 시각보다 뒤여야 합니다."


class DatetimeOutOfRange(Unprocessable):
    code = OUT_OF_RANGE_CODE
    message = OUT_OF_RANGE_MESSAGE


class NotRecurring(NotFound):
    code = "calendar.not_recurring"
    message = "반복 일정이 아닙니다."
