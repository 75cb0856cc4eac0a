"""Google emulator: OAuth 2.0 and Calendar v3 on loopback for Haru's tests and `make run`."""

from google_emulator.app import create_app

__all__ = ["create_app"]
