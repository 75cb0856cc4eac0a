"""OAuth 2.0 logic: validating authorization requests, issuing codes and tokens, revoking."""

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit

from google_emulator.errors import OAuthError
from google_emulator.oauth.scopes import KNOWN_SCOPES, has_email, has_profile
from google_emulator.state import State, new_token

ISSUER = "https://accounts.google.com"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]"}


class AuthPageError(Exception):
    """A request Google refuses on its own error page (no redirect back to the client)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        self.status = status
        self.error = error
        self.description = description
        super().__init__(description)


@dataclass
class AuthRequest:
    """A validated authorization request."""

    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    access_type: str
    include_granted_scopes: bool
    prompt: str
    login_hint: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None
    response_type: str


def redirect_allowed(client: dict, redirect_uri: str) -> bool:
    """Whether a redirect URI is registered for the client (loopback: any port)."""
    if redirect_uri in client["redirect_uris"]:
        return True
    parts = urlsplit(redirect_uri)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return (
        parts.scheme == "http"
        and host in LOOPBACK_HOSTS
        and parts.path in client["loopback_paths"]
        and not parts.query
    )


def parse_auth_params(params: dict[str, str], state: State) -> AuthRequest:
    """Validate authorization request parameters exactly as the consent page does."""
    client_id = params.get("client_id")
    if not client_id:
        raise AuthPageError(400, "invalid_request", "Missing required parameter: client_id")
    client = state.clients.get(client_id)
    if client is None:
        raise AuthPageError(401, "invalid_client", "The OAuth client was not found.")
    redirect_uri = params.get("redirect_uri")
    if not redirect_uri:
        raise AuthPageError(400, "invalid_request", "Missing required parameter: redirect_uri")
    if not redirect_allowed(client, redirect_uri):
        raise AuthPageError(
            400,
            "redirect_uri_mismatch",
            "The redirect URI in the request does not match the ones authorized for the client.",
        )
    response_type = params.get("response_type")
    if not response_type:
        raise AuthPageError(400, "invalid_request", "Required parameter is missing: response_type")
    if response_type != "code":
        raise AuthPageError(
            400, "unsupported_response_type", f"Invalid response_type: {response_type}"
        )
    scopes = params.get("scope", "").split()
    if not scopes:
        raise AuthPageError(400, "invalid_request", "Missing required parameter: scope")
    unknown = [s for s in scopes if s not in KNOWN_SCOPES]
    if unknown:
        raise AuthPageError(400, "invalid_scope", f"Some requested scopes were invalid: {unknown}")
    access_type = params.get("access_type", "online")
    if access_type not in {"online", "offline"}:
        raise AuthPageError(400, "invalid_request", f"Invalid access_type: {access_type}")
    challenge = params.get("code_challenge")
    method = params.get("code_challenge_method")
    if method and not challenge:
        raise AuthPageError(400, "invalid_request", "Missing code_challenge.")
    if challenge:
        method = method or "plain"
        if method not in {"S256", "plain"}:
            raise AuthPageError(400, "invalid_request", "Invalid code_challenge_method.")
        if not 43 <= len(challenge) <= 128:
            raise AuthPageError(400, "invalid_request", "Invalid code_challenge.")
    return AuthRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=list(dict.fromkeys(scopes)),
        state=params.get("state"),
        access_type=access_type,
        include_granted_scopes=params.get("include_granted_scopes") == "true",
        prompt=params.get("prompt", ""),
        login_hint=params.get("login_hint"),
        code_challenge=challenge,
        code_challenge_method=method if challenge else None,
        nonce=params.get("nonce"),
        response_type=response_type,
    )


def params_from_url(url: str) -> dict[str, str]:
    """The query parameters of a full authorization URL."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def _with_query(url: str, params: dict[str, str]) -> str:
    sep = "&" if urlsplit(url).query else "?"
    return url + sep + urlencode(params)


