"""10,000 reminders due in the same minute: how long until all are sent through the Slack
emulator, and the scheduler's CPU per reminder.

The router is built in-process on its own database (SQLite under a temporary directory by
default; ``--database-url`` for PostgreSQL) with its clock moved just past the minute;
skill-calendar is an in-process stand-in answering each fire-time check (its CPU counts as
the scheduler's: the check is part of firing a reminder). Two phases, each timed with wall
and process CPU time:

1. the scheduler: ``ProactiveRuntime.run_round`` until no job is due — each reminder
   claimed with a lease, checked against the calendar, its message and Slack delivery row
   stored, the job recorded done;
2. the Slack delivery worker: ``SlackRuntime.deliver_round`` until every delivery is sent
   to the Slack emulator (a real ``python -m slack_emulator`` process over HTTP);

then, every reminder due again and nothing said, both at once as in production (the
scheduler's rounds beside the delivery worker's): when all were stored, when all were sent.

Run: ``uv run python bench/reminders.py`` (writes var/bench/reminders.json); with
``--database-url postgresql+asyncpg://…`` (a database of its own: the bench creates its
tables) it writes var/bench/reminders-postgresql.json. bench/report.py shows both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, func, insert, select, update
from usage import cpu_seconds

from router_service.clock import ManualClock
from router_service.config import RouterSettings
from router_service.conversations.models import Channel, Message
from router_service.db import Base, load_models
from router_service.main import create_app
from router_service.reminders.models import JobKind, ProactiveJob
from router_service.slack.models import DeliveryState, SlackDelivery
from shared.work.jobs import JobState
from slack_emulator.testing import SlackEmulatorProcess

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "var" / "bench"
TEAM = "T0HARU0001"
DUE = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # the minute every reminder is due in
SENT = (
    select(func.count()).select_from(SlackDelivery).where(SlackDelivery.state == DeliveryState.sent)
)


def _calendar(events: dict[str, dict[str, Any]]) -> httpx.MockTransport:
    """skill-calendar's GET of one event, answered from memory."""

    def handle(request: httpx.Request) -> httpx.Response:
        event_id = request.url.path.rsplit("/", 1)[-1]
        event = events.get(event_id)
        if request.method != "GET" or event is None:
            return httpx.Response(404, json={"error": {"code": "calendar.event_not_found"}})
        return httpx.Response(200, json=event)

    return httpx.MockTransport(handle)


def _unreachable(request: httpx.Request) -> httpx.Response:
    return httpx.Response(503, json={"error": {"code": "auth.unavailable"}})


async def _reset(app: Any) -> None:
    """Every reminder due again, nothing said or sent yet (for the run with both at once)."""
    async with app.state.database.sessionmaker() as session:
        await session.execute(delete(SlackDelivery))
        await session.execute(delete(Message))
        await session.execute(
            update(ProactiveJob).values(
                state=JobState.pending,
                attempts=0,
                lease_until=None,
                lease_token=None,
                result=None,
                finished_at=None,
                last_error=None,
            )
        )
        await session.commit()


async def _both_at_once(proactive: Any, slack_runtime: Any) -> float:
    """The scheduler's rounds and the delivery worker's at once, as in production; the
    moment (perf_counter) the scheduler had stored every message."""
    stored = asyncio.Event()
    stored_at = 0.0

    async def schedule() -> None:
        nonlocal stored_at
        while await proactive.run_round():
            pass
        stored_at = time.perf_counter()
        stored.set()

    async def deliver() -> None:
        while True:
            if await slack_runtime.deliver_round():
                continue
            if stored.is_set() and not await slack_runtime.deliver_round():
                return
            # Production's worker waits for the scheduler's wake-up or its 1 s poll.
            await asyncio.sleep(0.05)

    await asyncio.gather(schedule(), deliver())
    return stored_at


async def _count(app: Any, statement: Any) -> int:
    async with app.state.database.sessionmaker() as session:
        return int(await session.scalar(statement) or 0)


