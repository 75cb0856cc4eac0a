"""``python -m router_service.nlu``: JSON lines in, one NLU result per line out (SPEC.md).

Each input line is ``{"text": "...", "now": "2025-11-14T10:00:00+09:00", "time_zone"?: "..."}``;
``now`` defaults to the current time in the zone. A thin wrapper over ``parser.parse``:
it stays free of pydantic so that it starts fast.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from router_service.nlu.parser import parse

DEFAULT_ZONE = "Asia/Seoul"


def _line_result(line: str) -> dict[str, object]:
    request = json.loads(line)
    zone = request.get("time_zone") or DEFAULT_ZONE
    raw_now = request.get("now")
    now = datetime.fromisoformat(raw_now) if raw_now else datetime.now(ZoneInfo(zone))
    if now.tzinfo is None:
        raise ValueError("now must carry an offset")
    return parse(request["text"], now=now, time_zone=zone).to_spec_json()


def main() -> int:
    """Reads stdin to the end, answering each non-empty line in order."""
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            result = _line_result(line)
        except (ValueError, KeyError, TypeError) as err:
            result = {"intent": "other", "error": f"{type(err).__name__}: {err}"}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
