"""OAuth state and one-time links cannot be forged, reused or carried to another user."""

from __future__ import annotations

import re
import secrets

import httpx
from harness import System, query_param

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


def _connect_link(system: System, user_id: str) -> str:
    response = httpx.post(
        system.url("auth-server") + "/internal/connect-links",
        json={"user_id": user_id, "capability": "calendar"},
        headers=system.headers("router", "auth-server"),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()["url"]


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
    link = _connect_link(system, _user(system, "e2e-once"))
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
    links = [_connect_link(system, _user(system, f"e2e-bound-{i}")) for i in range(2)]
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
