"""Logging: JSON lines in production, readable lines in development.

Every line carries the service, the request id and the calling service. A
filter masks tokens, Authorization headers and secrets as a safety net; code
must still never log them on purpose.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from shared.context import current_caller, current_request_id

MASK = "***"
_SECRET_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=\-]+"), rf"\1{MASK}"),
    (re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)[^'\",\s]+"), rf"\1{MASK}"),
    (re.compile(r"ya29\.[A-Za-z0-9._\-]+"), MASK),
    (re.compile(r"1//[A-Za-z0-9._\-]{10,}"), MASK),
    (re.compile(r"xox[abposr]-[A-Za-z0-9\-]+"), MASK),
    (
        re.compile(
            r"(?i)(['\"]?(?:access_token|refresh_token|id_token|client_secret|code_verifier|"
            r"signing_secret|password|secret|token)['\"]?\s*[:=]\s*['\"]?)[^'\"&,\s}]+"
        ),
        rf"\1{MASK}",
    ),
    (re.compile(r"(?i)([?&](?:code|state|ticket)=)[^&\s'\"]+"), rf"\1{MASK}"),
)
_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def redact(text: str) -> str:
    """Masks anything that looks like a token or secret in ``text``."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in the rendered message and adds request context."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        record.service = self.service
        record.request_id = current_request_id()
        record.caller = current_caller()
        return True


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    # uvicorn's color_message repeats the message with terminal escapes.
    skip = _STANDARD_ATTRS | {"service", "request_id", "caller", "color_message"}
    return {k: v for k, v in vars(record).items() if k not in skip and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    """One JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": getattr(record, "service", None),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "caller": getattr(record, "caller", None),
        }
        for key, value in _extras(record).items():
            line[key] = (
                value if isinstance(value, int | float | bool | None) else redact(str(value))
            )
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """Readable lines for a developer's terminal."""

    def format(self, record: logging.LogRecord) -> str:
        stamp = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        rid = getattr(record, "request_id", None) or "-"
        caller = getattr(record, "caller", None) or "-"
        extras = " ".join(f"{k}={redact(str(v))}" for k, v in _extras(record).items())
        text = (
            f"{stamp} {record.levelname:<5} {getattr(record, 'service', '-')} "
            f"[{rid[:12]} {caller}] {record.name}: {record.getMessage()}"
        )
        if extras:
            text += f" {extras}"
        if record.exc_text:
            text += "\n" + record.exc_text
        return text


def configure_logging(*, service: str, log_format: str = "text", level: str = "INFO") -> None:
    """Routes every logger (uvicorn's included) through one redacting handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(RedactingFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Our own middleware writes the access line (without query strings, which may hold codes).
    logging.getLogger("uvicorn.access").disabled = True
    for noisy in ("httpx", "httpcore", "googleapiclient.discovery_cache", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
