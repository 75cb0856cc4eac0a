"""Bad input at every service: invalid UTF-8, oversized bodies, NUL characters, odd scripts.

The answer must be a clear error in the one JSON shape with a Korean message (or, for the
chat, a Korean reply), never a 5xx, and the process must keep serving afterwards.
"""

from __future__ import annotations

import re

import httpx
import pytest
from harness import System

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
