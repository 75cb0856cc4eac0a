"""The sync flow: what each sync job does with Google, and what it records.

A person's jobs run one at a time (the queue's key), with no transaction open while Google
answers; the new sync token and the notices it found are written in one transaction, so a
crash either loses both (the sync runs again) or keeps both.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import token_sha256
from shared.db import utcnow
from shared.errors import AppError
from shared.time import SEOUL
from shared.work.jobs import JobState
from shared.work.queue import Claim, Outcome
from skill_calendar.google.client import GoogleCalendarClient
from skill_calendar.google.exceptions import (
    CalendarReauthRequired,
    CalendarUnavailable,
    CalendarUserUnknown,
    ChannelNotFound,
    SyncTokenExpired,
)
from skill_calendar.google.zones import CalendarZones
from skill_calendar.sync.models import ChangeNotice, SyncJob, SyncJobKind, WatchedCalendar
from skill_calendar.sync.schemas import CalendarChanges, changed_event

logger = logging.getLogger(__name__)

NOTIFICATIONS_PATH = "/google/notifications"
EVENTS_PER_NOTICE = 200  # a notice stays far below the router's body limit


@dataclass(frozen=True)
class SyncPolicy:
    """The settings a sync job follows."""

    public_url: str | None  # None: no push channels, the periodic sync only
    channel_ttl_s: int
    renew_before: timedelta
    full_sync_days: int

    @property
    def address(self) -> str | None:
        """Where Google posts this service's notifications."""
        return self.public_url.rstrip("/") + NOTIFICATIONS_PATH if self.public_url else None


@dataclass(frozen=True)
class Listing:
    items: list[dict[str, Any]]
    token: str
    full_resync: bool


