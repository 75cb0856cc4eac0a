"""skill_calendar."""
