"""``POST /internal/nlu/parse``: the parser over HTTP (service-token protected)."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from router_service.nlu.dependencies import nlu_llm
from router_service.nlu.llm import LlmParser
from router_service.nlu.schemas import ParseRequest
from router_service.nlu.service import parse_with_fallback
from shared.time import now_in, zone_or_error

router = APIRouter(prefix="/nlu", tags=["nlu"])


@router.post("/parse", response_model=None)
async def parse_route(
    body: ParseRequest, llm: LlmParser | None = Depends(nlu_llm)
) -> dict[str, object]:
    """Parses one message into the SPEC's JSON (``NluResult.to_spec_json``) plus assumptions.

    ``now`` defaults to the current time in ``time_zone``.
    """
    now = body.now or now_in(zone_or_error(body.time_zone))
    result = await parse_with_fallback(body.text, now=now, time_zone=body.time_zone, llm=llm)
    return result.to_spec_json()
