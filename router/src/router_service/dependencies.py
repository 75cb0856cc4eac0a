"""App-wide dependencies: the dialogue core's collaborators."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from router_service.dialogue.service import DialogueDeps


async def get_dialogue_deps(request: Request) -> DialogueDeps:
    """The clients and settings the dialogue core works with (built at startup)."""
    return request.app.state.dialogue


DialogueDepsDep = Annotated[DialogueDeps, Depends(get_dialogue_deps)]
