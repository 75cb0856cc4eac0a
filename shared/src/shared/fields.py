"""Settings field types that say what a value is, so a typo fails at start, not per message.

``TimeZoneName`` is an IANA zone ZoneInfo knows ("Asia/Seoul", never "Asia/Seuol");
``HttpUrl`` an absolute http(s) URL with a host, kept as the text given (no slash added, so
``url + path`` stays right). Both keep their plain ``str``, so code reading the setting does not
change. Durations are numbers with bounds: ``Field(gt=0)`` (or ``ge=0`` where 0 means never).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as Asia/Seoul)") from None
    return name


def _http_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    return url


TimeZoneName = Annotated[str, AfterValidator(_zone)]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
