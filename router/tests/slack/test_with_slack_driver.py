"""The router served over HTTP, driven by the Slack emulator's driver exactly as Slack does:
signed events and button presses, Slack's retries, our own posts echoed back as bot messages."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import select

from router_service.conversations.models import Direction, Message
from shared.processes import free_port
from shared.testing import live_server
from slack_emulator.testing import SlackEmulatorProcess

pytestmark = pytest.mark.db

TEAM = "T0HARU0001"


@pytest.fixture(scope="module")
def router_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def driver(router_port) -> SlackEmulatorProcess:
    """An emulator whose Events API and interactivity URLs point at this module's router."""
    base = f"http://127.0.0.1:{router_port}/slack"
    env = {
        "SLACK_EMULATOR_EVENTS_URL": f"{base}/events",
        "SLACK_EMULATOR_INTERACTIVITY_URL": f"{base}/interactivity",
    }
    with SlackEmulatorProcess(env=env) as process:
        yield process


@pytest.fixture
def slack_api_url(driver):
    driver.control.reset()
    return driver.api_url


@pytest.fixture
async def served(slack_app, router_port) -> AsyncIterator[None]:
    """The router on its port, lifespan (delivery worker included) running."""
    async with live_server(slack_app, port=router_port):
        yield


async def eventually(check: Callable[[], object], what: str, timeout: float = 20.0):
    """Polls ``check`` (run in a thread: it may call the emulator) until it returns a truth."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(check)
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


def bot_posts(driver, dm):
    return [m for m in driver.control.messages(dm) if m.get("bot_id")]


async def test_the_seed_scenario_in_a_dm_through_buttons(served, driver, slack_app, fake_calendar):
    user = driver.control.add_user("alice", real_name="Alice", tz="Asia/Seoul")["id"]
    sent = await asyncio.to_thread(
        driver.control.send_message, user, "11월 15일 오후 3시 팀 미팅", wait=True
    )
    assert [d["status"] for d in sent["deliveries"]] == [200]
    dm = sent["channel"]
    [proposal] = await eventually(lambda: bot_posts(driver, dm), "the proposal is posted")
    assert proposal["text"].startswith("11월 15일(토) 오후 3:00–4:00 「팀 미팅」을 등록할까요?")
    clicked = await asyncio.to_thread(driver.control.click, user, dm, proposal["ts"], "approve")
    assert clicked["status"] == 200
    posts = await eventually(
        lambda: (p := bot_posts(driver, dm)) and len(p) == 2 and p[0]["updates"] == 1 and p,
        "the proposal is updated and the result posted",
    )
    updated, result = posts
    assert not [b for b in updated["blocks"] if b["type"] == "actions"]
    assert [
        e["text"] for b in updated["blocks"] if b["type"] == "context" for e in b["elements"]
    ] == ["✅ 등록됨"]
    assert result["text"].startswith("✅ 등록했어요: 11월 15일(토) 오후 3:00–4:00 「팀 미팅」")
    assert len(fake_calendar.create_calls) == 1
    # Our own posts came back as bot messages (Slack echoes them) and were not answered.
    async with slack_app.state.database.sessionmaker() as session:
        inbound = (
            await session.scalars(select(Message).where(Message.direction == Direction.inbound))
        ).all()
    assert [m.text for m in inbound] == ["11월 15일 오후 3시 팀 미팅", "네"]


async def test_a_slow_acknowledgement_is_retried_by_slack_and_worked_once(
    served, driver, slack_app
):
    user = driver.control.add_user("bob", real_name="Bob")["id"]
    sent = await asyncio.to_thread(
        driver.control.send_message,
        user,
        "이번 주 일정 알려줘",
        ack_timeout_seconds=0.001,  # no answer is fast enough: Slack retries
        retry_delays_seconds=[0, 0],
        wait=True,
    )
    attempts = sent["deliveries"]
    assert len(attempts) == 3
    assert attempts[0]["reason"] == "http_timeout"
    dm = sent["channel"]
    [answer] = await eventually(lambda: bot_posts(driver, dm), "the answer is posted")
    assert "일정" in answer["text"]
    async with slack_app.state.database.sessionmaker() as session:
        inbound = (
            await session.scalars(select(Message).where(Message.direction == Direction.inbound))
        ).all()
    assert [m.text for m in inbound] == ["이번 주 일정 알려줘"]


async def test_an_edit_is_not_answered(served, driver, slack_app):
    user = driver.control.add_user("carol")["id"]
    sent = await asyncio.to_thread(driver.control.send_message, user, "안녕", wait=True)
    dm = sent["channel"]
    await eventually(lambda: bot_posts(driver, dm), "the help text is posted")
    edited = await asyncio.to_thread(
        driver.control.edit_message, user, dm, sent["ts"], "11월 15일 오후 3시 팀 미팅", wait=True
    )
    assert [d["status"] for d in edited["deliveries"]] == [200]
    async with slack_app.state.database.sessionmaker() as session:
        inbound = (
            await session.scalars(select(Message).where(Message.direction == Direction.inbound))
        ).all()
    assert [m.text for m in inbound] == ["안녕"]


async def test_signature_failures_through_the_driver(served, driver):
    bad = await asyncio.to_thread(
        driver.control.raw,
        "events",
        '{"type": "url_verification", "challenge": "c"}',
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"},
    )
    assert bad["status"] == 401 and "slack.signature_invalid" in bad["body"]
