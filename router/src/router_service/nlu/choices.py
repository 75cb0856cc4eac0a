"""A numbered answer to a list of candidates: "2번", "3번으로 할게요", "1."."""

from __future__ import annotations

import re

_CHOICE = re.compile(
    r"^\s*(\d{1,2})\s*(?:번(?:째)?|\.)?\s*(?:으로|로)?\s*(?:할게요?|해\s*줘|이?요)?\s*[.!]?\s*$"
)


def choice_number(text: str) -> int | None:
    """The number of "2번", "3번으로 할게요", "1." (None for anything else)."""
    match = _CHOICE.match(text)
    return int(match.group(1)) if match else None
