"""Comparing what people wrote: the one rule for when two event titles are the same."""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_SCHEDULE_WORD = "일정"  # "검진 일정" names the event "검진"


def title_key(title: str | None) -> str:
    """A title as compared: NFKC, no white space, case-folded, a trailing 일정 dropped.

    skill-calendar's duplicate check, the router's matching of a named event and the test
    doubles all use this, so "팀 미팅", "팀미팅" and "팀미팅 일정" are one title everywhere.
    """
    text = _WHITESPACE.sub("", unicodedata.normalize("NFKC", title or "")).casefold()
    if text.endswith(_SCHEDULE_WORD) and len(text) > len(_SCHEDULE_WORD):
        text = text[: -len(_SCHEDULE_WORD)]
    return text
