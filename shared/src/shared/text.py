"""Text every database can store: no lone UTF-16 surrogates (JSON's "\\ud800").

A JSON string may carry a lone surrogate escape; Python keeps it, but it has no UTF-8 form,
so SQLite's and asyncpg's encoders fail deep inside a write. Such text is refused at the
edge (``request.unstorable_text``, a 422) or, where refusing would lose a message we must
answer (Slack's events), repaired to U+FFFD.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

UNSTORABLE_TEXT_CODE = "request.unstorable_text"
UNSTORABLE_TEXT_MESSAGE = "저장할 수 없는 문자(NUL, 짝이 없는 서로게이트 등)가 포함되어 있습니다."


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` has a code point in U+D800–U+DFFF (it cannot be UTF-8 encoded)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def without_lone_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (a valid pair becomes its char)."""
    if not has_lone_surrogate(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _require_storable(value: str) -> str:
    if has_lone_surrogate(value):
        raise PydanticCustomError(UNSTORABLE_TEXT_CODE, UNSTORABLE_TEXT_MESSAGE)
    return value


StorableText = Annotated[str, AfterValidator(_require_storable)]
"""A string without lone surrogates (else the validation error ``request.unstorable_text``)."""
