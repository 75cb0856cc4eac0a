"""What the router app holds, in one object: ``app.state.context``.

Built once by ``main.create_app`` and handed to the dialogue, the grant-event processing,
the Slack channel and the routes (``ContextDep``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from router_service.calendar_changes.service import CalendarChangeHooks
from router_service.clients.auth_server import AuthServerClient
from router_service.clients.calendar import CalendarClient
from router_service.config import RouterSettings
from router_service.conversations.channels import ChannelHooks
from router_service.nlu.llm import LlmParser
from router_service.reminders.metrics import ReminderMetrics
from shared.time import now_in


@dataclass
class RouterContext:
    """Settings, the database, the neighbours' clients, the clock and the channel hooks."""

    settings: RouterSettings
    sessionmaker: async_sessionmaker[AsyncSession]
    auth: AuthServerClient
    calendar: CalendarClient
    channels: ChannelHooks = field(default_factory=ChannelHooks)
    # Events changed in Google directly (skill-calendar's sync): reminders and agenda listen.
    calendar_changes: CalendarChangeHooks = field(default_factory=CalendarChangeHooks)
    clock: Callable[[], datetime] = field(default=lambda: now_in())
    # Asked only when the rules are unsure, never for answers (approve, reject, a number).
    llm: LlmParser | None = None
    reminder_metrics: ReminderMetrics = field(default_factory=ReminderMetrics)

    @property
    def ttl(self) -> timedelta:
        """How long a proposal waits for an answer."""
        return timedelta(minutes=self.settings.proposal_ttl_minutes)
