"""Web API routes: /api/<method>, GET or POST, the way slack_sdk calls them."""

from fastapi import APIRouter, Request

from slack_emulator.dependencies import SettingsDep, StateDep
from slack_emulator.web import service
from slack_emulator.web.dependencies import bearer_token, read_arguments

router = APIRouter(prefix="/api")


@router.api_route("/{method}", methods=["GET", "POST"])
async def call_method(
    method: str,
    request: Request,
    state: StateDep,
    settings: SettingsDep,
) -> dict:
    """Run one Web API method; errors are rendered as {"ok": false, "error": …}."""
    args = await read_arguments(request)
    token = bearer_token(request, args)
    return await service.call_method(
        state=state, settings=settings, method=method, args=args, token=token
    )