class SyncEngine:
    """Works the sync jobs: baseline and channel (watch), changes (sync), stop (unwatch)."""

    def __init__(
        self,
        *,
        google: GoogleCalendarClient,
        zones: CalendarZones,
        sessionmaker: async_sessionmaker[AsyncSession],
        policy: SyncPolicy,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.google = google
        self.zones = zones
        self.sessionmaker = sessionmaker
        self.policy = policy
        self.clock = clock

    async def handle(self, claim: Claim, job: SyncJob) -> Outcome:
        """One job; Google being away is retried, a grant that is gone is final."""
        try:
            if job.kind == SyncJobKind.unwatch:
                await self.unwatch(user_id=job.user_id)
            elif job.kind == SyncJobKind.watch:
                await self.watch(user_id=job.user_id)
            else:
                await self.sync(user_id=job.user_id)
        except CalendarUnavailable as err:
            return Outcome.retry(err.code, retry_after=_retry_after(err))
        except (CalendarReauthRequired, CalendarUserUnknown) as err:
            # The grant is gone; the router says so separately (the calendar is unwatched).
            logger.info("sync job stopped: no usable grant", extra={"job_id": claim.job_id})
            return Outcome.failed(err.code)
        return Outcome.done()

    async def _load(self, user_id: str) -> WatchedCalendar | None:
        async with self.sessionmaker() as session:
            row = await session.get(WatchedCalendar, user_id)
            return row if row is not None and row.active else None

    async def _list(self, row: WatchedCalendar) -> Listing:
        """Changes since the token; a full listing when there is none, or Google says 410."""
        if row.sync_token:
            try:
                items, token = await self.google.list_changes(
                    user_id=row.user_id, sync_token=row.sync_token
                )
                return Listing(items, token, full_resync=False)
            except SyncTokenExpired:
                logger.info("sync token expired: full resync", extra={"user_id": row.user_id})
                full_resync = True
        else:
            full_resync = False
        since = self.clock() - timedelta(days=self.policy.full_sync_days)
        items, token = await self.google.list_changes(
            user_id=row.user_id, sync_token=None, time_min=since.isoformat()
        )
        return Listing(items, token, full_resync=full_resync)

    async def sync(self, *, user_id: str) -> int:
        """Incremental sync; the changes become notices. Returns how many events changed."""
        row = await self._load(user_id)
        if row is None:
            return 0
        baseline = row.sync_token is None
        listing = await self._list(row)
        notices: list[ChangeNotice] = []
        # A full resync is always told, even empty: what is not in it may be gone.
        if listing.full_resync or (listing.items and not baseline):
            zone = await self._zone(user_id)
            notices = self._notices(user_id, listing, zone)
        await self._store(user_id, token=listing.token, notices=notices)
        changed = 0 if baseline and not listing.full_resync else len(listing.items)
        logger.info(
            "calendar synced",
            extra={
                "user_id": user_id,
                "changed": changed,
                "full_resync": listing.full_resync,
                "baseline": baseline,
            },
        )
        return changed

    async def _zone(self, user_id: str) -> str | None:
        try:
            return (await self.zones.info(user_id=user_id)).time_zone
        except CalendarUnavailable:
            return None

    def _notices(self, user_id: str, listing: Listing, zone: str | None) -> list[ChangeNotice]:
        now = self.clock()
        events = [changed_event(item, calendar_zone=zone) for item in listing.items]
        notices = []
        for start in range(0, max(len(events), 1), EVENTS_PER_NOTICE):
            notice = CalendarChanges(
                notice_id=str(uuid.uuid4()),
                user_id=user_id,
                full_resync=listing.full_resync,
                events=events[start : start + EVENTS_PER_NOTICE],
                synced_at=now.astimezone(SEOUL),
            )
            notices.append(
                ChangeNotice(
                    id=notice.notice_id,
                    user_id=user_id,
                    payload=notice.model_dump_json(),
                    state=JobState.pending,
                    attempts=0,
                    due_at=now,
                    created_at=now,
                )
            )
        return notices

    async def _store(self, user_id: str, *, token: str, notices: list[ChangeNotice]) -> None:
        """The new token and the notices, in one transaction (only while still watched)."""
        async with self.sessionmaker() as session:
            row = await session.get(WatchedCalendar, user_id, populate_existing=True)
            if row is None or not row.active:
                return
            now = self.clock()
            row.sync_token = token or None
            row.last_synced_at = now
            row.updated_at = now
            session.add_all(notices)
            await session.commit()

    async def watch(self, *, user_id: str) -> None:
        """The baseline sync when there is none yet, then a push channel unless a live one
        has long enough to run; a replaced channel is stopped."""
        row = await self._load(user_id)
        if row is None:
            return
        if row.sync_token is None:
            await self.sync(user_id=user_id)
        address = self.policy.address
        if address is None:
            return
        now = self.clock()
        ends = row.channel_expires_at
        if row.channel_id and ends is not None and ends - self.policy.renew_before > now:
            return
        channel_id, token = str(uuid.uuid4()), secrets.token_urlsafe(32)
        channel = await self.google.watch_events(
            user_id=user_id,
            channel_id=channel_id,
            address=address,
            token=token,
            ttl_s=self.policy.channel_ttl_s,
        )
        old = await self._swap_channel(
            user_id,
            channel_id=channel_id,
            token=token,
            resource_id=str(channel.get("resourceId") or ""),
            expiration_ms=int(channel.get("expiration") or 0),
        )
        if old is not None:
            await self._stop(user_id, *old)

    async def _swap_channel(
        self, user_id: str, *, channel_id: str, token: str, resource_id: str, expiration_ms: int
    ) -> tuple[str, str] | None:
        """Records the new channel; the old one (id, resource id) to stop, if any."""
        expires = (
            datetime.fromtimestamp(expiration_ms / 1000, UTC)
            if expiration_ms
            else self.clock() + timedelta(seconds=self.policy.channel_ttl_s)
        )
        async with self.sessionmaker() as session:
            row = await session.get(WatchedCalendar, user_id, populate_existing=True)
            if row is None or not row.active:
                # Unwatched meanwhile: the new channel is not wanted either.
                return channel_id, resource_id
            old = (row.channel_id, row.resource_id or "") if row.channel_id else None
            row.channel_id = channel_id
            row.channel_token_sha256 = token_sha256(token)
            row.resource_id = resource_id
            row.channel_expires_at = expires
            row.updated_at = self.clock()
            await session.commit()
        return old

    async def _stop(self, user_id: str, channel_id: str, resource_id: str) -> None:
        with contextlib.suppress(ChannelNotFound):  # stopped or run out already
            await self.google.stop_channel(
                user_id=user_id, channel_id=channel_id, resource_id=resource_id
            )

    async def unwatch_now(self, *, user_id: str) -> bool:
        """:meth:`unwatch` within a request; False when Google could not be reached or
        refused (the queued ``unwatch`` job tries again: the stop is recorded either way)."""
        try:
            await self.unwatch(user_id=user_id)
        except AppError as err:  # CalendarUnavailable, or a refusal such as access denied
            logger.info("channel stop left to the queue", extra={"error_code": err.code})
            return False
        return True

    async def unwatch(self, *, user_id: str) -> None:
        """Stops the channel (when the grant still allows it) and forgets channel and token.

        A disconnect asks for this before the grant is revoked (:meth:`unwatch_now`); when
        the grant is already gone (revoked in Google, or that call failed) Google cannot be
        asked, so the channel is forgotten here all the same (its notifications answer 404)
        and Google ends it at its expiration.
        """
        async with self.sessionmaker() as session:
            row = await session.get(WatchedCalendar, user_id)
            if row is None or row.active:
                return  # connected again meanwhile: its watch job keeps the channel
            channel = (row.channel_id, row.resource_id or "") if row.channel_id else None
        if channel is not None:
            try:
                await self._stop(user_id, *channel)
            except (CalendarReauthRequired, CalendarUserUnknown):
                logger.info(
                    "channel not stoppable (no grant); forgotten", extra={"user_id": user_id}
                )
        async with self.sessionmaker() as session:
            row = await session.get(WatchedCalendar, user_id, populate_existing=True)
            if row is None or row.active:
                return
            row.channel_id = None
            row.channel_token_sha256 = None
            row.resource_id = None
            row.channel_expires_at = None
            row.sync_token = None
            row.updated_at = self.clock()
            await session.commit()


def _retry_after(err: CalendarUnavailable) -> float | None:
    value = err.details.get("retry_after")
    return float(value) if isinstance(value, int | float) else None
