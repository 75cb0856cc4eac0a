"""Errors about pending actions (stable codes)."""

from __future__ import annotations

from shared.errors import NotFound


class ActionNotFound(NotFound):
    code = "dialogue.action_not_found"
    message = "해당 요청을 찾을 수 없어요."
