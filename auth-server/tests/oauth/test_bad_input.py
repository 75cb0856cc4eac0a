"""Page inputs that once answered 500 or 502 (issue 22 item 4): clear Korean 4xx pages."""

from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.db


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def new_user(client, headers) -> str:
    response = await client.post(
        "/internal/identities/resolve",
        json={"channel": "web", "external_id": "bad-input-1"},
        headers=headers,
    )
    return response.json()["user_id"]


async def account_path(client, headers) -> str:
    user_id = await new_user(client, headers)
    response = await client.post(
        "/internal/account-links", json={"user_id": user_id}, headers=headers
    )
    assert response.status_code == 201, response.text
    return path_of(response.json()["url"])


@pytest.mark.parametrize("form", ["disconnect", "connect"])
@pytest.mark.parametrize("token", ["한글토큰", "é", "\u0000", "x" * 100])
async def test_an_odd_form_token_is_a_refused_form_not_a_500(client, service_headers, form, token):
    path = await account_path(client, service_headers)
    data = {"form_token": token, "capability": "calendar"}
    response = await client.post(f"{path}/{form}", data=data)
    assert response.status_code == 303, response.text
    assert response.headers["location"].endswith("?error=form")
    page = await client.get(path_of(response.headers["location"]))
    assert page.status_code == 200
    assert "다시 시도" in page.text


@pytest.mark.parametrize("error", ["server_error", "temporarily_unavailable", "invalid_scope"])
async def test_an_error_from_google_at_the_callback_is_a_clear_page_with_a_retry(
    client, service_headers, error
):
    user_id = await new_user(client, service_headers)
    link = await client.post(
        "/internal/connect-links",
        json={"user_id": user_id, "capability": "calendar", "pending_action_ref": "pa-1"},
        headers=service_headers,
    )
    go = await client.post(path_of(link.json()["url"]))
    state = parse_qs(urlsplit(go.headers["location"]).query)["state"][0]
    page = await client.get(f"/oauth/google/callback?state={state}&error={error}")
    assert 400 <= page.status_code < 500, page.status_code
    assert "Google" in page.text and "아무것도 저장하지 않았습니다" in page.text
    assert "다시 시도" in page.text
    assert 'href="http://127.0.0.1:8001/connect/' in page.text  # the retry link
    assert page.headers["content-type"].startswith("text/html")
