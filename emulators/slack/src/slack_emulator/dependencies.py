"""Dependencies shared by the routers: the app's state and settings."""

from typing import Annotated

from fastapi import Depends, Request

from slack_emulator.settings import Settings
from slack_emulator.state import State


async def get_state(request: Request) -> State:
    """The emulator state of the running app."""
    return request.app.state.emulator


async def get_settings(request: Request) -> Settings:
    """The settings of the running app."""
    return request.app.state.settings


StateDep = Annotated[State, Depends(get_state)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
