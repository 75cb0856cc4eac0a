"""Public pages: the connect page, Google's callback and the account page (no service token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Response
from fastapi.responses import HTMLResponse

from auth_server.grants import capabilities as caps
from auth_server.grants import following
from auth_server.grants import service as grants
from auth_server.grants.status import all_statuses
from auth_server.identities.service import label_for
from auth_server.oauth import pages
from auth_server.oauth import service as flow
from auth_server.oauth.binding import BrowserDep
from auth_server.oauth.preferences import reminder_choices
from auth_server.runtime import AuthRuntime, RuntimeDep
from shared.db import SessionDep
from shared.time import SEOUL

# Pages answer HTML: documented so (schemathesis checks answers against the schema).
router = APIRouter(tags=["pages"], include_in_schema=True, default_response_class=HTMLResponse)


def _headers(runtime: AuthRuntime) -> dict[str, str]:
    return pages.security_headers(google_auth_uri=runtime.settings.google_auth_uri)


@router.get("/connect/{ticket}", summary="Connect page")
async def connect_page(
    ticket: str, session: SessionDep, runtime: RuntimeDep, browser: BrowserDep
) -> Response:
    """Says which Haru identity gets which permissions and why; the button goes on to Google."""
    outcome, found = await flow.open_connect_ticket(session=session, secret=ticket, browser=browser)
    headers = _headers(runtime)
    if outcome != flow.OK or found is None:
        return browser.remember(
            pages.outcome_page(outcome, headers=headers, chat_url=runtime.settings.chat_url)
        )
    if flow.needs_router(found):
        url = await flow.ask_router(session=session, runtime=runtime, ticket=found, secret=ticket)
        return browser.remember(pages.redirect(url, headers=headers))
    capability = found.capability or "calendar"
    account = await grants.get_account(session=session, user_id=found.user_id)
    identity = await label_for(
        session=session, channel=found.channel, identity_id=found.identity_id
    )
    return browser.remember(
        pages.render(
            "connect.html",
            headers=headers,
            title="Google 계정 연결",
            identity=identity,
            capability=caps.CAPABILITIES[capability],
            scopes=caps.requested_scopes(capability),
            google_email=account.email if account else None,
            pending=bool(found.pending_action_ref),
            action=f"/connect/{ticket}",
        )
    )


@router.post("/connect/{ticket}", summary="Go to Google")
async def connect_start(
    ticket: str, session: SessionDep, runtime: RuntimeDep, browser: BrowserDep
) -> Response:
    """Uses up the link and sends the browser to Google's consent page."""
    outcome, url = await flow.start_from_connect_ticket(
        session=session, runtime=runtime, secret=ticket, browser=browser
    )
    headers = _headers(runtime)
    if outcome != flow.OK or url is None:
        return browser.remember(
            pages.outcome_page(outcome, headers=headers, chat_url=runtime.settings.chat_url)
        )
    return browser.remember(pages.redirect(url, headers=headers))


