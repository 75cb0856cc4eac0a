"""OAuth state and one-time links cannot be forged, reused or carried to another person.

Issue 22 item 1: person A's web chat link, sent to V and opened in V's browser (V's own chat
session, V's Google account already connected to V's Haru user), never gives A's chat V's
calendar, at any step it is forwarded: the chat link, the auth-server page, Google's page.
"""

from __future__ import annotations

import re
import secrets

import httpx
from harness import (
    SEED,
    ChatUser,
    System,
    connect_google,
    connect_link,
    connected_user,
    kind_of,
    open_connect_link,
    query_param,
)
from slack_person import SlackPerson

HANGUL = re.compile(r"[가-힣]")


def _user(system: System, external_id: str) -> str:
    response = httpx.post(
        system.url("auth-server") + "/internal/identities/resolve",
        json={"channel": "web", "external_id": external_id},
        headers=system.headers("router", "auth-server"),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["user_id"]


def _refused_page(response: httpx.Response, status: int) -> None:
    assert response.status_code == status, (response.status_code, response.text[:200])
    assert "location" not in response.headers
    assert response.headers["content-type"].startswith("text/html")
    assert HANGUL.search(response.text)


def test_forged_links_are_refused(system: System) -> None:
    base = system.url("auth-server")
    forged = secrets.token_urlsafe(32)
    with httpx.Client(base_url=base, timeout=10) as browser:
        _refused_page(browser.get(f"/connect/{forged}"), 404)
        _refused_page(browser.post(f"/connect/{forged}"), 404)
        assert browser.get(f"/account/{forged}").status_code == 404


def test_a_connect_link_works_once(system: System) -> None:
    link = connect_link(system, _user(system, "e2e-once"))
    with httpx.Client(timeout=10) as browser:
        assert browser.get(link).status_code == 200
        first = browser.post(link)
        assert first.status_code == 303
        google = first.headers["location"]
        assert google.startswith(system.url("google-emulator") + "/o/oauth2/v2/auth?")
        assert query_param(google, "state")
        assert query_param(google, "code_challenge_method") == "S256"
        _refused_page(browser.post(link), 410)
        _refused_page(browser.get(link), 410)


def test_each_link_has_its_own_state_bound_to_its_user(system: System) -> None:
    """Two users' links lead to different states; neither link reveals the other's."""
    links = [connect_link(system, _user(system, f"e2e-bound-{i}")) for i in range(2)]
    states = []
    with httpx.Client(timeout=10) as browser:
        for link in links:
            location = browser.post(link).headers["location"]
            states.append(query_param(location, "state"))
    assert states[0] != states[1]
    assert all(state and len(state) >= 32 for state in states)


def test_forged_or_missing_state_is_refused_at_the_callback(system: System) -> None:
    callback = system.url("auth-server") + "/oauth/google/callback"
    with httpx.Client(timeout=10) as browser:
        _refused_page(browser.get(callback, params={"state": "forged", "code": "x"}), 400)
        _refused_page(browser.get(callback, params={"code": "x"}), 400)
        _refused_page(browser.get(callback), 400)


def _grant_state(system: System, user_id: str) -> str:
    response = httpx.get(
        system.url("auth-server") + f"/internal/users/{user_id}/grants/calendar",
        headers=system.headers("router", "auth-server"),
        timeout=10,
    )
    response.raise_for_status()
    return response.json()["state"]


def _assert_still_unconnected(system: System, person_a: ChatUser, victim: ChatUser) -> None:
    """A's chat has no calendar (asking lists nothing of V's), V's calendar is untouched."""
    assert _grant_state(system, person_a.user_id) == "missing"
    # A's earlier request, still waiting for consent, is named as replaced before the link.
    *_, answer = person_a.say("11월 24일 일정 알려줘")
    assert kind_of(answer) == "connect", answer["text"]
    assert system.google.events(victim.email) == []


def test_a_forwarded_web_chat_link_never_gives_the_chat_another_persons_calendar(
    system: System,
) -> None:
    person_a = ChatUser.new(system)
    victim = connected_user(system)  # V: own chat session, own Google connected to it
    [ask] = person_a.say(SEED)
    assert kind_of(ask) == "connect", ask["text"]
    chat_link = ask["payload"]["link"]["url"]
    assert chat_link.startswith(system.url("router") + "/connect?action_id=")

    # 1. The chat's link, opened in V's browser (V's session) or in one with no session.
    _refused_page(victim.http.get(chat_link), 403)
    with httpx.Client(timeout=10) as stranger:
        _refused_page(stranger.get(chat_link), 403)

    # 2. A takes a fresh ticket from the router without opening it (a tool, not a browser)
    #    and forwards it: opened by V first, it is bound to V's browser and sent to the
    #    router for its check of the chat session — V's is not A's. Nothing more works.
    taken = person_a.http.get(chat_link)
    assert taken.status_code == 303
    ticket_url = taken.headers["location"]
    assert ticket_url.startswith(system.url("auth-server") + "/connect/")
    bounce = victim.http.get(ticket_url)
    assert bounce.headers["location"].startswith(system.url("router") + "/connect/confirm?")
    _refused_page(victim.http.get(bounce.headers["location"]), 403)
    _refused_page(victim.http.post(ticket_url), 403)
    _refused_page(person_a.http.get(ticket_url), 403)  # bound to V's browser now

    # 3. A's browser gets the auth-server page; that page's URL, forwarded, is refused.
    page_url = open_connect_link(system, person_a.http, chat_link)
    assert "하루 웹 채팅" in person_a.http.get(page_url).text
    _refused_page(victim.http.get(page_url), 403)
    _refused_page(victim.http.post(page_url), 403)

    # 4. A presses the button and forwards Google's consent page; V consents as V, in V's
    #    browser. Google's answer is refused there, and spent: A cannot use it either.
    google_url = person_a.http.post(page_url).headers["location"]
    assert query_param(google_url, "prompt") == "consent"
    redirect = system.google.authorize(google_url, victim.email)
    _refused_page(victim.http.get(redirect), 403)
    _refused_page(person_a.http.get(redirect), 400)

    _assert_still_unconnected(system, person_a, victim)
    assert _grant_state(system, victim.user_id) == "active"  # V's own grant is intact


def test_a_google_account_of_another_haru_user_is_refused_not_merged(system: System) -> None:
    """The same person's Slack identity holds the Google account; the web chat cannot take
    it over silently (a clear Korean page; both stay as they were)."""
    slack = SlackPerson.new(system)
    slack.connect()
    web = ChatUser.new(system, email=slack.email)
    [ask] = web.say(SEED)
    page_url = open_connect_link(system, web.http, ask["payload"]["link"]["url"])
    google_url = web.http.post(page_url).headers["location"]
    callback = web.http.get(system.google.authorize(google_url, slack.email))
    _refused_page(callback, 409)
    assert "이미 다른 하루 사용자에게 연결된 Google 계정" in callback.text
    assert _grant_state(system, web.user_id) == "missing"
    *_, answer = web.say("11월 24일 일정 알려줘")  # after the notice that replaces SEED
    assert kind_of(answer) == "connect", answer["text"]


def test_a_slack_link_names_the_slack_person_and_sends_them_back_to_slack(
    system: System,
) -> None:
    person = SlackPerson.new(system)
    system.google.add_account(person.email)
    identity = httpx.post(
        system.url("auth-server") + "/internal/identities/resolve",
        json={"channel": "slack", "external_id": person.external_id, "display_name": "haru-kim"},
        headers=system.headers("router", "auth-server"),
        timeout=10,
    ).json()
    link = connect_link(
        system, identity["user_id"], channel="slack", external_id=person.external_id
    )
    with httpx.Client(timeout=10) as browser:
        page = browser.get(link)
        assert "Slack @haru-kim" in page.text
        assert "본인이 아니라면" in page.text
        done = connect_google(system, link, person.email, browser=browser)
    assert "Slack @haru-kim" in done.text
    assert "Slack으로 돌아가세요" in done.text
    assert system.url("router") not in done.text  # not the web chat


def test_a_forwarded_account_page_link_is_refused(system: System) -> None:
    """The account page can connect Google too: A's account link, taken with A's session but
    opened first in V's browser, goes to the router for its check and is refused there."""
    person_a = ChatUser.new(system)
    victim = connected_user(system)
    link = person_a.http.get("/api/chat/account-link").json()["url"]
    bounce = victim.http.get(link)
    assert bounce.status_code == 303
    assert bounce.headers["location"].startswith(system.url("router") + "/connect/confirm?")
    _refused_page(victim.http.get(bounce.headers["location"]), 403)
    _refused_page(victim.http.post(f"{link}/connect", data={"capability": "calendar"}), 403)
    _refused_page(person_a.http.get(link), 403)  # bound to V's browser: useless to both
    # A fresh link in A's own browser shows A's page after the router's word.
    own = person_a.http.get("/api/chat/account-link").json()["url"]
    page = person_a.http.get(own, follow_redirects=True)
    assert page.status_code == 200
    assert "내 Google 연결" in page.text
    assert _grant_state(system, person_a.user_id) == "missing"
