"""The one hook the router offers for events that changed in Google directly.

Reminders and the morning agenda register a listener (``CalendarChangeHooks.add``) at app
start; each notice skill-calendar delivers is handed to every listener in turn. A listener
that raises makes the delivery fail (503), and skill-calendar's durable outbox delivers the
notice again later: listeners are idempotent (a notice may come twice; ``notice_id`` tells).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from router_service.calendar_changes.schemas import CalendarChanges

logger = logging.getLogger(__name__)

CalendarChangeListener = Callable[[CalendarChanges], Awaitable[None]]


class CalendarChangeHooks:
    """The listeners of ``calendar_changes`` (code registered at start, nothing stored)."""

    def __init__(self) -> None:
        self._listeners: list[tuple[str, CalendarChangeListener]] = []

    def add(self, name: str, listener: CalendarChangeListener) -> Callable[[], None]:
        """Registers ``listener`` under ``name`` (for logs); returns an undo."""
        entry = (name, listener)
        self._listeners.append(entry)
        return lambda: self._listeners.remove(entry)

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self._listeners]

    async def deliver(self, notice: CalendarChanges) -> int:
        """Hands the notice to every listener; the first failure is raised (after logging)."""
        for name, listener in list(self._listeners):
            try:
                await listener(notice)
            except Exception:
                logger.exception(
                    "calendar change listener failed",
                    extra={"listener": name, "notice_id": notice.notice_id},
                )
                raise
        logger.info(
            "calendar changes delivered",
            extra={
                "notice_id": notice.notice_id,
                "user_id": notice.user_id,
                "events": len(notice.events),
                "event_ids": [event.event_id for event in notice.events[:20]],
                "full_resync": notice.full_resync,
                "listeners": len(self._listeners),
            },
        )
        return len(self._listeners)
