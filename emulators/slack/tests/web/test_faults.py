"""Injected faults as slack_sdk sees them: 429 + Retry-After, 5xx, permanent error codes."""

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient


async def test_ratelimited_is_429_with_retry_after_read_by_async_client(wired, client, minji):
    wired.control.fault("chat.postMessage", error="ratelimited", retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=minji["id"], text="x")
    response = caught.value.response
    assert response.status_code == 429
    assert response["error"] == "ratelimited"
    assert int(response.headers["Retry-After"]) == 7
    assert wired.control.messages() == []
    answer = await client.chat_postMessage(channel=minji["id"], text="x")
    assert answer["ok"] is True


def test_ratelimited_with_the_sync_client(sync_client, wired, minji):
    wired.control.fault("chat.postMessage", status=429, retry_after=3)
    with pytest.raises(SlackApiError) as caught:
        sync_client.chat_postMessage(channel=minji["id"], text="x")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "3"
    assert caught.value.response["error"] == "ratelimited"


async def test_slack_sdk_retry_handler_waits_and_succeeds(wired, helpers, minji):
    wired.control.fault("chat.postMessage", error="ratelimited", retry_after=0)
    client = AsyncWebClient(
        token=helpers.BOT_TOKEN,
        base_url=wired.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    answer = await client.chat_postMessage(channel=minji["id"], text="재시도")
    assert answer["ok"] is True
    assert wired.control.calls()["chat.postMessage"] == 2
    assert [m["text"] for m in wired.control.messages()] == ["재시도"]


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_keep_their_status(wired, client, minji, status):
    wired.control.fault("chat.postMessage", status=status)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=minji["id"], text="x")
    assert caught.value.response.status_code == status
    assert caught.value.response["ok"] is False
    assert wired.control.messages() == []


@pytest.mark.parametrize(
    "error", ["channel_not_found", "not_in_channel", "account_inactive", "invalid_auth"]
)
async def test_permanent_errors_are_http_200(wired, client, minji, error):
    wired.control.fault("chat.postMessage", error=error)
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=minji["id"], text="x")
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == error
    assert "Retry-After" not in caught.value.response.headers


async def test_faults_are_consumed_in_order_one_per_call(wired, client, minji):
    wired.control.fault("chat.postMessage", error="ratelimited", retry_after=1)
    wired.control.fault("chat.postMessage", status=503)
    wired.control.fault("auth.test", error="invalid_auth")
    outcomes = []
    for _ in range(3):
        try:
            await client.chat_postMessage(channel=minji["id"], text="x")
            outcomes.append("ok")
        except SlackApiError as err:
            outcomes.append(err.response.status_code)
    assert outcomes == [429, 503, "ok"]
    assert [f["method"] for f in wired.control.faults()] == ["auth.test"]


async def test_count_and_until_cleared(wired, client, minji):
    wired.control.fault("users.info", error="user_not_found", count=2)
    for _ in range(2):
        with pytest.raises(SlackApiError):
            await client.users_info(user=minji["id"])
    assert (await client.users_info(user=minji["id"]))["ok"] is True
    wired.control.fault("users.info", status=500, count=-1)
    for _ in range(3):
        with pytest.raises(SlackApiError):
            await client.users_info(user=minji["id"])
    wired.control.clear_faults()
    assert (await client.users_info(user=minji["id"]))["ok"] is True


async def test_a_delay_fault_only_slows_the_answer(wired, client, minji):
    wired.control.fault("chat.postMessage", delay=0.3)
    answer = await client.chat_postMessage(channel=minji["id"], text="느림")
    assert answer["ok"] is True
    assert wired.control.faults() == []


def test_fault_count_zero_is_refused(wired):
    import httpx

    answer = httpx.post(
        wired.base_url + "/emulator/faults", json={"method": "auth.test", "count": 0}
    )
    assert answer.status_code == 422
