"""Control routes: reset, accounts, consent, faults, revocation, expiry, call counts."""

import copy
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from google_emulator.calendar import service as calendar_service
from google_emulator.calls import get_state
from google_emulator.control import page
from google_emulator.control.schemas import (
    AccountIn,
    AccountPatch,
    AuthorizeIn,
    ClientIn,
    EmailIn,
    FaultIn,
)
from google_emulator.errors import GoogleApiError
from google_emulator.oauth import service as oauth
from google_emulator.state import Fault

router = APIRouter(prefix="/emulator")


def _check_zone(name: str | None) -> None:
    if name is None:
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise HTTPException(400, f"unknown time zone: {name}") from err


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    """A page listing accounts and their events."""
    state = get_state(request)
    with state.lock:
        html = page.render(copy.deepcopy(state.accounts), copy.deepcopy(state.events))
    return HTMLResponse(html)


@router.post("/reset")
async def reset(request: Request) -> dict:
    """Forget everything."""
    get_state(request).reset()
    return {"ok": True}


@router.post("/accounts")
async def add_account(request: Request, body: AccountIn) -> dict:
    """Create (or update) a test account."""
    _check_zone(body.time_zone)
    return get_state(request).ensure_account(body.email, name=body.name, time_zone=body.time_zone)


@router.patch("/accounts/{email}")
async def patch_account(request: Request, email: str, body: AccountPatch) -> dict:
    """Change an account's time zone or name."""
    state = get_state(request)
    if email.lower() not in state.accounts:
        raise HTTPException(404, "unknown account")
    _check_zone(body.time_zone)
    return state.ensure_account(email, name=body.name, time_zone=body.time_zone)


@router.get("/accounts/{email}/events")
async def account_events(request: Request, email: str) -> list[dict]:
    """Every stored event of an account, cancelled ones included."""
    state = get_state(request)
    with state.lock:
        return copy.deepcopy(list(state.events.get(email.lower(), {}).values()))


def _account(request: Request, email: str) -> dict:
    state = get_state(request)
    account = state.accounts.get(email.lower())
    if account is None:
        raise HTTPException(404, "unknown account")
    return account


@router.patch("/accounts/{email}/events/{event_id}")
async def edit_event(request: Request, email: str, event_id: str) -> dict:
    """Change an event as its owner would in Google Calendar itself (a patch body)."""
    account = _account(request, email)
    body = await request.json()
    if not isinstance(body, dict):
        raise HTTPException(400, "a JSON object of event fields")
    try:
        return calendar_service.change_event(
            state=get_state(request),
            account=account,
            event_id=event_id,
            body=body,
            replace=False,
            if_match=None,
        )
    except GoogleApiError as err:
        raise HTTPException(err.status, err.body()["error"]) from err


@router.delete("/accounts/{email}/events/{event_id}")
async def remove_event(request: Request, email: str, event_id: str) -> dict:
    """Delete an event as its owner would in Google Calendar itself."""
    account = _account(request, email)
    try:
        calendar_service.delete_event(
            state=get_state(request), account=account, event_id=event_id, if_match=None
        )
    except GoogleApiError as err:
        raise HTTPException(err.status, err.body()["error"]) from err
    return {"ok": True}


@router.post("/accounts/{email}/sync-tokens/invalidate")
async def invalidate_sync_tokens(request: Request, email: str) -> dict:
    """Every sync token given to the account so far answers 410 fullSyncRequired."""
    _account(request, email)
    return {"generation": get_state(request).invalidate_sync_tokens(email)}


@router.get("/channels")
async def list_channels(request: Request) -> list[dict]:
    """Every push channel: address, expiration, stopped, and its last deliveries' answers."""
    state = get_state(request)
    with state.lock:
        return copy.deepcopy(list(state.channels.values()))


@router.post("/clients")
async def add_client(request: Request, body: ClientIn) -> dict:
    """Register an extra OAuth client."""
    return get_state(request).register_client(**body.model_dump())


@router.post("/authorize")
async def authorize(request: Request, body: AuthorizeIn) -> dict:
    """The consent step without a browser: same validation as the page."""
    state = get_state(request)
    try:
        req = oauth.parse_auth_params(oauth.params_from_url(body.url), state)
    except oauth.AuthPageError as err:
        raise HTTPException(
            err.status, {"error": err.error, "error_description": err.description}
        ) from err
    if body.allow and "@" not in body.email:
        raise HTTPException(400, "email required")
    url = oauth.consent(
        state=state, req=req, email=body.email, allow=body.allow, scopes=body.scopes
    )
    return {"redirect_url": url}


@router.post("/faults")
async def add_fault(request: Request, body: FaultIn) -> dict:
    """Inject a fault for the next matching calls."""
    state = get_state(request)
    with state.lock:
        state.faults.append(Fault(**body.model_dump()))
    return body.model_dump()


@router.delete("/faults")
async def clear_faults(request: Request) -> dict:
    """Remove every injected fault."""
    state = get_state(request)
    with state.lock:
        state.faults.clear()
    return {"ok": True}


@router.post("/revoke")
async def revoke(request: Request, body: EmailIn) -> dict:
    """Revoke every token of an account."""
    if not body.email:
        raise HTTPException(400, "email required")
    return {"revoked": get_state(request).revoke_account(body.email)}


@router.post("/expire-tokens")
async def expire_tokens(request: Request, body: EmailIn | None = None) -> dict:
    """Make access tokens (of one account, or all) expire now."""
    email = body.email if body else None
    return {"expired": get_state(request).expire_access_tokens(email)}


@router.get("/calls")
async def calls(request: Request) -> dict:
    """Call counts by name."""
    state = get_state(request)
    with state.lock:
        return {"counts": dict(state.calls)}


@router.delete("/calls")
async def reset_calls(request: Request) -> dict:
    """Reset call counts."""
    state = get_state(request)
    with state.lock:
        state.calls.clear()
    return {"ok": True}
