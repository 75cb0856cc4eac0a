"""Dependencies of the NLU routes: the optional LLM client, built once per app."""

from __future__ import annotations

import logging

from fastapi import Request

from router_service.nlu.llm import LlmParser, OpenAiNluParser

logger = logging.getLogger(__name__)


async def nlu_llm(request: Request) -> LlmParser | None:
    """The app's LLM fallback client, or None when ROUTER_LLM_ENABLED is false or unusable."""
    settings = request.app.state.settings
    if not getattr(settings, "llm_enabled", False):
        return None
    existing = getattr(request.app.state, "nlu_llm", None)
    if existing is not None:
        return existing
    try:
        client = OpenAiNluParser(
            model=settings.llm_model, timeout_seconds=settings.llm_timeout_seconds
        )
    except Exception as err:  # e.g. no OPENAI_API_KEY: the rules still answer
        logger.warning("nlu llm fallback disabled: %s", type(err).__name__)
        return None
    request.app.state.nlu_llm = client
    return client
