"""GoogleOAuthClient on one async HTTP stack: PKCE S256, the request id, one error translation."""

import base64
import hashlib
import os
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from auth_server.grants.google import (
    GoogleInvalidGrant,
    GoogleOAuthClient,
    GoogleRejected,
    GoogleUnavailable,
    UserInfo,
)
from shared.context import REQUEST_ID_HEADER, request_id_var

BASE = "http://127.0.0.1:9999"
VERIFIER = "v" * 43 + "-._~" + "0123456789"


def client_for(handler, **kw) -> GoogleOAuthClient:
    return GoogleOAuthClient(
        client_id="cid",
        client_secret="csecret",
        auth_uri=f"{BASE}/o/oauth2/v2/auth",
        token_uri=f"{BASE}/token",
        revoke_uri=f"{BASE}/revoke",
        userinfo_uri=f"{BASE}/v1/userinfo",
        retries=0,
        transport=httpx.MockTransport(handler),
        **kw,
    )


def token_answer(**extra) -> httpx.Response:
    return httpx.Response(
        200,
        json={"access_token": "at", "expires_in": 3599, "scope": "a b", **extra},
    )


def test_consent_url_carries_pkce_s256_offline_and_incremental():
    google = client_for(lambda r: httpx.Response(500))
    url = google.authorization_url(
        scopes=["openid", "email"],
        state="st",
        code_verifier=VERIFIER,
        redirect_uri="http://127.0.0.1:8001/oauth/callback",
        prompt_consent=True,
        login_hint="minji@example.com",
    )
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{BASE}/o/oauth2/v2/auth"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    expected = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")
    assert query == {
        "response_type": "code",
        "client_id": "cid",
        "redirect_uri": "http://127.0.0.1:8001/oauth/callback",
        "scope": "openid email",
        "state": "st",
        "code_challenge": expected.decode(),
        "code_challenge_method": "S256",
        "access_type": "offline",
        "include_granted_scopes": "true",
        "prompt": "consent",
        "login_hint": "minji@example.com",
    }


def test_plain_http_off_loopback_is_refused():
    with pytest.raises(ValueError, match="https"):
        GoogleOAuthClient(
            client_id="cid",
            client_secret="s",
            auth_uri="http://accounts.example.com/auth",
            token_uri=f"{BASE}/token",
            revoke_uri=f"{BASE}/revoke",
            userinfo_uri=f"{BASE}/v1/userinfo",
        )


async def test_code_exchange_is_one_async_form_post_with_the_request_id(monkeypatch):
    for name in ("OAUTHLIB_INSECURE_TRANSPORT", "OAUTHLIB_RELAX_TOKEN_SCOPE"):
        monkeypatch.delenv(name, raising=False)
    environment = dict(os.environ)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return token_answer(refresh_token="rt")

    google = client_for(handler)
    token = request_id_var.set("req-123")
    try:
        tokens = await google.exchange_code(
            code="the-code", code_verifier=VERIFIER, redirect_uri="http://127.0.0.1:8001/cb"
        )
    finally:
        request_id_var.reset(token)
    [request] = seen
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/token"
    assert request.headers[REQUEST_ID_HEADER] == "req-123"
    assert {k: v[0] for k, v in parse_qs(request.content.decode()).items()} == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "code_verifier": VERIFIER,
        "redirect_uri": "http://127.0.0.1:8001/cb",
        "client_id": "cid",
        "client_secret": "csecret",
    }
    assert tokens.access_token == "at"
    assert tokens.refresh_token == "rt"
    assert tokens.scopes == ["a", "b"]
    assert dict(os.environ) == environment  # no process-wide flags


@pytest.mark.parametrize("verb", ["exchange", "refresh"])
@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(400, json={"error": "invalid_grant"}), GoogleInvalidGrant),
        (httpx.Response(401, json={"error": "invalid_client"}), GoogleRejected),
        (httpx.Response(400, json={"error": "invalid_request"}), GoogleRejected),
        (httpx.Response(503, headers={"Retry-After": "7"}), GoogleUnavailable),
        (httpx.Response(500, json={"error": "internal_failure"}), GoogleUnavailable),
        (httpx.Response(502, text="<html>bad gateway</html>"), GoogleUnavailable),
        (httpx.Response(200, text="<html>not json</html>"), GoogleUnavailable),
        (httpx.Response(200, json={"no": "token"}), GoogleUnavailable),
    ],
)
async def test_one_error_translation_for_every_token_request(verb, answer, error):
    google = client_for(lambda request: answer)
    with pytest.raises(error):
        if verb == "exchange":
            await google.exchange_code(code="c", code_verifier=VERIFIER, redirect_uri=BASE)
        else:
            await google.refresh(refresh_token="rt")


async def test_unavailable_carries_retry_after():
    google = client_for(lambda request: httpx.Response(429, headers={"Retry-After": "7"}))
    with pytest.raises(GoogleUnavailable) as caught:
        await google.refresh(refresh_token="rt")
    assert caught.value.retry_after == 7


async def test_network_failure_is_unavailable():
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(GoogleUnavailable):
        await client_for(handler).exchange_code(code="c", code_verifier=VERIFIER, redirect_uri=BASE)


async def test_userinfo_is_typed_and_sends_the_bearer():
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer at"
        return httpx.Response(200, json={"sub": "123", "email": "a@example.com", "x": 1})

    assert await client_for(handler).userinfo(access_token="at") == UserInfo(
        sub="123", email="a@example.com"
    )
    no_sub = client_for(lambda request: httpx.Response(200, json={"email": "a@example.com"}))
    with pytest.raises(GoogleRejected):
        await no_sub.userinfo(access_token="at")
