"""Dependencies of the sync routes."""

from __future__ import annotations

from fastapi import Header, Request

from skill_calendar.sync.exceptions import NotificationInvalid
from skill_calendar.sync.service import Notification
from skill_calendar.sync.worker import SyncRuntime


async def sync_runtime(request: Request) -> SyncRuntime:
    """The app's sync runtime (built in the lifespan)."""
    return request.app.state.sync


async def google_notification(
    channel_id: str | None = Header(None, alias="X-Goog-Channel-ID", max_length=64),
    token: str | None = Header(None, alias="X-Goog-Channel-Token", max_length=256),
    resource_id: str | None = Header(None, alias="X-Goog-Resource-ID", max_length=255),
    resource_state: str | None = Header(None, alias="X-Goog-Resource-State", max_length=32),
    message_number: str | None = Header(None, alias="X-Goog-Message-Number", max_length=32),
) -> Notification:
    """Google's X-Goog-* headers of a push notification; the ones always sent are required."""
    if not channel_id or not resource_state:
        raise NotificationInvalid()
    return Notification(
        channel_id=channel_id,
        token=token,
        resource_id=resource_id,
        resource_state=resource_state,
        message_number=message_number,
    )