def consent(
    *, state: State, req: AuthRequest, email: str, allow: bool, scopes: list[str] | None = None
) -> str:
    """Apply the user's decision and return the URL to send the browser back to."""
    base = {} if req.state is None else {"state": req.state}
    if not allow:
        return _with_query(req.redirect_uri, {"error": "access_denied", **base})
    chosen = req.scopes if scopes is None else [s for s in req.scopes if s in set(scopes)]
    if not chosen:
        return _with_query(req.redirect_uri, {"error": "access_denied", **base})
    with state.lock:
        account = state.ensure_account(email)
        grant_key = f"{account['email']}|{req.client_id}"
        grant = state.grants.get(grant_key)
        first = grant is None or not grant.get("offline")
        granted = list(chosen)
        if req.include_granted_scopes and grant is not None:
            granted = list(dict.fromkeys([*grant["scopes"], *chosen]))
        issue_refresh = req.access_type == "offline" and (first or "consent" in req.prompt.split())
        previous = grant["scopes"] if grant else []
        state.grants[grant_key] = {
            "email": account["email"],
            "client_id": req.client_id,
            "scopes": list(dict.fromkeys([*previous, *chosen])),
            "offline": bool(grant and grant.get("offline")) or req.access_type == "offline",
        }
        code = "4/0" + new_token("")
        state.codes[code] = {
            "client_id": req.client_id,
            "redirect_uri": req.redirect_uri,
            "email": account["email"],
            "scopes": granted,
            "code_challenge": req.code_challenge,
            "code_challenge_method": req.code_challenge_method,
            "issue_refresh": issue_refresh,
            "nonce": req.nonce,
            "expires_at": time.time() + 600,
        }
        state.save()
    return _with_query(
        req.redirect_uri, {**base, "code": code, "scope": " ".join(granted), "authuser": "0"}
    )


def authenticate_client(
    *, state: State, basic: tuple[str, str] | None, form: dict[str, str]
) -> dict:
    """The client authenticated by HTTP Basic or by body parameters."""
    client_id: str | None
    secret: str | None
    if basic is not None:
        client_id, secret = basic
    else:
        client_id, secret = form.get("client_id"), form.get("client_secret")
    if not client_id:
        raise OAuthError(400, "invalid_request", "Could not determine client ID from request.")
    client = state.clients.get(client_id)
    if client is None:
        raise OAuthError(401, "invalid_client", "The OAuth client was not found.")
    if not secret or not hmac.compare_digest(secret, client["client_secret"]):
        raise OAuthError(401, "invalid_client", "Unauthorized")
    return client


