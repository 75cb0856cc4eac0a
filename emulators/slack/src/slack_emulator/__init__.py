"""slack_emulator."""
