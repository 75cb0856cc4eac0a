"""The data side of sync: who is watched, the job queue's entries, and Google's notifications."""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import token_sha256
from shared.db import utcnow
from shared.work.jobs import JobState
from skill_calendar.sync.exceptions import ChannelUnknown, NotificationInvalid
from skill_calendar.sync.models import SyncJob, SyncJobKind, WatchedCalendar

logger = logging.getLogger(__name__)

RESOURCE_STATES = frozenset({"sync", "exists", "not_exists"})


async def get_watched(*, session: AsyncSession, user_id: str) -> WatchedCalendar | None:
    """The person's watched calendar row, or None."""
    return await session.get(WatchedCalendar, user_id, populate_existing=True)


async def enqueue(
    *, session: AsyncSession, user_id: str, kind: SyncJobKind, reason: str, now: datetime
) -> bool:
    """Adds a job unless one of its kind already waits for the person (no commit)."""
    waiting = await session.scalar(
        select(
            exists().where(
                SyncJob.user_id == user_id,
                SyncJob.kind == kind,
                SyncJob.state == JobState.pending,
            )
        )
    )
    if waiting:
        return False
    session.add(
        SyncJob(
            user_id=user_id,
            kind=kind,
            reason=reason,
            state=JobState.pending,
            attempts=0,
            due_at=now,
            created_at=now,
        )
    )
    return True


async def watch_person(*, session: AsyncSession, user_id: str, now: datetime | None = None) -> None:
    """Starts (or keeps) following the person's calendar; the work is queued. Commits."""
    now = now or utcnow()
    row = await get_watched(session=session, user_id=user_id)
    if row is None:
        session.add(WatchedCalendar(user_id=user_id, active=True, created_at=now, updated_at=now))
    elif not row.active:
        row.active, row.updated_at = True, now
    await enqueue(
        session=session, user_id=user_id, kind=SyncJobKind.watch, reason="connected", now=now
    )
    await session.commit()


async def unwatch_person(
    *, session: AsyncSession, user_id: str, now: datetime | None = None
) -> bool:
    """Stops following the person's calendar (the channel is stopped in the background).
    False when the person was not followed. Commits."""
    now = now or utcnow()
    row = await get_watched(session=session, user_id=user_id)
    if row is None:
        return False
    row.active, row.updated_at = False, now
    await enqueue(
        session=session, user_id=user_id, kind=SyncJobKind.unwatch, reason="disconnected", now=now
    )
    await session.commit()
    return True


@dataclass(frozen=True)
class Notification:
    """The headers of one push notification from Google."""

    channel_id: str
    token: str | None
    resource_id: str | None
    resource_state: str
    message_number: str | None


async def accept_notification(
    *, session: AsyncSession, notification: Notification, now: datetime | None = None
) -> str:
    """Checks a notification against the channel it names; ``exists``/``not_exists`` queue a
    sync (``queued``), ``sync`` (the channel's first message) needs nothing. Commits.

    An unknown or stopped channel, a wrong token or a wrong resource: ChannelUnknown (404),
    whatever the cause, so a probe learns nothing.
    """
    if notification.resource_state not in RESOURCE_STATES:
        raise NotificationInvalid(details={"resource_state": notification.resource_state[:32]})
    row = await session.scalar(
        select(WatchedCalendar).where(WatchedCalendar.channel_id == notification.channel_id)
    )
    expected = row.channel_token_sha256 if row is not None else None
    presented = token_sha256(notification.token or "")
    token_ok = hmac.compare_digest(presented, expected or "-")
    if row is None or not row.active or not token_ok or row.resource_id != notification.resource_id:
        logger.info("notification for an unknown channel ignored")
        raise ChannelUnknown()
    if notification.resource_state == "sync":
        return "sync"
    await enqueue(
        session=session,
        user_id=row.user_id,
        kind=SyncJobKind.sync,
        reason="push",
        now=now or utcnow(),
    )
    await session.commit()
    return "queued"


async def plan_safety_net(
    *,
    session: AsyncSession,
    now: datetime,
    sync_every: timedelta,
    renew_before: timedelta,
    push: bool,
) -> int:
    """The periodic safety net (push is not guaranteed): a sync for each watched calendar not
    synced for ``sync_every``, a channel renewal for each channel ending within
    ``renew_before`` (or missing, with push on). Returns how many jobs it queued. Commits."""
    stale = await session.scalars(
        select(WatchedCalendar.user_id).where(
            WatchedCalendar.active.is_(True),
            or_(
                WatchedCalendar.last_synced_at.is_(None),
                WatchedCalendar.last_synced_at < now - sync_every,
            ),
        )
    )
    queued = 0
    for user_id in stale.all():
        queued += await enqueue(
            session=session, user_id=user_id, kind=SyncJobKind.sync, reason="periodic", now=now
        )
    if push:
        ending = await session.scalars(
            select(WatchedCalendar.user_id).where(
                WatchedCalendar.active.is_(True),
                or_(
                    WatchedCalendar.channel_expires_at.is_(None),
                    WatchedCalendar.channel_expires_at < now + renew_before,
                ),
            )
        )
        for user_id in ending.all():
            queued += await enqueue(
                session=session, user_id=user_id, kind=SyncJobKind.watch, reason="renewal", now=now
            )
    await session.commit()
    return queued
