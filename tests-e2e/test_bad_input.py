"""Bad input at every service: invalid UTF-8, oversized bodies, NUL characters, odd scripts.

The answer must be a clear error in the one JSON shape with a Korean message (or, for the
chat, a Korean reply), never a 5xx, and the process must keep serving afterwards.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest
from harness import ChatUser, System

HANGUL = re.compile(r"[가-힣]")
# (service, caller, a POST route with a JSON body) for each service's internal API.
TARGETS = [
    ("auth-server", "router", "/internal/identities/resolve"),
]
ODD_TEXTS = {
    "nul": "a\u0000b",
    "emoji": "🗓️👨‍👩‍👧‍👦✅",
    "mixed-scripts": "회의 meeting 会議 встреча اجتماع",
    "lone-surrogate-escape": "\\ud800",
    "rtl-override": "\u202eevil",
    "long": "가" * 10_000,
}


def _assert_clear_error(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:300]
    assert 400 <= response.status_code < 500, response.text[:300]
    error = response.json()["error"]
    assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", error["code"]), error
    assert HANGUL.search(error["message"]), error


def _healthy(system: System, service: str) -> None:
    assert httpx.get(system.url(service) + "/healthz", timeout=5).status_code == 200


@pytest.mark.parametrize(("service", "caller", "path"), TARGETS)
def test_invalid_utf8_is_refused_clearly(
    system: System, service: str, caller: str, path: str
) -> None:
    headers = system.headers(caller, service, **{"Content-Type": "application/json"})
    body = b'{"channel": "web", "external_id": "\xff\xfe\xc3\x28"}'
    response = httpx.post(system.url(service) + path, content=body, headers=headers, timeout=10)
    _assert_clear_error(response)
    _healthy(system, service)


@pytest.mark.parametrize(("service", "caller", "path"), TARGETS)
def test_oversized_body_is_refused_clearly(
    system: System, service: str, caller: str, path: str
) -> None:
    headers = system.headers(caller, service)
    body = {"channel": "web", "external_id": "x" * (3 * 2**20)}
    response = httpx.post(system.url(service) + path, json=body, headers=headers, timeout=30)
    _assert_clear_error(response)
    _healthy(system, service)


@pytest.mark.parametrize("label", sorted(ODD_TEXTS))
@pytest.mark.parametrize(("service", "caller", "path"), TARGETS)
def test_odd_text_never_breaks_a_service(
    system: System, service: str, caller: str, path: str, label: str
) -> None:
    headers = system.headers(caller, service)
    body = {"channel": "web", "external_id": ODD_TEXTS[label], "display_name": ODD_TEXTS[label]}
    response = httpx.post(system.url(service) + path, json=body, headers=headers, timeout=10)
    if response.status_code >= 400:
        _assert_clear_error(response)
    _healthy(system, service)


# --------------------------------------------------------------------------- the web chat


def test_chat_long_message_gets_a_clear_korean_answer(system: System) -> None:
    user = ChatUser.new(system)
    response = user.post_message("가" * 10_000)
    _assert_clear_error(response)
    assert response.json()["error"]["code"] == "chat.message_too_long"
    # The conversation goes on.
    assert user.say("안녕")


@pytest.mark.parametrize("label", ["emoji", "mixed-scripts", "rtl-override", "nul"])
def test_chat_odd_text_gets_an_answer(system: System, label: str) -> None:
    user = ChatUser.new(system)
    response = user.post_message(ODD_TEXTS[label])
    if response.status_code == 201:
        replies = [m for m in response.json()["messages"] if m["role"] == "assistant"]
        assert replies and all(HANGUL.search(m["text"]) for m in replies), replies
    else:
        _assert_clear_error(response)
    assert user.say("안녕")


def test_chat_invalid_utf8_and_oversized_bodies(system: System) -> None:
    user = ChatUser.new(system)
    headers = {"Content-Type": "application/json"}
    bad = user.http.post("/api/chat/messages", content=b'{"text": "\xff\xfe"}', headers=headers)
    _assert_clear_error(bad)
    huge = user.post_message("회의 " * 1_000_000)
    _assert_clear_error(huge)
    not_json = user.http.post("/api/chat/messages", content=b"text=hello", headers=headers)
    _assert_clear_error(not_json)
    assert user.say("안녕")


# ------------------------------------------------- inputs that once answered 500 (issue 22)


@pytest.mark.parametrize("service", ["auth-server", "skill-calendar", "router"])
def test_a_50_mb_body_is_refused_before_it_is_read(system: System, service: str) -> None:
    """A declared Content-Length past the limit is a 413 at once, on every service."""
    body = b"{" + b" " * (50 * 2**20) + b"}"
    response = httpx.post(
        system.url(service) + "/healthz",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.status_code == 413, response.text[:300]
    _assert_clear_error(response)
    _healthy(system, service)


def test_chat_ids_beyond_bigint_time_zones_and_surrogates_are_clear_errors(system: System) -> None:
    user = ChatUser.new(system)
    too_big = 2**63
    answers = [
        user.http.post(f"/api/chat/actions/{too_big}/decision", json={"decision": "approve"}),
        user.http.get("/api/chat/messages", params={"after_id": too_big}),
        user.http.get("/api/chat/stream", params={"after_id": too_big}),
        user.http.post("/api/chat/messages", json={"text": "안녕", "time_zone": "A" * 300}),
        user.http.post(
            "/api/chat/messages",
            content=b'{"text": "\\ud800"}',
            headers={"Content-Type": "application/json"},
        ),
    ]
    for response in answers:
        _assert_clear_error(response)
    assert user.say("안녕")


def test_slack_non_utf8_bodies_are_refused_before_decoding(system: System) -> None:
    now = str(int(time.time()))
    headers = {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=00"}
    for path in ("/slack/events", "/slack/interactivity"):
        response = httpx.post(
            system.url("router") + path, content=b"\xff\xfe\xc3\x28", headers=headers
        )
        assert 400 <= response.status_code < 500, response.text[:300]
    _healthy(system, "router")
