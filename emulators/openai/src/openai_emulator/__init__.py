"""openai_emulator: a local OpenAI-compatible ``/v1/chat/completions`` server for tests."""
