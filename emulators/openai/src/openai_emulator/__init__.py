"""openai_emulator."""
