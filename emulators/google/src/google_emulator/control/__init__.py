"""The /emulator control and inspection API."""
