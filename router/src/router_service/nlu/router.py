"""``POST /internal/nlu/parse``: the parser over HTTP (service-token protected)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends

from router_service.nlu.dependencies import nlu_llm
from router_service.nlu.llm import LlmParser
from router_service.nlu.schemas import ParseRequest
from router_service.nlu.service import parse_with_fallback
from shared.errors import Unprocessable
from shared.time import now_in, zone_or_error

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/nlu", tags=["nlu"])


class MessageUnreadable(Unprocessable):
    code = "nlu.unreadable"
    message = "이 메시지는 해석할 수 없습니다(날짜가 표현 범위를 벗어나는 등)."


@router.post("/parse", response_model=None, responses={422: {"description": "nlu.unreadable"}})
async def parse_route(
    body: ParseRequest, llm: LlmParser | None = Depends(nlu_llm)
) -> dict[str, object]:
    """Parses one message into the SPEC's JSON (``NluResult.to_spec_json``) plus assumptions.

    ``now`` defaults to the current time in ``time_zone``.
    """
    now = body.now or now_in(zone_or_error(body.time_zone))
    try:
        result = await parse_with_fallback(body.text, now=now, time_zone=body.time_zone, llm=llm)
    except Exception as err:  # e.g. a date past year 9999: the input's limit, never a 500
        logger.warning("nlu failed on a message", extra={"error_type": type(err).__name__})
        raise MessageUnreadable() from err
    return result.to_spec_json()
