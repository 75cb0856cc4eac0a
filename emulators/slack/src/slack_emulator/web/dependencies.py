"""Reading a Web API call the way Slack does: arguments from query, form or JSON; the token."""

import json

from fastapi import Request

from slack_emulator.errors import SlackApiError

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def read_arguments(request: Request) -> dict:
    """Query parameters merged with a form or JSON body (slack_sdk sends all three kinds)."""
    args: dict = dict(request.query_params)
    if request.method != "POST":
        return args
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        raw = await request.body()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError as err:
                raise SlackApiError("invalid_json") from err
            if not isinstance(body, dict):
                raise SlackApiError("json_not_object")
            args.update(body)
    elif content_type in FORM_TYPES:
        form = await request.form()
        args.update({key: value for key, value in form.items() if isinstance(value, str)})
    return args


def bearer_token(request: Request, args: dict) -> str | None:
    """The token from `Authorization: Bearer …`, else from a `token` argument."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    token = args.pop("token", None)
    return token if isinstance(token, str) and token else None


def authenticate(token: str | None, bot_token: str) -> None:
    """Slack's not_authed (no token) and invalid_auth (any other token)."""
    if token is None:
        raise SlackApiError("not_authed")
    if token != bot_token:
        raise SlackApiError("invalid_auth")