async def run(*, reminders: int, people: int, database_url: str) -> dict[str, Any]:
    load_before = [round(x, 2) for x in os.getloadavg()]
    with SlackEmulatorProcess() as slack:
        users = [slack.control.add_user(f"bench-{i}")["id"] for i in range(people)]
        events: dict[str, dict[str, Any]] = {}
        rows = []
        for i in range(reminders):
            event_id = f"benchevent{i:06d}"
            due = DUE + timedelta(microseconds=i * 60_000_000 // reminders)
            start = due + timedelta(minutes=10)
            events[event_id] = {
                "id": event_id,
                "title": f"회의 {i}",
                "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
                "status": "confirmed",
                "html_link": f"https://calendar.test/event?eid={event_id}",
                "reminder_minutes": [10],
            }
            user = users[i % people]
            rows.append(
                {
                    "dedupe_key": f"r:bench:{i}",
                    "kind": JobKind.reminder,
                    "user_id": f"bench-{user}",
                    "state": JobState.pending,
                    "channel": Channel.slack,
                    "conversation_key": f"slack:{TEAM}:{user}",
                    "time_zone": "Asia/Seoul",
                    "event_id": event_id,
                    "event_start": start,
                    "minutes": 10,
                    "title": f"회의 {i}",
                    "attempts": 0,
                    "due_at": due,
                    "created_at": DUE - timedelta(days=1),
                }
            )
        settings = RouterSettings(
            database_url=database_url,
            environment="test",
            proactive_poll_seconds=0,
            recovery_interval_seconds=0,
            housekeeping_interval_seconds=0,
            slack_api_url=slack.api_url,
            slack_bot_token="xoxb-haru-emulator-token",  # noqa: S106 - the emulator's own
            slack_signing_secret="bench-signing-secret",  # noqa: S106 - local bench only
        )
        app = create_app(
            settings,
            transports={
                "skill-calendar": _calendar(events),
                "auth-server": httpx.MockTransport(_unreachable),
            },
        )
        load_models()
        await app.state.database.create_all(Base.metadata)
        async with app.state.database.sessionmaker() as session:
            await session.execute(insert(ProactiveJob), rows)
            await session.commit()
        clock = ManualClock(DUE + timedelta(minutes=1, seconds=5))
        app.state.context.clock = clock
        proactive, slack_runtime = app.state.proactive, app.state.slack

        wall, cpu = time.perf_counter(), time.process_time()
        rounds = 0
        while await proactive.run_round():
            rounds += 1
        scheduler_wall = time.perf_counter() - wall
        scheduler_cpu = time.process_time() - cpu
        stored = await _count(app, select(func.count()).select_from(SlackDelivery))

        emulator = [slack.process.pid] if slack.process is not None else []
        emulator_before = cpu_seconds(emulator)
        wall2, cpu2 = time.perf_counter(), time.process_time()
        while await slack_runtime.deliver_round():
            pass
        delivery_wall = time.perf_counter() - wall2
        delivery_cpu = time.process_time() - cpu2
        emulator_after = cpu_seconds(emulator, emulator_before)
        emulator_cpu = (
            sum(emulator_after.values()) - sum(emulator_before.values())
            if emulator_before
            else None
        )
        sent = await _count(app, SENT)
        posted = slack.control.calls().get("chat.postMessage", 0)

        await _reset(app)
        wall3, cpu3 = time.perf_counter(), time.process_time()
        stored_at = await _both_at_once(proactive, slack_runtime)
        at_once_wall = time.perf_counter() - wall3
        at_once_cpu = time.process_time() - cpu3
        at_once_sent = await _count(app, SENT)
        at_once_posted = slack.control.calls().get("chat.postMessage", 0) - posted
        await app.state.database.dispose()
    return {
        "reminders": reminders,
        "people": people,
        "database": "postgresql" if database_url.startswith("postgresql") else "sqlite",
        "scheduler_rounds": rounds,
        "scheduler_wall_s": round(scheduler_wall, 2),
        "scheduler_cpu_s": round(scheduler_cpu, 2),
        "scheduler_cpu_ms_per_reminder": round(1000 * scheduler_cpu / reminders, 3),
        "delivery_wall_s": round(delivery_wall, 2),
        "delivery_cpu_ms_per_reminder": round(1000 * delivery_cpu / reminders, 3),
        "emulator_cpu_ms_per_post": (
            None if emulator_cpu is None else round(1000 * emulator_cpu / reminders, 3)
        ),
        "all_sent_wall_s": round(scheduler_wall + delivery_wall, 2),
        "at_once_stored_s": round(stored_at - wall3, 2),
        "at_once_all_sent_s": round(at_once_wall, 2),
        "at_once_cpu_ms_per_reminder": round(1000 * at_once_cpu / reminders, 3),
        "at_once_sent": at_once_sent,
        "at_once_posts": at_once_posted,
        "messages_stored": stored,
        "deliveries_sent": sent,
        "slack_posts": posted,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{tmp}/router-bench.db"
        result = asyncio.run(run(reminders=args.reminders, people=args.people, database_url=url))
    print(json.dumps(result, indent=2))
    name = "reminders.json" if result["database"] == "sqlite" else "reminders-postgresql.json"
    out = OUT_DIR / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
