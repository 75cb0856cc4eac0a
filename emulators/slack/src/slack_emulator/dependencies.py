"""Dependencies shared by the routers: the app's state and settings."""

from fastapi import Request

from slack_emulator.settings import Settings
from slack_emulator.state import State


def get_state(request: Request) -> State:
    """The emulator state of the running app."""
    return request.app.state.emulator


def get_settings(request: Request) -> Settings:
    """The settings of the running app."""
    return request.app.state.settings