def _verify_pkce(code: dict, verifier: str | None) -> None:
    challenge = code["code_challenge"]
    if not challenge:
        return
    if not verifier:
        raise OAuthError(400, "invalid_grant", "Missing code verifier.")
    if code["code_challenge_method"] == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        computed = verifier
    if not hmac.compare_digest(computed, challenge):
        raise OAuthError(400, "invalid_grant", "Invalid code verifier.")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_id_token(
    *, account: dict, client: dict, scopes: list[str], ttl: int, nonce: str | None
) -> str:
    """An HS256 id_token signed with the client secret (callers here do not verify it)."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "azp": client["client_id"],
        "aud": client["client_id"],
        "sub": account["sub"],
        "iat": now,
        "exp": now + ttl,
    }
    if has_email(scopes):
        claims.update(email=account["email"], email_verified=True)
    if has_profile(scopes):
        claims["name"] = account["name"]
    if nonce:
        claims["nonce"] = nonce
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = _b64(json.dumps(claims).encode())
    signature = hmac.new(
        client["client_secret"].encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()
    return f"{header}.{payload}.{_b64(signature)}"


def decode_id_token(token: str) -> dict | None:
    """The claims of an id_token this emulator issued (signature not checked)."""
    try:
        payload = token.split(".")[1]
        return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return None


def _issue(
    *,
    state: State,
    client: dict,
    email: str,
    scopes: list[str],
    ttl: int,
    refresh_token: str | None,
    new_refresh: bool,
    nonce: str | None = None,
) -> dict:
    account = state.accounts[email]
    access = new_token("ya29.")
    state.access_tokens[access] = {
        "email": email,
        "client_id": client["client_id"],
        "scopes": scopes,
        "expires_at": time.time() + ttl,
        "refresh_token": refresh_token,
    }
    body = {
        "access_token": access,
        "expires_in": ttl,
        "scope": " ".join(scopes),
        "token_type": "Bearer",
    }
    if new_refresh and refresh_token:
        body["refresh_token"] = refresh_token
    if "openid" in scopes:
        body["id_token"] = make_id_token(
            account=account, client=client, scopes=scopes, ttl=ttl, nonce=nonce
        )
    return body


def exchange_code(*, state: State, client: dict, form: dict[str, str], ttl: int) -> dict:
    """The authorization_code grant."""
    code_value = form.get("code")
    if not code_value:
        raise OAuthError(400, "invalid_request", "Missing required parameter: code")
    with state.lock:
        code = state.codes.get(code_value)
        if code is None or code["client_id"] != client["client_id"]:
            raise OAuthError(400, "invalid_grant", "Malformed auth code.")
        del state.codes[code_value]  # single use, whatever happens next
        if code["expires_at"] < time.time():
            raise OAuthError(400, "invalid_grant", "Bad Request")
        if form.get("redirect_uri") != code["redirect_uri"]:
            raise OAuthError(400, "redirect_uri_mismatch", "Bad Request")
        _verify_pkce(code, form.get("code_verifier"))
        refresh = None
        if code["issue_refresh"]:
            refresh = new_token("1//0")
            state.refresh_tokens[refresh] = {
                "email": code["email"],
                "client_id": client["client_id"],
                "scopes": code["scopes"],
            }
        body = _issue(
            state=state,
            client=client,
            email=code["email"],
            scopes=code["scopes"],
            ttl=ttl,
            refresh_token=refresh,
            new_refresh=True,
            nonce=code["nonce"],
        )
        state.save()
        return body


def refresh_access(*, state: State, client: dict, form: dict[str, str], ttl: int) -> dict:
    """The refresh_token grant."""
    token = form.get("refresh_token")
    if not token:
        raise OAuthError(400, "invalid_request", "Missing required parameter: refresh_token")
    with state.lock:
        info = state.refresh_tokens.get(token)
        if info is None:
            raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
        if info["client_id"] != client["client_id"]:
            raise OAuthError(401, "unauthorized_client", "Unauthorized")
        scopes = info["scopes"]
        asked = form.get("scope", "").split()
        if asked:
            extra = [s for s in asked if s not in scopes]
            if extra:
                raise OAuthError(
                    400, "invalid_scope", "Some requested scopes were invalid. " + str(extra)
                )
            scopes = [s for s in scopes if s in asked]
        body = _issue(
            state=state,
            client=client,
            email=info["email"],
            scopes=scopes,
            ttl=ttl,
            refresh_token=token,
            new_refresh=False,
        )
        state.save()
        return body


def revoke_token(*, state: State, token: str | None) -> None:
    """Revoke a refresh or access token, and with it the whole grant, as Google does."""
    with state.lock:
        info = state.refresh_tokens.get(token or "") or state.access_tokens.get(token or "")
        if info is None:
            raise OAuthError(400, "invalid_token", "Token expired or revoked")
        email, client_id = info["email"], info["client_id"]
        for store in (state.refresh_tokens, state.access_tokens):
            for key, value in list(store.items()):
                if value["email"] == email and value["client_id"] == client_id:
                    del store[key]
        state.grants.pop(f"{email}|{client_id}", None)
        state.save()


def access_token_info(*, state: State, token: str | None) -> dict | None:
    """The live access token's record, or None when unknown, revoked or expired."""
    if not token:
        return None
    with state.lock:
        info = state.access_tokens.get(token)
        if info is None or info["expires_at"] <= time.time():
            return None
        return dict(info)
