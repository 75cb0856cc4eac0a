"""The Web API methods through the real slack_sdk clients: Slack's shapes and error codes."""

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

# Some calls leave out `text` on purpose (Slack's answer to that is under test); slack_sdk
# warns about it client-side.
pytestmark = pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")

BUTTONS = [
    {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "11월 24일(월) 10:00 「검진」 등록할까요?"},
    },
    {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": "approve",
                "value": "42",
                "style": "primary",
                "text": {"type": "plain_text", "text": "등록"},
            },
            {
                "type": "button",
                "action_id": "cancel",
                "value": "42",
                "text": {"type": "plain_text", "text": "취소"},
            },
        ],
    },
]


async def test_auth_test_names_the_bot_and_team(client):
    answer = await client.auth_test()
    assert answer["ok"] is True
    assert answer["user_id"] == "U0HARUBOT1"
    assert answer["team_id"] == "T0HARU0001"
    assert answer["bot_id"].startswith("B")
    assert answer["url"].startswith("https://")


def test_the_session_fixture_runs_with_default_settings(slack_emulator):
    default_token = "xoxb-haru-emulator-token"
    answer = WebClient(token=default_token, base_url=slack_emulator.api_url).auth_test()
    assert answer["user_id"] == "U0HARUBOT1"
    assert slack_emulator.control.calls() == {"auth.test": 1}


@pytest.mark.parametrize(("token", "error"), [(None, "not_authed"), ("xoxb-wrong", "invalid_auth")])
async def test_missing_or_wrong_token_is_refused_with_http_200(wired, token, error):
    with pytest.raises(SlackApiError) as caught:
        await AsyncWebClient(token=token, base_url=wired.api_url).auth_test()
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == error
    assert caught.value.response["ok"] is False


def test_token_as_a_form_field_is_accepted(wired, helpers):
    answer = WebClient(base_url=wired.api_url).api_call(
        "auth.test", data={"token": helpers.BOT_TOKEN}
    )
    assert answer["ok"] is True


async def test_conversations_open_gives_the_same_dm_every_time(client, minji):
    first = await client.conversations_open(users=minji["id"])
    second = await client.conversations_open(users=[minji["id"]])
    assert first["channel"]["id"].startswith("D")
    assert second["channel"]["id"] == first["channel"]["id"]
    assert "already_open" not in first.data
    assert second["already_open"] is True


async def test_conversations_open_unknown_user(client):
    with pytest.raises(SlackApiError) as caught:
        await client.conversations_open(users="U0NOBODY01")
    assert caught.value.response["error"] == "user_not_found"


async def test_post_message_stores_text_and_blocks(wired, client, minji):
    dm = (await client.conversations_open(users=minji["id"]))["channel"]["id"]
    answer = await client.chat_postMessage(channel=dm, text="등록할까요?", blocks=BUTTONS)
    assert answer["channel"] == dm
    whole, frac = answer["ts"].split(".")
    assert whole.isdigit() and len(frac) == 6
    message = answer["message"]
    assert message["text"] == "등록할까요?"
    assert message["user"] == "U0HARUBOT1"
    assert message["bot_id"].startswith("B")
    assert [b["type"] for b in message["blocks"]] == ["section", "actions"]
    assert all(b["block_id"] for b in message["blocks"])
    [stored] = wired.control.messages(dm)
    assert stored["ts"] == answer["ts"]
    assert stored["blocks"] == message["blocks"]
    assert stored["edited"] is False and stored["updates"] == 0
    assert stored["bot_id"] == message["bot_id"]
    assert "+00:00" in stored["posted_at"]


def test_sync_client_posts_too(wired, sync_client, minji):
    answer = sync_client.chat_postMessage(channel=minji["id"], text="안녕하세요")
    assert answer["channel"].startswith("D")
    assert wired.control.messages(answer["channel"])[0]["text"] == "안녕하세요"


async def test_a_user_id_as_channel_posts_to_their_dm(client, minji):
    dm = (await client.conversations_open(users=minji["id"]))["channel"]["id"]
    answer = await client.chat_postMessage(channel=minji["id"], text="hi")
    assert answer["channel"] == dm


async def test_timestamps_increase(client, minji):
    stamps = [
        (await client.chat_postMessage(channel=minji["id"], text=str(i)))["ts"] for i in range(5)
    ]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 5


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "D0UNKNOWN1", "text": "x"}, "channel_not_found"),
        ({"channel": "C0UNKNOWN1", "text": "x"}, "channel_not_found"),
        ({"channel": "{minji}"}, "no_text"),
        ({"channel": "{minji}", "text": "x" * 40_001}, "msg_too_long"),
        ({"channel": "{minji}", "blocks": [{"text": "no type"}]}, "invalid_blocks"),
        ({"channel": "{minji}", "text": "x", "thread_ts": "1.000001"}, "thread_not_found"),
    ],
)
async def test_post_message_errors(wired, client, minji, kwargs, error):
    kwargs = {k: (minji["id"] if v == "{minji}" else v) for k, v in kwargs.items()}
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(**kwargs)
    assert caught.value.response.status_code == 200
    assert caught.value.response["error"] == error
    assert wired.control.messages() == []