@router.get("/oauth/google/callback", summary="Google's redirect back")
async def google_callback(
    session: SessionDep,
    runtime: RuntimeDep,
    browser: BrowserDep,
    state: Annotated[str | None, Query(max_length=200)] = None,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """Checks the state and the browser, exchanges the code and stores the grant; a Korean
    page either way."""
    result = await flow.complete_authorization(
        session=session, runtime=runtime, state=state, code=code, error=error, browser=browser
    )
    return pages.outcome_page(
        result.outcome,
        headers=_headers(runtime),
        capability=result.capability,
        retry_url=result.retry_url,
        chat_url=runtime.settings.chat_url,
        google_email=result.google_email,
        pending=result.pending,
        identity=result.identity,
    )


_NOTICES = {
    "disconnected": "연결을 해제했습니다. Google에서 권한을 취소하고 토큰을 삭제했습니다.",
    "nothing": "해제할 연결이 없습니다.",
}


@router.get("/account/{ticket}", summary="Account page")
async def account_page(
    ticket: str,
    session: SessionDep,
    runtime: RuntimeDep,
    browser: BrowserDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
    error: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    """The linked Google account and every capability's state, with buttons."""
    outcome, found = await flow.open_account_ticket(
        session=session, secret=ticket, browser=browser, confirmed=False
    )
    headers = _headers(runtime)
    if outcome != flow.OK or found is None:
        return browser.remember(
            pages.outcome_page(outcome, headers=headers, chat_url=runtime.settings.chat_url)
        )
    if flow.needs_router(found):
        url = await flow.ask_router(session=session, runtime=runtime, ticket=found, secret=ticket)
        return browser.remember(pages.redirect(url, headers=headers))
    account = await grants.get_account(session=session, user_id=found.user_id)
    items = []
    for name, status in all_statuses(account).items():
        items.append(
            {
                "name": name,
                "label": caps.CAPABILITIES[name].label,
                "state": status.state,
                "usable": status.usable,
                "reason_text": status.reason_text,
            }
        )
    choices = await reminder_choices(runtime=runtime, user_id=found.user_id)
    page = pages.render(
        "account.html",
        headers=headers,
        title="내 Google 연결",
        choices=choices,
        google_email=account.email if account else None,
        items=items,
        base=f"/account/{ticket}",
        form_token=found.form_token,
        notice=_NOTICES.get(done or ""),
        error="요청을 확인할 수 없습니다. 페이지를 새로 고친 뒤 다시 시도해 주세요."
        if error == "form"
        else None,
        expires_text=found.expires_at.astimezone(SEOUL).strftime("%m월 %d일 %H:%M (한국 시간)"),
    )
    return browser.remember(page)


@router.post("/account/{ticket}/connect", summary="Reconnect or add a capability")
async def account_connect(
    ticket: str,
    session: SessionDep,
    runtime: RuntimeDep,
    browser: BrowserDep,
    capability: Annotated[str, Form(max_length=32)],
    form_token: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    """Sends the browser to Google for one capability."""
    outcome, found = await flow.open_account_ticket(session=session, secret=ticket, browser=browser)
    headers = _headers(runtime)
    if outcome != flow.OK or found is None:
        return pages.outcome_page(outcome, headers=headers, chat_url=runtime.settings.chat_url)
    if not flow.form_token_ok(found, form_token) or capability not in caps.CAPABILITIES:
        return pages.redirect(f"/account/{ticket}?error=form", headers=headers)
    url = await flow.begin_authorization(
        session=session,
        runtime=runtime,
        user_id=found.user_id,
        capability=capability,
        browser=browser,
    )
    await session.commit()
    return browser.remember(pages.redirect(url, headers=headers))


@router.post("/account/{ticket}/disconnect", summary="Disconnect Google")
async def account_disconnect(
    ticket: str,
    session: SessionDep,
    runtime: RuntimeDep,
    browser: BrowserDep,
    form_token: Annotated[str | None, Form(max_length=100)] = None,
) -> Response:
    """Stops the calendar's push channel (best effort), then revokes the grant at Google and
    deletes the tokens."""
    outcome, found = await flow.open_account_ticket(session=session, secret=ticket, browser=browser)
    headers = _headers(runtime)
    if outcome != flow.OK or found is None:
        return pages.outcome_page(outcome, headers=headers, chat_url=runtime.settings.chat_url)
    if not flow.form_token_ok(found, form_token):
        return pages.redirect(f"/account/{ticket}?error=form", headers=headers)
    user_id = found.user_id
    # The push channel is stopped with the person's credentials, so before they are
    # revoked; no transaction is held while the other services work.
    await session.commit()
    await following.stop_following(runtime=runtime, user_id=user_id)
    removed = await grants.disconnect(session=session, runtime=runtime, user_id=user_id)
    await session.commit()
    runtime.events_recorded()
    return pages.redirect(
        f"/account/{ticket}?done={'disconnected' if removed else 'nothing'}", headers=headers
    )
