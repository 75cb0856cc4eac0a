"""The inspection page: accounts and their events, Korean and English."""

from html import escape


def render(accounts: dict, events: dict) -> str:
    """HTML listing every account and its events."""
    parts = [
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        "<title>Google 에뮬레이터 / Google emulator</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em}.cancelled{color:#999;"
        "text-decoration:line-through}</style></head><body>"
        "<h1>Google 에뮬레이터 / Google emulator</h1>"
    ]
    if not accounts:
        parts.append("<p>계정이 없습니다 / No accounts yet.</p>")
    for email, account in sorted(accounts.items()):
        parts.append(
            f"<h2>{escape(email)}</h2><p>sub {escape(account['sub'])} · "
            f"시간대 / time zone {escape(account['time_zone'])}</p>"
        )
        items = sorted(
            events.get(email, {}).values(),
            key=lambda e: e["start"].get("dateTime") or e["start"].get("date"),
        )
        if not items:
            parts.append("<p>일정 없음 / No events.</p>")
            continue
        parts.append(
            "<table><tr><th>제목 / Summary</th><th>시작 / Start</th><th>종료 / End</th>"
            "<th>상태 / Status</th><th>id</th></tr>"
        )
        for event in items:
            start = event["start"].get("dateTime") or event["start"].get("date")
            end = event["end"].get("dateTime") or event["end"].get("date")
            parts.append(
                f'<tr class="{escape(event.get("status", ""))}">'
                f"<td>{escape(event.get('summary', ''))}</td><td>{escape(start)}</td>"
                f"<td>{escape(end)}</td><td>{escape(event.get('status', ''))}</td>"
                f"<td>{escape(event['id'])}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