async def test_invalid_blocks_point_at_the_problem(client, minji):
    long_button = {
        "type": "actions",
        "elements": [
            {"type": "button", "action_id": "a", "text": {"type": "plain_text", "text": "가" * 76}}
        ],
    }
    with pytest.raises(SlackApiError) as caught:
        await client.chat_postMessage(channel=minji["id"], text="x", blocks=[long_button])
    messages = caught.value.response["response_metadata"]["messages"]
    assert any("/blocks/0/elements/0/text/text" in m for m in messages)


async def test_update_replaces_text_and_blocks(wired, client, minji):
    posted = await client.chat_postMessage(channel=minji["id"], text="등록할까요?", blocks=BUTTONS)
    dm, ts = posted["channel"], posted["ts"]
    done = [{"type": "section", "text": {"type": "mrkdwn", "text": "✅ 등록됨"}}]
    answer = await client.chat_update(channel=dm, ts=ts, text="✅ 등록됨", blocks=done)
    assert answer["ok"] is True
    assert (answer["channel"], answer["ts"], answer["text"]) == (dm, ts, "✅ 등록됨")
    assert answer["message"]["blocks"][0]["text"]["text"] == "✅ 등록됨"
    [stored] = wired.control.messages(dm)
    assert stored["text"] == "✅ 등록됨"
    assert stored["edited"] is True and stored["updates"] == 1
    assert [b["type"] for b in stored["blocks"]] == ["section"]


async def test_update_with_text_only_drops_the_blocks(wired, client, minji):
    posted = await client.chat_postMessage(channel=minji["id"], text="?", blocks=BUTTONS)
    await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="취소됨")
    [stored] = wired.control.messages(posted["channel"])
    assert stored["blocks"] == []
    assert stored["text"] == "취소됨"


async def test_update_with_blocks_only_keeps_the_text(wired, client, minji):
    posted = await client.chat_postMessage(channel=minji["id"], text="원래", blocks=BUTTONS)
    await client.chat_update(channel=posted["channel"], ts=posted["ts"], blocks=BUTTONS[:1])
    [stored] = wired.control.messages(posted["channel"])
    assert stored["text"] == "원래"
    assert len(stored["blocks"]) == 1


async def test_update_errors(wired, client, minji):
    posted = await client.chat_postMessage(channel=minji["id"], text="x")
    dm = posted["channel"]
    sent = wired.control.send_message(minji["id"], "사용자 메시지", wait=True)
    cases = [
        ({"channel": dm, "ts": "1.000001", "text": "y"}, "message_not_found"),
        ({"channel": "D0UNKNOWN1", "ts": posted["ts"], "text": "y"}, "channel_not_found"),
        ({"channel": minji["id"], "ts": posted["ts"], "text": "y"}, "channel_not_found"),
        ({"channel": dm, "ts": sent["ts"], "text": "y"}, "cant_update_message"),
        ({"channel": dm, "ts": posted["ts"]}, "no_text"),
    ]
    for kwargs, error in cases:
        with pytest.raises(SlackApiError) as caught:
            await client.chat_update(**kwargs)
        assert caught.value.response["error"] == error, kwargs


async def test_users_info(client, wired):
    user = wired.control.add_user("jun", real_name="이준", tz="America/New_York", email="j@x.kr")
    answer = await client.users_info(user=user["id"])
    info = answer["user"]
    assert info["id"] == user["id"] and info["id"].startswith("U")
    assert info["team_id"] == "T0HARU0001"
    assert info["tz"] == "America/New_York"
    assert info["tz_offset"] in (-5 * 3600, -4 * 3600)
    assert info["is_bot"] is False and info["deleted"] is False
    assert info["profile"]["email"] == "j@x.kr"
    assert info["profile"]["real_name"] == "이준"
    assert info["profile"]["display_name"] == "jun"


async def test_users_info_defaults_to_seoul_and_knows_the_bot(client, minji):
    assert (await client.users_info(user=minji["id"]))["user"]["tz_offset"] == 9 * 3600
    bot = (await client.users_info(user="U0HARUBOT1"))["user"]
    assert bot["is_bot"] is True


async def test_users_info_unknown(client):
    with pytest.raises(SlackApiError) as caught:
        await client.users_info(user="U0NOBODY01")
    assert caught.value.response["error"] == "user_not_found"


async def test_users_info_is_a_get(wired, helpers, minji):
    import httpx

    async with httpx.AsyncClient(base_url=wired.api_url) as http:
        answer = await http.get(
            "users.info",
            params={"user": minji["id"]},
            headers={"Authorization": f"Bearer {helpers.BOT_TOKEN}"},
        )
    assert answer.json()["user"]["id"] == minji["id"]


async def test_unknown_method(client):
    with pytest.raises(SlackApiError) as caught:
        await client.api_call("chat.explode")
    assert caught.value.response["error"] == "unknown_method"


async def test_calls_are_counted_per_method(wired, client, minji):
    await client.auth_test()
    await client.chat_postMessage(channel=minji["id"], text="x")
    await client.chat_postMessage(channel=minji["id"], text="y")
    assert wired.control.calls() == {"auth.test": 1, "chat.postMessage": 2}
    wired.control.reset_calls()
    assert wired.control.calls() == {}


def test_reset_forgets_users_messages_and_faults(wired, sync_client, minji):
    sync_client.chat_postMessage(channel=minji["id"], text="x")
    wired.control.fault("auth.test", error="invalid_auth")
    wired.control.reset()
    assert wired.control.messages() == []
    assert wired.control.faults() == []
    assert [u["id"] for u in wired.control.users()] == ["U0HARUBOT1"]
    assert sync_client.auth_test()["ok"] is True
