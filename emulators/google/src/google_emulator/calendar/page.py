"""The page an event's htmlLink opens, as Google Calendar's "view event" page does."""

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from google_emulator.state import State

router = APIRouter()


def _find(state: State, event_id: str) -> dict | None:
    with state.lock:
        for events in state.events.values():
            if event_id in events:
                return dict(events[event_id])
    return None


def _when(part: dict) -> str:
    return part.get("dateTime") or part.get("date") or ""


@router.get("/calendar/event", response_class=HTMLResponse)
async def event_page(request: Request, eid: str = "") -> HTMLResponse:
    """One event: summary, start, end, place (the chat's "캘린더에서 보기" lands here)."""
    event = _find(request.app.state.emulator, eid)
    head = '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
    if event is None or event.get("status") == "cancelled":
        body = "<h1>일정을 찾을 수 없습니다 / Event not found</h1>"
        return HTMLResponse(f"{head}<title>Google 에뮬레이터</title></head><body>{body}", 404)
    summary = escape(event.get("summary", "(제목 없음)"))
    rows = [
        ("시작 / Start", _when(event["start"])),
        ("종료 / End", _when(event["end"])),
        ("장소 / Where", event.get("location", "")),
        ("설명 / Description", event.get("description", "")),
    ]
    table = "".join(
        f"<tr><th>{label}</th><td>{escape(value)}</td></tr>" for label, value in rows if value
    )
    return HTMLResponse(
        f"{head}<title>{summary} · Google 에뮬레이터</title>"
        "<style>body{font-family:sans-serif;margin:2em}th{text-align:left;padding-right:1em}"
        "</style></head><body><p>Google 캘린더 에뮬레이터 / Google Calendar emulator</p>"
        f"<h1>{summary}</h1><table>{table}</table>"
        '<p><a href="/emulator/">모든 일정 / all events</a></p></body></html>'
    )
