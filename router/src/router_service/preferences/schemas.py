"""What the account page shows of a person's reminder choices."""

from __future__ import annotations

from pydantic import BaseModel, Field


class PreferencesOut(BaseModel):
    reminder_minutes: int | None = Field(
        None, description="Minutes before each event without reminders of its own; null: off"
    )
    agenda_time: str | None = Field(None, description="HH:MM of the morning agenda; null: off")
    time_zone: str | None = Field(None, description="The zone the agenda time is in")
    reminder_text: str = Field(description="Korean, as the account page shows it")
    agenda_text: str = Field(description="Korean, as the account page shows it")
