"""An event's ``reminders`` as Google checks them (Events resource, "reminders").

``useDefault`` says whether the calendar's default reminders apply; ``overrides`` lists
the event's own (at most 5, each a method and 0..40320 minutes, i.e. up to 4 weeks) and
may only be given with ``useDefault: false``. Google answers 400 otherwise.
"""

from google_emulator.errors import GoogleApiError

MAX_OVERRIDES = 5
MAX_MINUTES = 40320  # four weeks
METHODS = {"email", "popup"}


def check_reminders(reminders: object) -> None:
    """Raises Google's 400 for a ``reminders`` value Google refuses."""
    if not isinstance(reminders, dict):
        raise GoogleApiError(400, "invalid", "Invalid value for: reminders")
    use_default = reminders.get("useDefault")
    overrides = reminders.get("overrides")
    if use_default is not None and not isinstance(use_default, bool):
        raise GoogleApiError(400, "invalid", "Invalid value for: reminders.useDefault")
    if overrides is None:
        return
    if not isinstance(overrides, list):
        raise GoogleApiError(400, "invalid", "Invalid value for: reminders.overrides")
    if use_default and overrides:
        raise GoogleApiError(
            400,
            "cannotUseDefaultRemindersAndSpecifyOverride",
            "Cannot specify both default reminders and overrides at the same time.",
        )
    if len(overrides) > MAX_OVERRIDES:
        raise GoogleApiError(400, "tooManyReminders", "Too many reminders.")
    for override in overrides:
        if not isinstance(override, dict):
            raise GoogleApiError(400, "invalid", "Invalid value for: reminders.overrides")
        if override.get("method") not in METHODS:
            raise GoogleApiError(400, "required", "Missing reminder method.")
        minutes = override.get("minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise GoogleApiError(400, "required", "Missing reminder minutes.")
        if not 0 <= minutes <= MAX_MINUTES:
            raise GoogleApiError(400, "invalid", "Invalid reminder minutes value.")
