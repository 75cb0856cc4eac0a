"""The NLU service: rules first, an optional LLM only when the rules are unsure."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from router_service.nlu.llm import LOW_CONFIDENCE, LlmParser
from router_service.nlu.parser import parse
from router_service.nlu.schemas import NluResult

logger = logging.getLogger(__name__)

# The LLM never decides these: an answer to a proposal must come from the rules.
RULES_ONLY_INTENTS = frozenset({"approve", "reject"})
LLM_ASSUMPTION = "규칙으로 확신하지 못해 AI 해석을 사용했어요"


def parse_message(text: str, *, now: datetime, time_zone: str = "Asia/Seoul") -> NluResult:
    """Parses one message with the rules (pure: no I/O, same input → same result)."""
    return NluResult.from_parse(parse(text, now=now, time_zone=time_zone))


async def parse_with_fallback(
    text: str, *, now: datetime, time_zone: str = "Asia/Seoul", llm: LlmParser | None
) -> NluResult:
    """Parses with the rules and asks ``llm`` only when their confidence is low."""
    rules = parse_message(text, now=now, time_zone=time_zone)
    if llm is None or rules.intent in RULES_ONLY_INTENTS or rules.confidence >= LOW_CONFIDENCE:
        return rules
    try:
        raw = await asyncio.wait_for(
            llm.parse(text=text, now=now, time_zone=time_zone), timeout=llm.timeout_seconds
        )
        candidate = NluResult.from_spec_json(raw)
    except (TimeoutError, ValidationError, ValueError, TypeError) as err:
        logger.warning("nlu llm fallback unusable: %s", type(err).__name__)
        return rules
    except Exception as err:  # the LLM is optional: any failure keeps the rules' answer
        logger.warning("nlu llm fallback failed: %s", type(err).__name__)
        return rules
    if candidate.intent in RULES_ONLY_INTENTS:
        logger.info("nlu llm fallback proposed an answer intent; kept the rules' result")
        return rules
    return _in_zone(candidate, ZoneInfo(time_zone)).model_copy(
        update={
            "confidence": min(candidate.confidence, 0.85),
            "assumptions": [*candidate.assumptions, LLM_ASSUMPTION],
        }
    )


def _in_zone(result: NluResult, zone: ZoneInfo) -> NluResult:
    """Expresses every instant of ``result`` in the user's zone (the model may use another)."""
    updates = {}
    for part in ("event", "range", "target", "changes"):
        slots = getattr(result, part)
        if slots is None:
            continue
        moved = {
            name: value.astimezone(zone)
            for name, value in slots
            if isinstance(value, datetime) and value is not None
        }
        if moved:
            updates[part] = slots.model_copy(update=moved)
    return result.model_copy(update=updates)
