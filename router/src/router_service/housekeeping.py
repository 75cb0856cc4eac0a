"""Periodic housekeeping: data kept only as long as it is needed (docs/security.md).

Plain async functions; the router's periodic loop (main.py) calls :func:`run_housekeeping`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from router_service.chat.models import WebSession
from router_service.config import RouterSettings
from router_service.conversations.models import Message
from shared.db import rows_affected, utcnow

logger = logging.getLogger(__name__)
SCRUB_BATCH = 500


async def purge_stale_sessions(
    *, session: AsyncSession, now: datetime, unused_after: timedelta, idle_after: timedelta
) -> int:
    """Deletes sessions that never sent a message (after ``unused_after``) and sessions
    unseen for ``idle_after`` (their cookie has expired); returns how many."""
    has_messages = exists().where(Message.conversation_key == "web:" + WebSession.external_id)
    result = await session.execute(
        delete(WebSession)
        .where(
            (WebSession.last_seen_at < now - idle_after)
            | ((WebSession.created_at < now - unused_after) & ~has_messages)
        )
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    return rows_affected(result)


async def scrub_connect_tickets(
    *, session: AsyncSession, now: datetime, older_than: timedelta, own_base_url: str
) -> int:
    """Removes one-time connect links (auth-server tickets) from messages once they expired.

    A link of the router itself (``own_base_url``: the web chat's ``/connect?action_id=``)
    carries no secret and stays. Returns how many messages were changed.
    """
    own = own_base_url.rstrip("/") + "/"
    url = Message.payload["link"]["url"].as_string()
    rows = await session.scalars(
        select(Message)
        .where(
            Message.created_at < now - older_than,
            Message.payload["kind"].as_string() == "connect",
            url.is_not(None),
            ~url.startswith(own, autoescape=True),
        )
        .order_by(Message.id)
        .limit(SCRUB_BATCH)
    )
    changed = 0
    for message in rows:
        payload: dict[str, Any] = dict(message.payload or {})
        link = dict(payload.get("link") or {})
        if not link.get("url") or str(link["url"]).startswith(own):
            continue
        payload["link"] = {**link, "url": None, "expired": True}
        message.payload = payload
        changed += 1
    await session.commit()
    return changed


async def run_housekeeping(app: FastAPI) -> dict[str, int]:
    """One round: stale web sessions purged, expired connect tickets scrubbed."""
    settings: RouterSettings = app.state.settings
    now = utcnow()
    async with app.state.database.sessionmaker() as session:
        purged = await purge_stale_sessions(
            session=session,
            now=now,
            unused_after=timedelta(hours=settings.web_session_unused_hours),
            idle_after=timedelta(days=settings.web_session_idle_days),
        )
        scrubbed = await scrub_connect_tickets(
            session=session,
            now=now,
            older_than=timedelta(minutes=settings.connect_link_retention_minutes),
            own_base_url=settings.public_base_url,
        )
    if purged or scrubbed:
        logger.info("housekeeping", extra={"sessions_purged": purged, "links_scrubbed": scrubbed})
    return {"sessions_purged": purged, "links_scrubbed": scrubbed}
