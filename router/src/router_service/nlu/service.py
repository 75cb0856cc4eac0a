"""The NLU service: rules first, an optional LLM only when the rules are unsure."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from router_service.nlu.dates import MAX_YEAR, MIN_YEAR
from router_service.nlu.llm import LOW_CONFIDENCE, LlmParser
from router_service.nlu.parser import parse
from router_service.nlu.schemas import NluResult

logger = logging.getLogger(__name__)

# The LLM never decides these: an answer to a proposal, a correction of it, or taking back
# the last change acts on the conversation and must come from the rules.
RULES_ONLY_INTENTS = frozenset({"approve", "reject", "amend", "undo"})
LLM_ASSUMPTION = "규칙으로 확신하지 못해 AI 해석을 사용했어요"


def parse_message(text: str, *, now: datetime, time_zone: str = "Asia/Seoul") -> NluResult:
    """Parses one message with the rules (pure: no I/O, same input → same result)."""
    return NluResult.from_parse(parse(text, now=now, time_zone=time_zone))


async def parse_with_fallback(
    text: str, *, now: datetime, time_zone: str = "Asia/Seoul", llm: LlmParser | None
) -> NluResult:
    """Parses with the rules and asks ``llm`` only when their confidence is low."""
    rules = parse_message(text, now=now, time_zone=time_zone)
    if (
        llm is None
        or rules.intent in RULES_ONLY_INTENTS
        or rules.refused  # an impossible date or not a request: the model may not widen it
        or rules.confidence >= LOW_CONFIDENCE
    ):
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
    if not _plausible(candidate):
        logger.info("nlu llm fallback proposed a day out of range; kept the rules' result")
        return rules
    return _in_zone(candidate, ZoneInfo(time_zone)).model_copy(
        update={
            "confidence": min(candidate.confidence, 0.85),
            "assumptions": [*candidate.assumptions, LLM_ASSUMPTION],
            # Still no day: the time the rules read stays (the SPEC's JSON has no place for it).
            "time_of_day": rules.time_of_day if candidate.needs else None,
        }
    )


def _plausible(result: NluResult) -> bool:
    """Whether every day the model named lies in the years the rules accept."""
    found: list[date] = []
    parts = (result.event, *(result.events or ()), result.range, result.target, result.changes)
    for slots in parts:
        for _, value in slots or ():
            if isinstance(value, date):
                found.append(value)
    return all(MIN_YEAR <= d.year <= MAX_YEAR for d in found)


def _in_zone(result: NluResult, zone: ZoneInfo) -> NluResult:
    """Expresses every instant of ``result`` in the user's zone (the model may use another)."""
    updates: dict[str, object] = {}
    for part in ("event", "range", "target", "changes"):
        slots = getattr(result, part)
        if slots is not None:
            updates[part] = _moved(slots, zone)
    if result.events:
        updates["events"] = [_moved(event, zone) for event in result.events]
    return result.model_copy(update=updates)


def _moved(slots: BaseModel, zone: ZoneInfo) -> BaseModel:
    moved = {name: value.astimezone(zone) for name, value in slots if isinstance(value, datetime)}
    return slots.model_copy(update=moved) if moved else slots
