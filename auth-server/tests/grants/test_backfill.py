"""People connected before calendar sync existed: migration 0005 owes a ``grant.usable``
event for every usable calendar grant, recorded once by the housekeeping round through the
outbox (so the router makes skill-calendar follow them). On PostgreSQL and SQLite."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from auth_server.config import AuthSettings
from auth_server.events.models import GrantEvent, OwedAnnouncement
from auth_server.grants.backfill import CALENDAR_GRANTS
from auth_server.housekeeping import housekeeping_round

pytestmark = pytest.mark.db


@pytest.fixture(params=["database_url", "sqlite_url"])
def settings(request, settings: AuthSettings) -> AuthSettings:
    return settings.model_copy(update={"database_url": request.getfixturevalue(request.param)})


async def test_usable_calendar_grants_are_announced_once(flow, google_emulator):
    calendar_user = await flow.user("web-1")
    mail_only = await flow.user("web-2")
    revoked = await flow.user("web-3")
    await flow.connect(calendar_user, "minji@example.com")
    await flow.connect(mail_only, "jisoo@example.com", capability="gmail.read")
    await flow.connect(revoked, "hana@example.com")
    google_emulator.control.revoke("hana@example.com")
    assert (await flow.token(revoked, force=True)).status_code == 409  # now needs re-auth
    sessionmaker = flow.client.app.state.database.sessionmaker
    async with sessionmaker() as session, session.begin():
        # Their events went to the router long ago, before it followed calendars.
        await session.execute(delete(GrantEvent))
        session.add(OwedAnnouncement(name=CALENDAR_GRANTS))  # what migration 0005 inserts

    await housekeeping_round(sessionmaker=sessionmaker)  # (or the app's own round, at start)
    assert await housekeeping_round(sessionmaker=sessionmaker) == 0  # once

    async with sessionmaker() as session:
        events = (await session.scalars(select(GrantEvent))).all()
        owed = (await session.scalars(select(OwedAnnouncement))).all()
    assert owed == []
    (event,) = events
    payload = json.loads(event.payload)
    assert (event.type, event.user_id, event.state) == ("grant.usable", calendar_user, "pending")
    assert payload["capability"] == "calendar"
    assert payload["state"] == "active" and payload["reason"] == "backfill"
