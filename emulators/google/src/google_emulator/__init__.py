"""google_emulator."""
