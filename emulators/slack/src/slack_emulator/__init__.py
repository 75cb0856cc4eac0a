"""Slack emulator: the Web API methods Haru uses and a driver that plays a Slack user."""

from slack_emulator.app import create_app

__all__ = ["create_app"]
