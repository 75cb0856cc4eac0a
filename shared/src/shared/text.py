"""Text every database can store: no lone UTF-16 surrogates (JSON's "\\ud800").

A JSON string may carry a lone surrogate escape; Python keeps it, but it has no UTF-8 form,
so SQLite's and asyncpg's encoders fail deep inside a write. Such text is refused at the
edge (``request.unstorable_text``, a 422) or, where refusing would lose a message we must
answer (Slack's events), repaired to U+FFFD.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

UNSTORABLE_TEXT_CODE = "request.unstorable_text"
UNSTORABLE_TEXT_MESSAGE = "저장할 수 없는 문자(NUL, 짝이 없는 서로게이트 등)가 포함되어 있습니다."
INVALID_ID_CODE = "request.invalid_id"
INVALID_ID_MESSAGE = "식별자에 쓸 수 없는 값입니다(제어 문자, '.' 또는 '..')."


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


def _require_path_id(value: str) -> str:
    # A control character (NUL above all) cannot be stored or passed on; "." and ".." are
    # dot segments, which a URL normaliser removes from the next service's path.
    if value in (".", "..") or any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise PydanticCustomError(INVALID_ID_CODE, INVALID_ID_MESSAGE)
    return value


PathId = Annotated[str, Path(min_length=1, max_length=64), AfterValidator(_require_path_id)]
"""An id in a route's path (a user's): 1–64 characters, no control character, not a dot
segment (else the validation error ``request.invalid_id``); anything else, unicode included,
is passed on whole (``shared.http.path_of``)."""
