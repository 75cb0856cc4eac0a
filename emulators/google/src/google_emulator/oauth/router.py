"""OAuth routes on Google's real paths."""

import base64
import binascii
import time
from urllib.parse import parse_qsl, unquote_plus

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from google_emulator.calls import begin_call, get_state
from google_emulator.errors import OAuthError
from google_emulator.oauth import service
from google_emulator.oauth.page import consent_page, error_page
from google_emulator.oauth.scopes import has_email, has_profile

router = APIRouter()

NO_STORE = {"Cache-Control": "no-cache, no-store, max-age=0, must-revalidate", "Pragma": "no-cache"}


@router.get("/o/oauth2/v2/auth", response_class=HTMLResponse)
async def auth_page(request: Request) -> HTMLResponse:
    """Show the consent page for an authorization request."""
    state = get_state(request)
    params = dict(request.query_params)
    try:
        req = service.parse_auth_params(params, state)
    except service.AuthPageError as err:
        return HTMLResponse(error_page(err), status_code=err.status)
    accounts = sorted(state.accounts)
    return HTMLResponse(consent_page(req=req, params=params, accounts=accounts))


@router.post("/o/oauth2/v2/auth")
async def auth_submit(request: Request):
    """Apply the decision made on the consent page and redirect back to the client."""
    state = get_state(request)
    form = await request.form()
    params = dict(parse_qsl(str(form.get("query", "")), keep_blank_values=True))
    try:
        req = service.parse_auth_params(params, state)
    except service.AuthPageError as err:
        return HTMLResponse(error_page(err), status_code=err.status)
    allow = form.get("decision") == "allow"
    email = str(form.get("email") or "").strip()
    if allow and "@" not in email:
        problem = service.AuthPageError(
            400, "invalid_request", "이메일을 입력하세요 / Enter an e-mail"
        )
        return HTMLResponse(error_page(problem), status_code=400)
    scopes = [str(s) for s in form.getlist("granted_scope")]
    url = service.consent(state=state, req=req, email=email, allow=allow, scopes=scopes)
    return RedirectResponse(url, status_code=302)


def _basic_auth(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:]).decode()
    except (binascii.Error, UnicodeDecodeError) as err:
        raise OAuthError(401, "invalid_client", "Unauthorized") from err
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


@router.post("/token")
async def token(request: Request) -> JSONResponse:
    """The token endpoint: authorization_code and refresh_token grants."""
    state = get_state(request)
    settings = request.app.state.settings
    form = {k: str(v) for k, v in (await request.form()).items()}
    grant_type = form.get("grant_type")
    name = f"token.{grant_type}" if grant_type else "token"
    await begin_call(request, name, api=False)
    if not grant_type:
        raise OAuthError(400, "invalid_request", "Missing required parameter: grant_type")
    if grant_type not in {"authorization_code", "refresh_token"}:
        raise OAuthError(400, "unsupported_grant_type", f"Invalid grant_type: {grant_type}")
    client = service.authenticate_client(state=state, basic=_basic_auth(request), form=form)
    ttl = settings.access_token_ttl
    if grant_type == "authorization_code":
        body = service.exchange_code(state=state, client=client, form=form, ttl=ttl)
    else:
        body = service.refresh_access(state=state, client=client, form=form, ttl=ttl)
    return JSONResponse(body, headers=NO_STORE)


@router.post("/revoke")
async def revoke(request: Request) -> JSONResponse:
    """Revoke a token (and the grant behind it)."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    await begin_call(request, "revoke", api=False)
    token_value = form.get("token") or request.query_params.get("token")
    service.revoke_token(state=get_state(request), token=token_value)
    return JSONResponse({})


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.query_params.get("access_token")


@router.api_route("/v1/userinfo", methods=["GET", "POST"])
async def userinfo(request: Request) -> JSONResponse:
    """OpenID Connect userinfo for the bearer token's account."""
    await begin_call(request, "userinfo", api=False)
    state = get_state(request)
    info = service.access_token_info(state=state, token=_bearer(request))
    if info is None:
        return JSONResponse(
            {"error": "invalid_request", "error_description": "Invalid Credentials"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'},
        )
    account = state.accounts[info["email"]]
    body: dict = {"sub": account["sub"]}
    if has_email(info["scopes"]):
        body.update(email=account["email"], email_verified=True)
    if has_profile(info["scopes"]):
        body["name"] = account["name"]
    return JSONResponse(body)


@router.api_route("/tokeninfo", methods=["GET", "POST"])
async def tokeninfo(request: Request) -> JSONResponse:
    """Describe an access token or an id_token."""
    await begin_call(request, "tokeninfo", api=False)
    state = get_state(request)
    params = dict(request.query_params)
    if request.method == "POST":
        params.update({k: str(v) for k, v in (await request.form()).items()})
    invalid = OAuthError(400, "invalid_token", "Invalid Value")
    if "id_token" in params:
        claims = service.decode_id_token(params["id_token"])
        if claims is None:
            raise invalid
        return JSONResponse({k: str(v) for k, v in claims.items()})
    info = service.access_token_info(state=state, token=params.get("access_token"))
    if info is None:
        raise invalid
    account = state.accounts[info["email"]]
    expires_in = int(info["expires_at"] - time.time())
    body = {
        "azp": info["client_id"],
        "aud": info["client_id"],
        "sub": account["sub"],
        "scope": " ".join(info["scopes"]),
        "exp": str(int(info["expires_at"])),
        "expires_in": str(expires_in),
        "access_type": "offline" if info.get("refresh_token") else "online",
    }
    if has_email(info["scopes"]):
        body.update(email=account["email"], email_verified="true")
    return JSONResponse(body)
