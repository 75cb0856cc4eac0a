"""Repository-wide pytest configuration: every member's tests get the shared fixtures."""

pytest_plugins = ["shared.testing", "google_emulator.testing", "slack_emulator.testing"]
