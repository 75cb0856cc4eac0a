"""Dependencies of the NLU routes: the optional LLM client."""

from __future__ import annotations

from fastapi import Request

from router_service.nlu.llm import LlmParser


async def nlu_llm(request: Request) -> LlmParser | None:
    """The app's LLM fallback (the dialogue's, with its call budget), or None when it is off."""
    return request.app.state.dialogue.llm
