"""What a person reads about undo ([되돌리기], "되돌려줘")."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from router_service.dialogue import formatting as fmt
from router_service.dialogue.undo_plans import EventDetails

UNDO_LABEL = "되돌리기"
ALREADY_UNDONE = "이미 되돌렸어요."
UNDOING = "되돌리고 있어요. 잠시만 기다려 주세요."
NOTHING_TO_UNDO = (
    "되돌릴 작업이 없어요. 제가 일정을 등록·변경·삭제한 뒤 10분 안에 되돌릴 수 있어요."
)
NOT_UNDOABLE = "이 작업은 되돌릴 수 없어요. 바꾸고 싶은 내용을 다시 말씀해 주세요."
EXPIRED = (
    "되돌릴 수 있는 시간(10분)이 지났어요. 바꾸고 싶은 내용을 다시 말씀해 주세요.\n"
    "예: '금요일 회의 삭제해줘', '검진 4시로 바꿔줘'"
)
FAILED = "되돌리지 못했어요. 잠시 후 다시 시도해 주세요."
RECONNECT = (
    "구글 캘린더 연결이 끊겨 되돌리지 못했어요. 연결을 다시 한 뒤 10분 안에 "
    "'되돌려줘'라고 말씀해 주세요."
)


def _line(details: EventDetails, zone: tzinfo) -> str:
    return fmt.event_line(details.model_dump(mode="json"), zone)


def changed_since(title: str) -> str:
    return (
        f"그 뒤에 {fmt.quoted(title)} 일정이 다시 바뀌어서 되돌리지 않았어요. "
        "캘린더에서 지금 일정을 확인해 주세요."
    )


def gone(*titles: str) -> str:
    return f"{_quoted_all(titles)} 일정이 이미 캘린더에 없어서 되돌리지 않았어요."


def undid_create(left: EventDetails, zone: tzinfo) -> str:
    return f"↩️ 되돌렸어요. {_line(left, zone)}{fmt.josa(left.title, '을', '를')} 삭제했어요."


def undid_many(deleted: list[EventDetails], gone: list[EventDetails], zone: tzinfo) -> str:
    """Several events made by one yes, taken back (those already gone are named apart)."""
    lines = [f"↩️ 되돌렸어요. 일정 {len(deleted)}개를 삭제했어요:"] if deleted else ["↩️ 되돌렸어요."]
    lines.extend(f"• {_line(details, zone)}" for details in deleted)
    if gone:
        names = _quoted_all([details.title for details in gone])
        lines.append(f"{names}{fmt.josa(names, '은', '는')} 이미 캘린더에 없었어요.")
    return "\n".join(lines)


def _quoted_all(titles: Sequence[str]) -> str:
    return ", ".join(fmt.quoted(title) for title in titles)


def undid_update(before: EventDetails, zone: tzinfo) -> str:
    return f"↩️ 되돌렸어요. 원래대로 돌려놓았어요: {_line(before, zone)}"


def undid_delete(before: EventDetails, zone: tzinfo, *, already_there: bool) -> str:
    if already_there:
        return f"↩️ 같은 일정이 이미 있어 새로 만들지 않았어요: {_line(before, zone)}"
    return f"↩️ 되돌렸어요. 다시 등록했어요: {_line(before, zone)}"


def undo_button(until: datetime) -> dict[str, Any]:
    """The [되돌리기] button of a ✅ reply, usable until ``until``."""
    return {"decision": "undo", "label": UNDO_LABEL, "until": until.isoformat()}
